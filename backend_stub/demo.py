"""Fictitious insured people for demos, tests and benchmarks (valid NIR keys, made-up names)."""

import csv
from datetime import date, timedelta
from pathlib import Path

from backend_stub.services.enrolment import CSV_COLUMNS

_FIRST = ("Camille", "Louis", "Emma", "Nabil", "Fatou", "Jean", "Lucie", "Thi Lan", "Yanis", "Marie")
_LAST = ("Martin", "Bernard", "Diallo", "Nguyen", "Lefèvre", "Moreau", "Garcia", "Haddad")


def nir_for(n: int, *, sex: int = 1, born: date = date(1985, 5, 1), department: str = "75") -> str:
    """A valid 15-character NIR built from a serial number (key = 97 - number mod 97)."""
    body = f"{sex}{born.year % 100:02d}{born.month:02d}{department}{(n // 1000) % 1000:03d}{n % 1000:03d}"
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


def fake_people_csv(path: Path, *, count: int, start: int = 1) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for n in range(start, start + count):
            born = date(1940, 1, 1) + timedelta(days=(n * 37) % 25000)
            writer.writerow(
                [
                    nir_for(n, sex=1 + n % 2, born=born),
                    f"{10000000 + n:08d}"[-10:],
                    _FIRST[n % len(_FIRST)],
                    _LAST[n % len(_LAST)],
                    born.isoformat(),
                    f"{n} rue de la Santé, 75014 Paris",
                    "",
                    "fr",
                    "CPAM de Paris",
                ]
            )
