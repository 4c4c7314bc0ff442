"""The insurer imports reimbursements; the holder sees them by month with totals and searches them."""

from pathlib import Path

from sqlmodel import Session

from backend_stub.demo import nir_for
from backend_stub.services import reimbursements
from tests.conftest import World, bearer


def test_import_then_months_and_totals(world: World, tmp_path: Path) -> None:
    person, tokens = world.active_person()
    _, other_tokens = world.active_person()
    path = tmp_path / "remb.csv"
    path.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed\n"
        f"{person.nir},2026-11-03,Consultation généraliste,Dr Durand,30,21\n"
        f'{person.nir},2026-11-20,Pharmacie,Pharmacie du Centre,"12,40",8.68\n'
        f"{person.nir},2026-10-02,Radiographie,Centre d'imagerie,45.50,31.85\n"
        f"{nir_for(777777)},2026-10-02,Inconnu,X,10,7\n"
        f"{person.nir},2026-13-02,Date fausse,X,10,7\n"
        f"{person.nir},2026-10-02,Montant faux,X,10,70\n",
        encoding="utf-8",
    )
    with Session(world.ctx.engine) as session:
        report = reimbursements.import_csv(session=session, ctx=world.ctx, path=path)
    assert (report.imported, report.unknown_person) == (3, 1)
    assert [line for line, _ in report.errors or []] == [6, 7]
    data = world.api.get("/api/v1/reimbursements", params={"year": 2026}, headers=bearer(tokens)).json()
    assert (data["paid_cents"], data["reimbursed_cents"]) == (8790, 6153)
    assert [(m["month"], m["paid_cents"], m["reimbursed_cents"]) for m in data["months"]] == [
        ("2026-11", 4240, 2968),
        ("2026-10", 4550, 3185),
    ]
    assert [i["care"] for i in data["months"][0]["items"]] == ["Pharmacie", "Consultation généraliste"]
    found = world.api.get(
        "/api/v1/reimbursements", params={"year": 2026, "q": "durand"}, headers=bearer(tokens)
    ).json()
    assert [i["care"] for m in found["months"] for i in m["items"]] == ["Consultation généraliste"]
    assert (
        world.api.get("/api/v1/reimbursements", params={"year": 2026}, headers=bearer(other_tokens)).json()[
            "months"
        ]
        == []
    )


def test_amounts() -> None:
    assert reimbursements.cents("23,50") == 2350
    assert reimbursements.cents(" 7 ") == 700
    for bad in ("-1", "1.234", "abc"):
        try:
            reimbursements.cents(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
