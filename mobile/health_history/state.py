"""The timeline of care as the holder reads it, without a single control.

    HistoryState   the years of the timeline (asked to the server year by year, newest first, ten
                   at most), a search over what is loaded, and the entry "Ajouter à mon profil"
                   drafts for an item

The reimbursement data are the insurer's (the device does not keep them): a call may fail with a
`NetworkError`, said plainly with a way to retry. The timeline and its search are those of
`sync.protocol.health_history`; the search runs on the device, so it answers at once.
"""

from datetime import date
from typing import Any

from mobile.shell.online import Online
from sync.client import AccountClient
from sync.protocol.health_history import HistoryItem, HistoryYear, search, timeline, to_profile_entry
from sync.protocol.record_schemas import ReimbursementOut

__all__ = ["MAX_YEARS", "HistoryState"]

MAX_YEARS = 10  # the years asked when the screen opens (one request each), newest first


class HistoryState(Online):
    """The holder's timeline of care, loaded when the screen opens."""

    def __init__(self, client: AccountClient, this_year: int | None = None) -> None:
        super().__init__(client)
        self.this_year = this_year or date.today().year
        self.query = ""
        self.rows: list[ReimbursementOut] = []
        self.older = False  # years before those loaded hold care too

    def entered(self) -> None:
        """The screen opens: load afresh (the insurer may have sent new data)."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, None

    def load(self) -> bool:
        """This year, then each year back to the oldest with care (ten years at most)."""

        def ask() -> None:
            rows: list[ReimbursementOut] = []
            first = self.client.reimbursements(self.this_year)
            oldest = first.since_year if first.since_year is not None else self.this_year
            stop = max(oldest, self.this_year - MAX_YEARS + 1)
            for year_data in [
                first,
                *(self.client.reimbursements(y) for y in range(self.this_year - 1, stop - 1, -1)),
            ]:
                rows.extend(item for month in year_data.months for item in month.items)
            self.rows, self.older, self.loaded = rows, oldest < stop, True

        return self._call(ask)

    def set_query(self, value: str) -> None:
        self.query = value[:100]

    def years(self) -> list[HistoryYear]:
        """The timeline, narrowed to the items holding every word of the search."""
        return search(timeline(self.rows), self.query)

    def item(self, item_id: str) -> HistoryItem | None:
        return next((i for year in timeline(self.rows) for i in year.items if i.id == item_id), None)

    def draft(self, item_id: str) -> dict[str, Any] | None:
        """The profile entry an item drafts ("Ajouter à mon profil"), None when it makes none."""
        found = self.item(item_id)
        return None if found is None else to_profile_entry(found)
