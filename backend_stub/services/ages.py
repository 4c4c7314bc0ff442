"""A person's age and majority, counted on the French calendar day (Europe/Paris).

Someone born on 29 February comes of age on 28 February in a year without a 29 February: the
Interior ministry's circular NOR INTA1317573C of 25 July 2013 (electoral lists) says majority is
reached "au dernier jour de février de l'année de son dix-huitième anniversaire qui peut être un
28 février"; the press sometimes says 1 March, without a text. The earlier day also ends the
parents' access sooner, which is the side of the young adult's secrecy.
"""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from backend_stub.models.accounts import Holder

MAJORITY = 18
PARIS = ZoneInfo("Europe/Paris")


def local_day(now: datetime) -> date:
    return now.astimezone(PARIS).date()


def birthday_in(birth: date, year: int) -> date:
    """The birthday in `year`; a 29 February one is the last day of February in other years."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def age_on(birth: date, day: date) -> int:
    """Full years on `day`."""
    return day.year - birth.year - (day < birthday_in(birth, day.year))


def is_minor(holder: Holder, now: datetime) -> bool:
    return age_on(holder.birth_date, local_day(now)) < MAJORITY


def born_on_or_before_for_majority(day: date) -> date:
    """The latest birth date of someone who is 18 on `day`."""
    year = day.year - MAJORITY
    if (day.month, day.day) == (2, 28) and calendar.isleap(year) and not calendar.isleap(day.year):
        return date(year, 2, 29)  # born on 29 February: 18 on the last day of February
    return birthday_in(day, year)  # today 29 February and none 18 years ago: the 28th
