"""Enrolment in parallel (issue #21): `enrol-csv --part k --parts n` processes share a file by
NIR; together they enrol everyone once, their letters in batches (one file each)."""

from pathlib import Path

from sqlmodel import Session

from backend_stub.demo import fake_people_csv
from backend_stub.notifier import read_outbox
from backend_stub.services import enrolment
from tests.conftest import World


def test_the_parts_of_a_file_enrol_everyone_once(world: World, tmp_path: Path) -> None:
    csv_path = tmp_path / "people.csv"
    fake_people_csv(csv_path, count=40, start=700)
    created = []
    for part in range(3):
        report = enrolment.EnrolmentReport(errors=[])
        with Session(world.ctx.engine) as session:
            people = enrolment.read_csv(csv_path, report, part, 3)
            result = enrolment.enrol_many(session=session, ctx=world.ctx, people=people, batch_size=4)
        assert report.errors == [] and result.already_enrolled == 0
        created.append(result.created)
    assert sum(created) == 40 and min(created) > 0  # each part had its own people
    outbox = world.ctx.settings.outbox_dir
    assert list(outbox.glob("*-letter-batch-*.json"))  # letters go to the print queue by batch
    letters = read_outbox(outbox, limit=100)
    assert len(letters) == 40 and len({letter["to"] for letter in letters}) == 40
    report = enrolment.EnrolmentReport(errors=[])
    with Session(world.ctx.engine) as session:
        people = enrolment.read_csv(csv_path, report)
        again = enrolment.enrol_many(session=session, ctx=world.ctx, people=people)
    assert (again.created, again.already_enrolled) == (0, 40)
