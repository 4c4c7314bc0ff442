"""Home: greeting and the sections of the space, as large tappable tiles; on a wide screen the
same sections stay listed beside every screen (`nav`)."""

import flet as ft

from mobile.shell.panels import confirm_dialog
from mobile.shell.state import SECTIONS, Screen
from mobile.shell.widgets import BODY_SIZE, PRIMARY, Ui, banner, column, para, secondary_button, title
from sync.protocol.helpers_schemas import helper_sections

ICONS = {
    "documents": ft.Icons.FOLDER_SHARED,
    "profile": ft.Icons.MEDICAL_INFORMATION,
    "messages": ft.Icons.MAIL,
    "agenda": ft.Icons.CALENDAR_MONTH,
    "children": ft.Icons.FAMILY_RESTROOM,
    "helpers": ft.Icons.VOLUNTEER_ACTIVISM,
    "professionals": ft.Icons.MEDICAL_SERVICES,
    "access_log": ft.Icons.HISTORY,
    "catalogue": ft.Icons.APPS,
    "settings": ft.Icons.SETTINGS,
}


def unread_messages(ui: Ui, name: str) -> str:
    """' · 2 non lu(s)' on the messages tile when the vault holds unread messages."""
    messages = getattr(ui.state, "messages", None)
    count = messages.unread_total() if name == "messages" and messages is not None else 0
    return " · " + ui.t("ui.messages.unread", count=count) if count else ""


def shown_sections(state: object) -> list[str]:
    """The sections of the space shown: in a helped person's space, only those a helper can use."""
    helpers = getattr(state, "helpers", None)
    helped = helpers.current() if helpers is not None else None
    return [name for name in SECTIONS if helped is None or name in helper_sections(helped)]


def build(ui: Ui) -> list[ft.Control]:
    state = ui.state
    me = state.me

    def open_section(name: str):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            state.open_section(name)
            ui.render()

        return handler

    async def sign_out() -> None:
        await ui.run(state, state.logout)

    async def logout(_: ft.ControlEvent) -> None:
        unsent = await ui.run(state, state.unsent_changes)  # one more try to send them first
        if not unsent:
            await sign_out()
            return
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key="logout-unsent",
                title=ui.t("ui.logout.unsent.title"),
                text=ui.t("ui.logout.unsent.text", count=unsent),
                confirm=ui.t("ui.logout.anyway"),
                on_confirm=sign_out,
                danger=True,
            )
        )

    def lock(_: ft.ControlEvent) -> None:
        state.lock()
        ui.render()

    child = state.family.current() if hasattr(state, "family") else None  # a child's space shown
    helped = state.helpers.current() if hasattr(state, "helpers") else None  # someone one helps
    greeting = (
        ui.t("ui.family.home", first_name=child.first_name)
        if child is not None
        else ui.t("ui.family.home", first_name=helped.helped.first_name)
        if helped is not None
        else ui.t("ui.home.hello", first_name=me.first_name if me else "")
    )
    tiles = [
        ft.Container(
            key=f"section-{name}",
            border=ft.Border.all(1, "#C5CED9"),
            border_radius=12,
            content=ft.ListTile(
                leading=ft.Icon(ICONS[name], color=PRIMARY, size=32),
                title=ft.Text(ui.t(f"ui.section.{name}"), size=19, weight=ft.FontWeight.W_600),
                subtitle=ft.Text(
                    ui.t(f"ui.section.{name}.hint") + unread_messages(ui, name),
                    size=15,
                ),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                min_height=64,
                on_click=open_section(name),
            ),
        )
        for name in shown_sections(state)
    ]
    return column(
        title(greeting, key="hello"),
        banner(ui, state.banner),
        para(ui.t("ui.home.intro")),
        *tiles,
        ft.Container(height=8),
        para(ui.t("ui.home.leave")),
        secondary_button(ui.t("ui.lock"), "lock", lock, busy=state.busy, icon=ft.Icons.LOCK),
        secondary_button(ui.t("ui.logout"), "logout", logout, busy=state.busy, icon=ft.Icons.LOGOUT),
        ft.Text("", size=BODY_SIZE),
    )


def nav(ui: Ui) -> ft.Control | None:
    """The sections as a list beside the screen on a wide screen, the one shown marked (by its
    selected state for screen readers, not by colour alone); None before signing in."""
    state = ui.state
    if state.me is None:
        return None

    def open_section(name: str):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            state.open_section(name)
            ui.render()

        return handler

    def go_home(_: ft.ControlEvent) -> None:
        state.go(Screen.HOME)
        ui.render()

    rows = [
        ft.ListTile(
            key="nav-home",
            leading=ft.Icon(ft.Icons.HOME, color=PRIMARY),
            title=ft.Text(ui.t("ui.nav.home"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
            selected=state.screen == Screen.HOME,
            on_click=go_home,
        ),
        *(
            ft.ListTile(
                key=f"nav-{name}",
                leading=ft.Icon(ICONS[name], color=PRIMARY),
                title=ft.Text(ui.t(f"ui.section.{name}"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
                selected=state.screen == screen,
                selected_tile_color="#E8F0FB",
                on_click=open_section(name),
            )
            for name in shown_sections(state)
            for screen in [SECTIONS[name]]
        ),
    ]
    return ft.Semantics(
        label=ui.t("ui.nav.label"),
        container=True,
        content=ft.Column(rows, spacing=2, key="nav"),
    )
