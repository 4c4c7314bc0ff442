"""The reference data files load, and the access matrix says what the seeds say."""

from sync.protocol.reference import document_type_codes, document_types, professions, readable_types


def test_every_type_has_both_labels() -> None:
    for entry in document_types():
        assert entry["fr"] and entry["en"] and isinstance(entry["holder"], bool)


def test_matrix_only_names_known_types() -> None:
    codes = document_type_codes()
    for code, entry in professions().items():
        assert entry["fr"] and entry["en"]
        assert readable_types(code) <= codes
        assert readable_types(code), code


def test_a_doctor_an_optician_and_a_podiatrist_do_not_see_the_same_documents() -> None:
    doctor, optician, podiatrist = (
        readable_types("doctor"),
        readable_types("optician"),
        readable_types("podiatrist"),
    )
    assert doctor == document_type_codes()
    assert optician == {"optical_prescription"}
    assert "podiatry_assessment" in podiatrist and "podiatry_assessment" not in optician
    assert "hospital_report" not in optician | podiatrist
    assert len({doctor, optician, podiatrist}) == 3


def test_unknown_profession_reads_nothing() -> None:
    assert readable_types("astrologer") == frozenset()
    assert readable_types("doctor", "emergency_regulator") == document_type_codes()
