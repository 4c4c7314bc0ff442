"""Shows the screen named by `AppState.screen`, with the app bar (way back, language switch, the
bell) and, above the screen, the band of the space shown and the sync bar.

Each screen has an address (`/documents`, `/agenda`...): the router pushes it to the browser when
the screen changes, so the browser's back and forward buttons and a bookmarked or shared address
open the screen again (`follow`). Only the screens of `Screens.routes` are opened from an address,
and only as the state allows (`AppState.can_open`): a signed-out person is asked to sign in first,
then taken there.

The router knows no feature: the composition root (`mobile/main.py`) hands it `Screens`, each
screen's builder and what is drawn around every screen.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import flet as ft

from mobile.shell import sync_bar
from mobile.shell.state import AppState, Screen
from mobile.shell.widgets import PRIMARY, Ui, icon_action, is_wide

__all__ = ["Builder", "Part", "Router", "Screens"]

LOCALES = {"fr": ft.Locale("fr", "FR"), "en": ft.Locale("en", "GB")}
Builder = Callable[[Ui], list[ft.Control]]  # a screen: its controls, from the state
Part = Callable[[Ui], ft.Control | None]  # drawn around every screen, or nothing


@dataclass(frozen=True)
class Screens:
    """What the router draws: each screen's builder, the screens reached from a choice (they get an
    arrow back in the app bar), the band above every screen and the bell in the app bar."""

    builders: Mapping[Screen, Builder]
    with_back: frozenset[Screen]
    band: Part
    bell: Part
    routes: frozenset[Screen] = frozenset()  # the screens an address opens (no choice needed first)
    nav: Part = lambda _ui: None  # beside every screen on a wide screen (the sections), or nothing


def route_of(screen: Screen) -> str:
    return "/" if screen == Screen.WELCOME else f"/{screen.value}"


def screen_of(route: str) -> Screen | None:
    path = route.split("?", 1)[0].strip("/")
    try:
        return Screen(path) if path else Screen.WELCOME
    except ValueError:
        return None


class Router:
    """Rebuilds the page from the state after every change; typed values live in the state."""

    def __init__(self, page: ft.Page, state: AppState, screens: Screens) -> None:
        self.page = page
        self.state = state
        self.screens = screens
        self.ui = Ui(page, state, self.render)
        self.wanted: Screen | None = None  # an address opened before signing in: shown after
        self._pushed: list[str] = []  # addresses pushed by the router, whose change event is its own
        self._route = page.route.split("?", 1)[0]  # the browser's address, as last pushed or followed
        self._wide = self.is_wide()
        page.on_resize = self._resized

    def is_wide(self) -> bool:
        return is_wide(self.page)

    def _resized(self, _: ft.PageResizeEvent) -> None:
        if self.is_wide() != self._wide:
            self._wide = self.is_wide()
            self.render()

    def follow(self, route: str) -> None:
        """The browser went to `route` (back, forward, an address typed or shared): show its screen
        when it may be opened now, keep it for after the sign-in otherwise."""
        if route in self._pushed:  # the echo of a screen already shown (the state may have moved on)
            self._pushed.remove(route)
            return
        self._route = route.split("?", 1)[0]
        screen = screen_of(route)
        state = self.state
        if screen is not None and screen != state.screen and screen in self.screens.routes | {Screen.WELCOME}:
            if state.can_open(screen):
                state.go(screen)
            elif state.me is None:
                self.wanted = screen
        self.render()

    def render(self) -> None:
        state, page = self.state, self.page
        if self.wanted is not None and state.screen == Screen.HOME and state.can_open(self.wanted):
            state.go(self.wanted)  # signed in now: the address opened before
            self.wanted = None
        page.title = self.ui.t("ui.app.title")
        # Flutter's own words (a dialog's "Alert", a field's characters left) follow the app's language.
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=list(LOCALES.values()), current_locale=LOCALES[state.lang]
        )
        page.appbar = self._appbar()
        content = self.screens.builders[state.screen](self.ui)
        bar = sync_bar.build(self.ui) if hasattr(state, "sync_bar") else None  # once the vault is open
        content = [bar, *content] if bar is not None else content
        band = self.screens.band(self.ui)  # in a child's space
        content = [band, *content] if band is not None else content
        nav = self.screens.nav(self.ui)
        wide = self._wide and nav is not None and state.screen != Screen.HOME
        # Each screen scrolls in its own scrollable (keyed by the screen): a new screen opens at its
        # top, and the screen reader's layer starts where the drawing does (one page-wide scroll kept
        # the last screen's offset in its semantics, over the wrong controls).
        screen = ft.Column(
            [
                ft.ResponsiveRow(
                    [
                        ft.Column(
                            content,
                            key=f"screen-{state.screen.value}",
                            col={"xs": 12, "sm": 10, "md": 8, "lg": 6, "xl": 5}
                            if not wide
                            else {"xs": 12, "xl": 9},
                            spacing=16,
                            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                        )
                    ],
                    alignment=ft.MainAxisAlignment.CENTER,
                    key="layout",
                )
            ],
            key=f"scroll-{state.screen.value}",
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )
        if wide and nav is not None:  # two panes: the sections, and the screen
            pane = ft.Container(ft.Column([nav], scroll=ft.ScrollMode.AUTO), width=320, key="nav-pane")
            screen = ft.Row(
                [pane, ft.VerticalDivider(width=1), screen],
                expand=True,
                vertical_alignment=ft.CrossAxisAlignment.START,
                key="two-panes",
            )
        page.controls = [screen]
        page.update()
        route = route_of(state.screen)
        if self._route != route and (state.screen in self.screens.routes or route == "/"):
            self._route = route
            self._pushed.append(route)
            page.run_task(page.push_route, route)  # the browser's history: back and forward work

    def _appbar(self) -> ft.AppBar:
        state = self.state

        def back(_: ft.ControlEvent) -> None:
            state.back()
            self.render()

        def switch_language(_: ft.ControlEvent) -> None:
            state.toggle_language()
            self.render()

        leading = None
        if state.screen in self.screens.with_back:
            leading = icon_action(
                self.ui.t("ui.back"), ft.Icons.ARROW_BACK, back, key="back", color=ft.Colors.WHITE
            )
        return ft.AppBar(
            leading=leading,
            automatically_imply_leading=False,
            title=ft.Text(
                self.ui.t("ui.app.title"), size=20, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE
            ),
            bgcolor=PRIMARY,
            actions=[
                *([bell] if (bell := self.screens.bell(self.ui)) is not None else []),
                ft.TextButton(
                    content=self.ui.t("ui.lang.switch"),
                    key="lang",
                    icon=ft.Icons.TRANSLATE,
                    on_click=switch_language,
                    style=ft.ButtonStyle(
                        color=ft.Colors.WHITE,
                        icon_color=ft.Colors.WHITE,
                        text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600),
                    ),
                    height=48,
                ),
            ],
        )
