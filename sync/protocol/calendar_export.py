"""Appointments as an iCalendar file (RFC 5545) that a phone's calendar can import.

Each appointment keeps its record id as UID, so importing the file again updates the events
instead of doubling them; a cancelled one is exported with STATUS:CANCELLED. The reminder
chosen in the app becomes a VALARM whose text says nothing about health.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

PRODID = "-//Mon espace sante//Agenda//FR"
UID_DOMAIN = "agenda.monespacesante.invalid"
DEFAULT_DURATION = timedelta(minutes=30)


@dataclass(frozen=True)
class CalendarEvent:
    """What the file says of one appointment; `start` is timezone-aware (the person's local time,
    written in UTC so that no calendar reads it in its own zone)."""

    uid: str
    start: datetime
    summary: str
    location: str = ""
    description: str = ""
    cancelled: bool = False
    alarm_before: timedelta | None = None
    alarm_text: str = ""


def to_ics(events: Iterable[CalendarEvent], now: datetime) -> bytes:
    """The calendar file; `now` stamps the events (DTSTAMP)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for item in events:
        event = Event()
        event.add("uid", f"{item.uid}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        start = item.start.astimezone(UTC)  # the moment itself: any calendar shows it in its own zone
        event.add("dtstart", start)
        event.add("dtend", start + DEFAULT_DURATION)
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.alarm_before is not None and not item.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.alarm_text)
            alarm.add("trigger", -item.alarm_before)
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def from_ics(data: bytes) -> list[CalendarEvent]:
    """The events of a calendar file (to check an export, or to read one back)."""
    found = []
    for event in Calendar.from_ical(data).walk("VEVENT"):
        alarms = event.walk("VALARM")
        trigger = alarms[0].decoded("trigger") if alarms else None
        found.append(
            CalendarEvent(
                uid=str(event.get("uid")).split("@", 1)[0],
                start=event.decoded("dtstart"),
                summary=str(event.get("summary", "")),
                location=str(event.get("location", "")),
                description=str(event.get("description", "")),
                cancelled=str(event.get("status", "")).upper() == "CANCELLED",
                alarm_before=-trigger if isinstance(trigger, timedelta) else None,
                alarm_text=str(alarms[0].get("description", "")) if alarms else "",
            )
        )
    return found
