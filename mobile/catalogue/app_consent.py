"""The consent screen of an app asking to connect: who it is, what it would do in plain words,
for how long, on whose space; then "Autoriser" or "Refuser" sends the person back to the app."""

from typing import cast

import flet as ft

from mobile.catalogue.catalogue import CatalogueApp, scope_lines, state_of
from mobile.catalogue.state import CatalogueState
from mobile.shell.panels import load_in_background, problem, status_line
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    PRIMARY,
    Ui,
    column,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
)
from sync.protocol.apps import durations


async def _open(ui: Ui, url: str) -> None:
    """Back to the connecting app (a new tab in web mode; its own loopback page on a computer)."""
    await ft.UrlLauncher().launch_url(url)


def _radio_group(
    label: str, value: str, choices: list[tuple[str, str]], on_change: object, key: str
) -> ft.Control:
    """A labelled choice; each option a 48 px high radio button with its words."""
    return ft.Semantics(
        label=label,
        key=f"{key}-sem",
        content=ft.RadioGroup(
            key=key,
            value=value,
            on_change=on_change,
            content=ft.Column(
                [
                    ft.Container(
                        ft.Radio(value=code, label=words, label_style=ft.TextStyle(size=17)),
                        height=48,
                        key=f"{key}-{code or 'self'}",
                    )
                    for code, words in choices
                ],
                spacing=0,
                key=f"{key}-options",
            ),
        ),
    )


def _decided(ui: Ui, cat: CatalogueState) -> list[ft.Control]:
    """After the answer: go back to the app (opened already; the button if it did not open)."""

    async def back_to_app(_: ft.ControlEvent) -> None:
        if cat.redirect_url:
            await _open(ui, cat.redirect_url)

    def my_apps(_: ft.ControlEvent) -> None:
        ui.state.go(Screen.CATALOGUE)
        ui.render()

    name = cat.consent.app.name if cat.consent else ""
    return [
        primary_button(
            ui.t("ui.catalogue.consent.back_to_app", name=name),
            "consent-back",
            back_to_app,
            icon=ft.Icons.OPEN_IN_NEW,
        ),
        secondary_button(
            ui.t("ui.catalogue.consent.my_apps"), "consent-my-apps", my_apps, icon=ft.Icons.APPS
        ),
    ]


def build(ui: Ui) -> list[ft.Control]:
    cat = state_of(ui)
    lang = ui.state.lang
    if cat.consent_id and not cat.loaded and not cat.offline and cat.banner is None and not cat.decided:
        load_in_background(ui, cat, cat.load_consent)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(cat, cat.load_consent)

    async def answer(approve: bool) -> None:
        ok = await ui.run(cat, cat.approve if approve else cat.refuse)
        if ok and cat.redirect_url:
            await _open(ui, cat.redirect_url)

    async def approve(_: ft.ControlEvent) -> None:
        await answer(True)

    async def refuse(_: ft.ControlEvent) -> None:
        await answer(False)

    def duration_changed(e: ft.ControlEvent) -> None:
        cat.set_duration(e.control.value or "")
        ui.render()

    def subject_changed(e: ft.ControlEvent) -> None:
        cat.set_subject(e.control.value or "")
        ui.render()

    def home(_: ft.ControlEvent) -> None:
        ui.state.go(Screen.HOME)
        ui.render()

    body: list[ft.Control | None] = []
    consent = cat.consent
    if cat.decided:
        body += _decided(ui, cat)
    elif consent is not None:
        app = consent.app
        me = ui.state.me
        own = ui.t("ui.catalogue.consent.subject.self", name=f"{me.first_name} {me.last_name}" if me else "")
        body += [
            ft.Container(
                key="consent-app",
                bgcolor="#EEF3FA",
                border_radius=12,
                padding=14,
                content=ft.Column(
                    [
                        ft.Text(
                            app.name, size=22, weight=ft.FontWeight.BOLD, color=PRIMARY, key="consent-name"
                        ),
                        ft.Text(
                            ui.t(
                                "ui.catalogue.app.by",
                                publisher=app.publisher,
                                category=cat.category_label(app.category, lang),
                            ),
                            size=16,
                            key="consent-publisher",
                        ),
                        para(cat.description(app, lang), key="consent-description"),
                    ],
                    spacing=6,
                    key="consent-app-body",
                ),
            ),
            subtitle(ui.t("ui.catalogue.consent.asks", name=app.name), key="consent-asks"),
            scope_lines(ui, cat, consent.scopes, "consent-scopes"),
            subtitle(ui.t("ui.catalogue.consent.subject"), key="consent-subject-title"),
            _radio_group(
                ui.t("ui.catalogue.consent.subject"),
                cat.subject_id,
                [("", own)],  # a parent will also find each child here once children's spaces exist
                subject_changed,
                "consent-subject",
            ),
            subtitle(ui.t("ui.catalogue.consent.duration"), key="consent-duration-title"),
            _radio_group(
                ui.t("ui.catalogue.consent.duration"),
                cat.duration,
                [(code, cat.duration_label(code, lang)) for code in durations()],
                duration_changed,
                "consent-duration",
            ),
            para(ui.t("ui.catalogue.consent.revocable"), key="consent-revocable"),
            primary_button(
                ui.t("ui.catalogue.consent.approve"),
                "consent-approve",
                approve,
                busy=cat.busy,
                icon=ft.Icons.CHECK,
            ),
            secondary_button(
                ui.t("ui.catalogue.consent.refuse"),
                "consent-refuse",
                refuse,
                busy=cat.busy,
                icon=ft.Icons.CLOSE,
            ),
        ]
    elif cat.consent_id is None or (cat.banner is not None and not cat.offline):
        body.append(
            secondary_button(ui.t("ui.catalogue.consent.home"), "consent-home", home, icon=ft.Icons.HOME)
        )
    return column(
        title(ui.t("ui.catalogue.consent.title")),
        status_line(ui, cat, "consent"),
        problem(ui, cat, retry, "consent"),
        *body,
        ft.Container(height=12, key="consent-end"),
    )


def route_changed(ui: Ui, route: str) -> bool:
    """The tab was sent here again (Flet keeps the session across a reload): a consent request
    in the new address is kept, and shown at once when the holder is signed in. False when the
    address holds no consent request (another screen's address)."""
    state = cast(CatalogueApp, ui.state)
    if not state.catalogue.keep_request(route):
        return False
    if state.me is not None and state.vault.unlocked:
        state.go(Screen.HOME)  # the waiting request turns home into the consent screen
    ui.render()
    return True
