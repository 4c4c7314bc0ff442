"""The documents' filters are folded behind one "Filtrer" button (issue #19): open by default on a
wide screen only, the person's choice kept afterwards, and the button counting the filters on."""

import flet as ft

from mobile.documents.documents import _filters
from mobile.documents.state import FilterForm
from mobile.shell.widgets import Ui


class _Page:
    def __init__(self, width: int) -> None:
        self.width = width


class _Docs:
    def __init__(self) -> None:
        self.filters = FilterForm(None)  # type: ignore[arg-type]

    @staticmethod
    def all_types(_lang: str) -> list[tuple[str, str]]:
        return [("prescription", "Ordonnance")]

    categories = all_types

    @staticmethod
    def folders() -> list[str]:
        return []


class _State:
    lang, tz = "fr", None


def _drawn(width: int, docs: _Docs) -> tuple[ft.Semantics, int]:
    ui = Ui(_Page(width), _State(), lambda: None)  # type: ignore[arg-type]
    head, *rest = _filters(ui, docs)  # type: ignore[arg-type]
    assert isinstance(head, ft.Semantics)
    return head, len(rest)


def test_folded_on_a_phone_open_on_a_wide_screen_until_the_person_chooses() -> None:
    docs = _Docs()
    head, shown = _drawn(412, docs)
    assert head.expanded is False and shown == 0  # the list comes first
    assert isinstance(head.content, ft.OutlinedButton) and head.content.content == "Filtrer"
    head, shown = _drawn(1280, docs)
    assert head.expanded is True and shown >= 4  # search, type, category, dates
    docs.filters.toggle(wide=True)  # closed by the person on the wide screen: stays closed
    assert _drawn(1280, docs)[0].expanded is False and _drawn(412, docs)[0].expanded is False
    docs.filters.toggle(wide=False)
    assert _drawn(412, docs)[0].expanded is True


def test_the_button_counts_the_filters_on() -> None:
    docs = _Docs()
    docs.filters.set("query", "sang")
    docs.filters.set("from", "01/01/2026")
    docs.filters.set("folder_name", "Cardiologie")  # a new folder's name is no filter
    assert docs.filters.active() == 2
    head, _ = _drawn(412, docs)
    assert isinstance(head.content, ft.FilledButton) and head.content.content == "Filtrer (2 filtres actifs)"
    docs.filters.set("from", "")
    assert _drawn(412, docs)[0].content.content == "Filtrer (1 filtre actif)"  # type: ignore[union-attr]
