"""The emergency card: what a rescuer needs at a glance. Unlocked, the holder reads it, learns
what turning it on means, and turns it on or off; from the unlock screen (when it is on) anyone
holding the phone reads it without the unlock code, and can only go back."""

from typing import Any, cast

import flet as ft

from mobile.profile.profile import ProfileApp
from mobile.profile.wishes import attending_words
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
    Ui,
    banner,
    column,
    notice,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
)


def _block(ui: Ui, key: str, heading: str, lines: list[str]) -> ft.Control:
    """One part of the card: a heading, then one line per item, or "none given"."""
    shown = lines or [ui.t("ui.profile.card.none")]
    return ft.Column(
        [
            ft.Text(heading, size=19, weight=ft.FontWeight.BOLD, color=PRIMARY, key=f"card-{key}-title"),
            *(ft.Text(line, size=BODY_SIZE, key=f"card-{key}-{i}") for i, line in enumerate(shown)),
        ],
        spacing=4,
        key=f"card-{key}",
    )


def _allergy(ui: Ui, allergy: dict[str, Any]) -> str:
    """'Pénicilline (grave) — urticaire': the severity in words, then the reaction."""
    words = str(allergy.get("substance", ""))
    if allergy.get("severity"):
        severity = ui.t(f"ui.profile.choice.severity.{allergy['severity']}")
        words = ui.t("ui.profile.card.with_severity", what=words, severity=severity)
    return words + (f" — {allergy['reaction']}" if allergy.get("reaction") else "")


def card_panel(ui: Ui, card: dict[str, Any]) -> ft.Control:
    """The card itself, framed in red like the emergency cards people carry."""
    allergies = [_allergy(ui, a) for a in card.get("allergies", [])]
    treatments = [
        t["name"] + (f" — {t['dose']}" if t.get("dose") else "") for t in card.get("treatments", [])
    ]
    contacts = [
        ui.t(
            "ui.profile.card.contact",
            name=c.get("name", ""),
            relation=ui.t("ui.profile.card.trusted")
            if c.get("relation") == "trusted"
            else c.get("relation", ""),
            phone=c.get("phone", ""),
        )
        for c in card.get("contacts", [])
    ]
    donation = ui.t(f"ui.profile.choice.donation.{card.get('donation') or 'unset'}")
    attending = [str(card["attending"])] if card.get("attending") else []
    return ft.Container(
        key="card-panel",
        border=ft.Border.all(3, ERROR_FG),
        border_radius=14,
        padding=16,
        content=ft.Column(
            [
                ft.Row(
                    [
                        ft.Icon(ft.Icons.EMERGENCY, color=ERROR_FG, size=32),
                        ft.Text(
                            ui.t("ui.profile.card.of", name=card.get("holder", "")),
                            size=21,
                            weight=ft.FontWeight.BOLD,
                            color=ERROR_FG,
                            expand=True,
                        ),
                    ],
                    key="card-head",
                ),
                _block(ui, "allergies", ui.t("ui.profile.card.allergies"), allergies),
                _block(ui, "treatments", ui.t("ui.profile.card.treatments"), treatments),
                _block(ui, "illnesses", ui.t("ui.profile.card.illnesses"), list(card.get("illnesses", []))),
                _block(ui, "contacts", ui.t("ui.profile.card.contacts"), contacts),
                _block(ui, "donation", ui.t("ui.profile.card.donation"), [donation]),
                _block(ui, "attending", ui.t("ui.profile.card.attending"), attending),
            ],
            spacing=14,
            key="card-body",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    state = cast(ProfileApp, ui.state)
    profile = state.profile
    if not state.vault.unlocked:  # opened from the unlock screen: read only, then back
        card = profile.locked_card

        def back(_: ft.ControlEvent) -> None:
            profile.locked_card = None
            state.back()
            ui.render()

        return column(
            title(ui.t("ui.profile.tile.card")),
            para(ui.t("ui.profile.card.locked_intro"), key="card-locked-intro"),
            card_panel(ui, card)
            if card
            else para(ui.t("ui.profile.card.unavailable"), key="card-unavailable"),
            secondary_button(ui.t("ui.profile.card.back_unlock"), "card-back", back, icon=ft.Icons.LOCK),
        )

    attending_words(ui)  # keeps the card's attending physician up to date
    on = profile.card_enabled()

    def turn_on(_: ft.ControlEvent) -> None:
        profile.enable_card()
        ui.render()

    def turn_off(_: ft.ControlEvent) -> None:
        profile.disable_card()
        ui.render()

    return column(
        title(ui.t("ui.profile.tile.card")),
        para(ui.t("ui.profile.card.intro"), key="card-intro"),
        para(ui.t("ui.profile.card.how"), key="card-how"),
        notice(ui.t(profile.notice), key="card-notice") if profile.notice else None,
        banner(ui, profile.banner, key="card-banner"),
        ft.Text(
            ui.t("ui.profile.card.state.on" if on else "ui.profile.card.state.off"),
            size=18,
            weight=ft.FontWeight.W_600,
            color=PRIMARY if on else ERROR_FG,
            key="card-state",
        ),
        secondary_button(ui.t("ui.profile.card.turn_off"), "card-off", turn_off, icon=ft.Icons.TOGGLE_OFF)
        if on
        else primary_button(ui.t("ui.profile.card.turn_on"), "card-on", turn_on, icon=ft.Icons.TOGGLE_ON),
        subtitle(ui.t("ui.profile.card.preview"), key="card-preview"),
        card_panel(ui, profile.card()),
    )
