""" "Mes droits": the choice about research (with what it means), the requests to correct what a
professional wrote and their answers, complaints to the authority, and where each right lives."""

from typing import Any, Protocol, cast

import flet as ft

from mobile.rights.state import RightsState
from mobile.shell.core import SpaceApp
from mobile.shell.panels import chip, load_in_background, problem, small_button, status_line
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
)
from mobile.shell.words import format_date
from sync.protocol.rights_schemas import ComplaintOut, HealthCorrectionOut

STATUS_COLOURS = {
    "open": ("#5C3200", "#FFF4E5"),
    "accepted": ("#14532D", "#E7F6EC"),
    "refused": (ERROR_FG, "#FDECEA"),
}
HIDDEN_KEYS = ("section", "author_name", "author_profession", "hidden_from_guardians", "hidden_from_patient")


class RightsApp(SpaceApp, Protocol):
    rights: RightsState


def _box(key: str, controls: list[ft.Control | None], *, strong: bool = False) -> ft.Control:
    return ft.Container(
        key=key,
        border=ft.Border.all(2 if strong else 1, PRIMARY if strong else "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(column(*controls), spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
    )


def _research(ui: Ui, rights: RightsState) -> list[ft.Control | None]:
    """The setting, its information text, and every change of it (EHDS art. 71)."""
    allowed = not rights.opted_out
    disabled = rights.busy or rights.research is None

    async def flip(value: bool) -> None:
        if not disabled:
            await ui.run(rights, lambda: rights.set_research(not value))

    async def changed(e: ft.ControlEvent) -> None:
        await flip(bool(e.control.value))

    async def tapped(_: ft.ControlEvent) -> None:
        await flip(not allowed)

    label = ui.t("ui.rights.research.label")
    switch = ft.Semantics(
        key="research-sem",
        label=label,
        toggled=allowed,
        container=True,
        exclude_semantics=True,
        on_tap=tapped,
        content=ft.Container(
            key="research-tap",
            on_click=tapped,
            content=ft.Row(
                [
                    ft.Switch(key="research-control", value=allowed, disabled=disabled, on_change=changed),
                    ft.Text(label, size=18, weight=ft.FontWeight.W_600, expand=True),
                ],
                spacing=12,
            ),
        ),
    )
    lang, tz = ui.state.lang, ui.state.tz
    history = [
        ft.Text(
            ui.t(
                f"ui.rights.research.history.{'out' if c.opted_out else 'in'}",
                day=format_date(c.at, lang, tz),
            ),
            size=16,
            key=f"research-change-{n}",
        )
        for n, c in enumerate(rights.research.history if rights.research else [])
    ]
    return [
        subtitle(ui.t("ui.rights.research.title"), key="research-title"),
        _box(
            "research",
            [
                para(ui.t("ui.rights.research.what"), key="research-what"),
                para(ui.t("ui.rights.research.how"), key="research-how"),
                switch,
                ft.Text(
                    ui.t(f"ui.rights.research.state.{'in' if allowed else 'out'}"),
                    size=BODY_SIZE,
                    weight=ft.FontWeight.W_600,
                    color=PRIMARY if allowed else ERROR_FG,
                    key="research-state",
                ),
                *history,
            ],
            strong=True,
        ),
    ]


def _form(ui: Ui, rights: RightsState, kind: str, name: str, intro: str) -> ft.Control:
    """The correction's or the complaint's form: what it is about, the text, send and cancel."""
    form = rights.correction_form if kind == "correction" else rights.complaint_form
    assert form is not None

    async def send(_: ft.ControlEvent) -> None:
        await ui.run(rights, rights.send_correction if kind == "correction" else rights.send_complaint)

    def cancel(_: ft.ControlEvent) -> None:
        rights.correction_form, rights.complaint_form = (
            (None, rights.complaint_form) if kind == "correction" else (rights.correction_form, None)
        )
        ui.render()

    box = field(
        ui, form, name, ui.t(f"ui.rights.{kind}.field"), capitalization=ft.TextCapitalization.SENTENCES
    )
    if isinstance(box, ft.TextField):
        box.multiline, box.min_lines, box.max_lines = True, 3, 8
    return _box(
        f"{kind}-form",
        [
            subtitle(ui.t(f"ui.rights.{kind}.form.title"), key=f"{kind}-form-title"),
            para(intro, key=f"{kind}-form-intro"),
            banner(ui, form.banner, key=f"{kind}-form-banner"),
            box,
            primary_button(
                ui.t(f"ui.rights.{kind}.send"), f"{kind}-send", send, busy=rights.busy, icon=ft.Icons.SEND
            ),
            secondary_button(
                ui.t("ui.cancel"), f"{kind}-cancel", cancel, busy=rights.busy, icon=ft.Icons.CLOSE
            ),
        ],
        strong=True,
    )


def _card(ui: Ui, rights: RightsState) -> list[ft.Control | None]:
    """The vaccinations signed by the insurer as a SMART Health Card, with its QR code."""

    async def ask(_: ft.ControlEvent) -> None:
        await ui.run(rights, rights.load_card)

    card = rights.card
    shown: list[ft.Control | None] = []
    if card is not None:
        day = format_date(card.issued_at, ui.state.lang, ui.state.tz)
        words = ui.t("ui.rights.card.signed", day=day, count=card.vaccinations)
        shown = [
            ft.Container(
                key="card-qr-box",
                bgcolor=ft.Colors.WHITE,
                padding=8,
                content=ft.Semantics(
                    label=ui.t("ui.rights.card.qr", count=card.vaccinations),
                    key="card-qr-sem",
                    content=ft.Image(src=rights.card_png(), key="card-qr", width=320, fit=ft.BoxFit.CONTAIN),
                ),
            ),
            para(words, key="card-signed"),
            para(ui.t("ui.rights.card.check"), key="card-check"),
        ]
    return [
        subtitle(ui.t("ui.rights.card.title"), key="card-title"),
        para(ui.t("ui.rights.card.intro"), key="card-intro"),
        secondary_button(
            ui.t("ui.rights.card.button"), "card-get", ask, busy=rights.busy, icon=ft.Icons.QR_CODE_2
        ),
        *shown,
    ]


def _entry_words(data: dict[str, Any]) -> str:
    return ", ".join(f"{v}" for k, v in data.items() if k not in HIDDEN_KEYS and v not in ("", None))


def _previous(ui: Ui, request: HealthCorrectionOut) -> str:
    """What was there before an accepted correction: an entry's values, a document's title and day."""
    before = request.previous or {}
    if request.collection != "document":
        return ui.t("ui.rights.correction.previous", entry=_entry_words(before))
    day = format_date(f"{before.get('date', '')}T12:00:00", ui.state.lang)
    return ui.t("ui.rights.correction.previous_document", title=before.get("title", ""), day=day)


def _correction(ui: Ui, request: HealthCorrectionOut) -> ft.Control:
    key = f"correction-{request.id}"
    fg, bg = STATUS_COLOURS[request.status.value]
    lang, tz = ui.state.lang, ui.state.tz
    section = ui.t(f"ui.profile.section.{request.section}") if request.section else ""
    about = (
        ui.t("ui.rights.correction.about_document", title=request.title, name=request.author_name)
        if request.collection == "document"
        else ui.t("ui.rights.correction.about", section=section, name=request.author_name)
    )
    return _box(
        key,
        [
            ft.Text(
                about,
                size=18,
                weight=ft.FontWeight.W_600,
                key=f"{key}-about",
            ),
            ft.Text(
                ui.t("ui.rights.correction.asked", day=format_date(request.created_at, lang, tz)), size=16
            ),
            chip(ui.t(f"ui.rights.status.{request.status.value}"), fg, bg, f"{key}-status"),
            ft.Text(ui.t("ui.rights.correction.note", note=request.note), size=BODY_SIZE, key=f"{key}-note"),
            ft.Text(
                ui.t("ui.rights.correction.reason", reason=request.reason),
                size=BODY_SIZE,
                key=f"{key}-reason",
            )
            if request.reason
            else None,
            ft.Text(
                _previous(ui, request),
                size=16,
                italic=True,
                key=f"{key}-previous",
            )
            if request.previous
            else None,
        ],
    )


def _complaint(ui: Ui, complaint: ComplaintOut) -> ft.Control:
    key = f"complaint-{complaint.id}"
    day = format_date(complaint.created_at, ui.state.lang, ui.state.tz)
    return _box(
        key,
        [
            ft.Text(
                ui.t("ui.rights.complaint.sent_on", day=day, authority=complaint.authority),
                size=16,
                weight=ft.FontWeight.W_600,
                key=f"{key}-when",
            ),
            ft.Text(ui.t("ui.rights.complaint.about", seq=complaint.access_seq), size=16)
            if complaint.access_seq
            else None,
            ft.Text(complaint.text, size=BODY_SIZE, key=f"{key}-text"),
        ],
    )


def build(ui: Ui) -> list[ft.Control]:
    rights = cast(RightsApp, ui.state).rights
    if not rights.loaded and not rights.offline and rights.banner is None:
        load_in_background(ui, rights, rights.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(rights, rights.load)

    def complain(_: ft.ControlEvent) -> None:
        rights.start_complaint()
        ui.render()

    correction_form = rights.correction_form
    complaint_form = rights.complaint_form
    about = (
        ui.t("ui.rights.complaint.form.about", seq=complaint_form.access_seq)
        if complaint_form is not None and complaint_form.access_seq
        else ui.t("ui.rights.complaint.form.intro")
    )
    return column(
        title(ui.t("ui.rights.title")),
        para(ui.t("ui.rights.intro"), key="rights-intro"),
        status_line(ui, rights, "rights"),
        problem(ui, rights, retry, "rights"),
        _form(
            ui,
            rights,
            "correction",
            "note",
            ui.t("ui.rights.correction.form.intro", entry=correction_form.label),
        )
        if correction_form is not None
        else None,
        _form(ui, rights, "complaint", "text", about) if complaint_form is not None else None,
        *_research(ui, rights),
        *_card(ui, rights),
        subtitle(ui.t("ui.rights.corrections.title"), key="corrections-title"),
        para(ui.t("ui.rights.corrections.intro"), key="corrections-intro"),
        *[_correction(ui, r) for r in rights.corrections],
        para(ui.t("ui.rights.corrections.none"), key="corrections-none") if not rights.corrections else None,
        subtitle(ui.t("ui.rights.complaints.title"), key="complaints-title"),
        para(ui.t("ui.rights.complaints.intro"), key="complaints-intro"),
        small_button(ui.t("ui.rights.complaint.start"), "complaint-start", complain, icon=ft.Icons.GAVEL)
        if complaint_form is None
        else None,
        *[_complaint(ui, c) for c in rights.complaints],
        ft.Container(height=12, key="rights-bottom"),
    )
