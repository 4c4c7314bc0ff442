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


def test_kinds_and_labels_feed_the_health_history(world: World, tmp_path: Path) -> None:
    """Issue #17: a kind (consultation, act, medicine, hospital) and a label per row; an unknown kind
    is refused with its line; rows without them stay acts; the year page says since when."""
    from sync.protocol.health_history import search, timeline, to_profile_entry
    from sync.protocol.record_schemas import ReimbursementYear

    person, tokens = world.active_person()
    path = tmp_path / "remb.csv"
    path.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed,kind,label\n"
        f"{person.nir},2026-03-02,Pharmacie,Pharmacie du Centre,12,8,medicine,LEVOTHYROX 75 µg\n"
        f"{person.nir},2026-03-02,Consultation,Dr Durand,30,21,Consultation,\n"
        f"{person.nir},2024-11-20,Hospitalisation,CHU de Lyon,100,80,hospital,Appendicectomie\n"
        f"{person.nir},2024-11-21,Soins,X,10,7,surgery,\n"
        f"{person.nir},2023-05-05,Radiographie,Centre d'imagerie,45,31,,\n",
        encoding="utf-8",
    )
    with Session(world.ctx.engine) as session:
        report = reimbursements.import_csv(session=session, ctx=world.ctx, path=path)
    assert report.imported == 4 and report.errors == [(5, "kind")]
    h = bearer(tokens)
    rows = []
    for year in (2026, 2025, 2024, 2023):
        page = ReimbursementYear.model_validate(
            world.api.get("/api/v1/reimbursements", params={"year": year}, headers=h).json()
        )
        assert page.since_year == 2023
        rows += [item for month in page.months for item in month.items]
    assert {(r.kind, r.label) for r in rows} == {
        ("medicine", "LEVOTHYROX 75 µg"),
        ("consultation", ""),
        ("hospital", "Appendicectomie"),
        ("act", ""),
    }
    years = timeline(rows)
    assert [y.year for y in years] == [2026, 2024, 2023]
    medicine = search(years, "levothyrox")[0].items[0]
    assert to_profile_entry(medicine) == {
        "section": "treatment",
        "name": "LEVOTHYROX 75 µg",
        "since": "2026-03-02",
    }
    # The server's search looks into the label too.
    found = world.api.get("/api/v1/reimbursements", params={"year": 2024, "q": "appendic"}, headers=h).json()
    assert [i["label"] for m in found["months"] for i in m["items"]] == ["Appendicectomie"]
    _, empty = world.active_person()
    assert world.api.get("/api/v1/reimbursements", headers=bearer(empty)).json()["since_year"] is None
