"""'Mon histoire de santé': the timeline built from reimbursements, its search, and the entries an
item drafts for the profile (checked by the profile's own rules)."""

from datetime import date

from sync.protocol.health_history import HistoryItem, search, timeline, to_profile_entry
from sync.protocol.profile import check
from sync.protocol.record_schemas import ReimbursementOut

TODAY = date(2026, 11, 24)


def row(
    rid: str, day: str, care: str, professional: str, kind: str = "act", label: str = ""
) -> ReimbursementOut:
    return ReimbursementOut(
        id=rid,
        care_date=date.fromisoformat(day),
        care=care,
        professional=professional,
        paid_cents=1000,
        reimbursed_cents=700,
        kind=kind,
        label=label,
    )


ROWS = [
    row("r1", "2026-03-02", "Consultation généraliste", "Dr Durand", "consultation"),
    row("r2", "2026-03-02", "Pharmacie", "Pharmacie du Centre", "medicine", "LEVOTHYROX 75 µg cp"),
    row("r3", "2025-11-20", "Hospitalisation", "Hôpital Édouard-Herriot", "hospital", "Appendicectomie"),
    row("r4", "2024-06-01", "Radiographie du thorax", "Centre d'imagerie", "act"),
    row("r5", "2026-05-10", "Pharmacie", "Pharmacie du Centre", "medicine", "DOLIPRANE 1000 mg"),
    row("r6", "2023-01-15", "Soins", "Cabinet infirmier", "unknown-kind"),
]


def test_timeline_by_year_newest_first_with_the_labels() -> None:
    years = timeline(ROWS + [ROWS[0]])  # the same row twice shows once
    assert [y.year for y in years] == [2026, 2025, 2024, 2023]
    assert [i.id for i in years[0].items] == ["r5", "r2", "r1"]
    assert [i.title for i in years[0].items] == [
        "DOLIPRANE 1000 mg",
        "LEVOTHYROX 75 µg cp",
        "Consultation généraliste",
    ]
    assert (
        years[1].items[0].kind == "hospital" and years[1].items[0].professional == "Hôpital Édouard-Herriot"
    )
    assert years[3].items[0].kind == "act"  # an unknown kind reads as an act
    assert timeline([]) == []


def test_search_forgives_case_and_accents_and_filters_kinds() -> None:
    years = timeline(ROWS)
    found = search(years, "hopital edouard")
    assert [(y.year, [i.id for i in y.items]) for y in found] == [(2025, ["r3"])]
    assert [i.id for y in search(years, "PHARMACIE") for i in y.items] == ["r5", "r2"]
    assert [i.id for y in search(years, "", kinds=["medicine", "hospital"]) for i in y.items] == [
        "r5",
        "r2",
        "r3",
    ]
    assert search(years, "levothyrox durand") == []  # every word must match the same item
    assert search(years, "") == years


def test_a_medicine_becomes_a_treatment_and_a_hospital_item_a_stay() -> None:
    years = timeline(ROWS)
    medicine = years[0].items[1]
    entry = to_profile_entry(medicine)
    assert entry == {"section": "treatment", "name": "LEVOTHYROX 75 µg cp", "since": "2026-03-02"}
    assert check(entry, TODAY) == {}
    stay = to_profile_entry(years[1].items[0])
    assert stay == {
        "section": "hospital_stay",
        "place": "Hôpital Édouard-Herriot",
        "reason": "Appendicectomie",
        "since": "2025-11-20",
    }
    assert check(stay, TODAY) == {}
    consultation = years[0].items[2]
    assert not consultation.convertible and to_profile_entry(consultation) is None
    assert medicine.convertible


def test_a_draft_with_something_missing_says_what_under_its_field() -> None:
    """A hospital item without an establishment drafts a stay the person completes in the form."""
    bare = HistoryItem("x", date(2025, 1, 2), "hospital", "Hospitalisation", "Hospitalisation", "")
    entry = to_profile_entry(bare)
    assert entry is not None and check(entry, TODAY) == {"place": "error.profile.required"}
