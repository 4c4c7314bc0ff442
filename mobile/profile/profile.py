"""The medical profile's hub: one large tile per part (measurements, the six lists, blood group,
hospital stays, disabilities, the lifestyle habits, emergency and wishes, the emergency card,
administrative data, reimbursements), each saying what it holds."""

from collections.abc import Callable
from typing import Protocol, cast

import flet as ft

from mobile.profile.state import ProfileState
from mobile.shell.core import SpaceApp
from mobile.shell.state import Screen
from mobile.shell.widgets import PRIMARY, Ui, column, para, subtitle, title
from sync.protocol.profile import LIFESTYLE_SECTIONS, LIST_SECTIONS, RECORD_SECTIONS
from sync.protocol.record_schemas import GrantOut


class Attending(Protocol):
    """Who the attending physician is, as "Mes professionnels de santé" knows it (asked to the
    server; the composition root hands over that feature's state)."""

    busy: bool
    offline: bool
    loaded: bool

    def load(self) -> bool: ...

    def attending(self) -> GrantOut | None: ...

    def name_of(self, professional_id: str) -> str: ...


class ProfileApp(SpaceApp, Protocol):
    """What the profile's screens use of the app state (the composition root builds it)."""

    profile: ProfileState
    professionals: Attending

    def open_document(self, record_id: str) -> None: ...

    def ask_correction(self, record_id: str, label: str) -> None: ...


ICONS: dict[str, ft.IconData] = {
    "measurements": ft.Icons.MONITOR_HEART,
    "illness": ft.Icons.SICK,
    "treatment": ft.Icons.MEDICATION,
    "allergy": ft.Icons.WARNING_AMBER,
    "vaccination": ft.Icons.VACCINES,
    "family_history": ft.Icons.FAMILY_RESTROOM,
    "note": ft.Icons.STICKY_NOTE_2,
    "blood_group": ft.Icons.BLOODTYPE,
    "hospital_stay": ft.Icons.LOCAL_HOSPITAL,
    "disability": ft.Icons.ACCESSIBLE,
    "tobacco": ft.Icons.SMOKING_ROOMS,
    "alcohol": ft.Icons.LOCAL_BAR,
    "physical_activity": ft.Icons.DIRECTIONS_RUN,
    "diet": ft.Icons.RESTAURANT,
    "sleep": ft.Icons.BEDTIME,
    "wishes": ft.Icons.VOLUNTEER_ACTIVISM,
    "card": ft.Icons.EMERGENCY,
    "admin": ft.Icons.BADGE,
    "reimbursements": ft.Icons.EURO,
    "history": ft.Icons.TIMELINE,
}


def tile(name: str, label: str, hint: str, on_click: Callable[[ft.ControlEvent], None]) -> ft.Control:
    """A large tappable line: icon, what it is, what it holds (the whole line is the button)."""
    return ft.Container(
        key=f"profile-{name}",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        content=ft.ListTile(
            leading=ft.Icon(ICONS[name], color=PRIMARY, size=32),
            title=ft.Text(label, size=19, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(hint, size=15),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            min_height=64,
            on_click=on_click,
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    state = cast(ProfileApp, ui.state)
    profile = state.profile
    counts = profile.counts()

    def go(screen: Screen) -> Callable[[ft.ControlEvent], None]:
        def handler(_: ft.ControlEvent) -> None:
            profile.banner, profile.notice = None, ""
            profile.attending_wanted = screen == Screen.EMERGENCY_CARD
            state.go(screen)
            ui.render()

        return handler

    def open_list(section: str) -> Callable[[ft.ControlEvent], None]:
        def handler(_: ft.ControlEvent) -> None:
            profile.open_list(section)
            state.go(Screen.PROFILE_LIST)
            ui.render()

        return handler

    def open_wishes(_: ft.ControlEvent) -> None:
        profile.open_wishes()
        state.go(Screen.WISHES)
        ui.render()

    def tiles(sections: tuple[str, ...]) -> list[ft.Control]:
        return [
            tile(
                section,
                ui.t(f"ui.profile.section.{section}"),
                ui.t("ui.profile.count", count=counts[section])
                if counts.get(section)
                else ui.t("ui.profile.count.none"),
                open_list(section),
            )
            for section in sections
        ]

    card = "ui.profile.tile.card.on" if profile.card_enabled() else "ui.profile.tile.card.off"
    return column(
        title(ui.t("ui.profile.title")),
        para(ui.t("ui.profile.intro"), key="profile-intro"),
        tile(
            "measurements",
            ui.t("ui.profile.tile.measurements"),
            ui.t("ui.profile.tile.measurements.hint"),
            go(Screen.MEASUREMENTS),
        ),
        tile(
            "history",
            ui.t("ui.profile.tile.history"),
            ui.t("ui.profile.tile.history.hint"),
            go(Screen.HEALTH_HISTORY),
        ),
        *tiles(LIST_SECTIONS + RECORD_SECTIONS),
        subtitle(ui.t("ui.profile.section.lifestyle"), key="profile-lifestyle"),
        *tiles(LIFESTYLE_SECTIONS),
        tile("wishes", ui.t("ui.profile.tile.wishes"), ui.t("ui.profile.tile.wishes.hint"), open_wishes),
        tile("card", ui.t("ui.profile.tile.card"), ui.t(card), go(Screen.EMERGENCY_CARD)),
        tile(
            "admin", ui.t("ui.profile.tile.admin"), ui.t("ui.profile.tile.admin.hint"), go(Screen.ADMIN_DATA)
        ),
        tile(
            "reimbursements",
            ui.t("ui.profile.tile.reimbursements"),
            ui.t("ui.profile.tile.reimbursements.hint"),
            go(Screen.REIMBURSEMENTS),
        ),
    )
