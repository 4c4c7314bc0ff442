"""Building blocks every screen uses: big buttons, labelled fields, error banners, layout.

Sizes follow accessibility guidance: text of 16 px or more, touch targets at least 48 px high,
every control labelled in the person's language (the same labels drive the browser tests).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import flet as ft

from mobile.shell.state import AppState, Form
from mobile.shell.words import error_text, text
from sync.errors import SyncError

T = TypeVar("T")

BODY_SIZE = 17
TITLE_SIZE = 26
BUTTON_HEIGHT = 56
PRIMARY = "#0B4F9C"  # dark blue: 8:1 contrast on white
ERROR_FG = "#8C1D18"
ERROR_BG = "#FDECEA"
INFO_FG = "#0B4A2E"
INFO_BG = "#E6F4EA"
WIDE = 1000  # logical pixels from which the sections stay beside the screen


class Busy(Protocol):
    busy: bool


class Ui:
    """What every view gets: the state, the words, and the ways to redraw and to call `sync`."""

    def __init__(self, page: ft.Page, state: AppState, render: Callable[[], None]) -> None:
        self.page = page
        self.state = state
        self.render = render
        self._speaker: ft.SemanticsService | None = None

    def t(self, key: str, **params: Any) -> str:
        return text(key, self.state.lang, **params)

    def err(self, err: SyncError | None) -> str | None:
        return error_text(err, self.state.lang, self.state.tz) if err is not None else None

    async def announce(self, words: str | None) -> None:
        """Say `words` to a screen reader now (an outcome drawn where the person acted): the web
        and iOS say nothing of a live region that appears; Android reads the region itself."""
        if not words:
            return
        if self._speaker is None:
            self._speaker = ft.SemanticsService()  # one per page: a service stays registered
        await self._speaker.announce_message(words)

    async def run(self, holder: Busy, action: Callable[[], T]) -> T | None:
        """Run a call to the server off the UI loop; the form shows progress meanwhile.

        A second tap while a call runs is ignored, so nobody submits twice.
        """
        if holder.busy:
            return None
        holder.busy = True
        self.render()
        try:
            return await asyncio.to_thread(action)
        finally:
            holder.busy = False
            self.render()


def is_wide(page: ft.Page) -> bool:
    """A desktop window or a tablet held wide: room for the sections beside the screen."""
    return (getattr(page, "width", None) or 0) >= WIDE


def title(value: str, key: str = "title") -> ft.Control:
    """The screen's title: the heading a screen reader jumps to first."""
    return ft.Semantics(
        header=True,
        heading_level=1,
        content=ft.Text(value, key=key, size=TITLE_SIZE, weight=ft.FontWeight.BOLD, color=PRIMARY),
    )


def icon_action(
    label: str,
    icon: ft.IconData,
    on_click: Any,
    *,
    key: str,
    color: str | None = None,
    badge: ft.Badge | None = None,
) -> ft.Control:
    """A button drawn as an icon alone (back arrow, bell). Its name is the icon's semantic label,
    which the button takes as its own: a tooltip is not read out on the web, and a named wrapper
    would leave the focusable button inside it unnamed."""
    return ft.IconButton(
        key=key,
        icon=ft.Icon(icon, semantics_label=label, color=color, size=28),
        tooltip=label,
        on_click=on_click,
        width=52,
        height=52,
        badge=badge,
    )


def subtitle(value: str, key: str | None = None) -> ft.Control:
    return ft.Text(value, key=key, size=20, weight=ft.FontWeight.W_600)


def para(value: str, key: str | None = None) -> ft.Control:
    return ft.Text(value, key=key, size=BODY_SIZE)


def _button_style(filled: bool) -> ft.ButtonStyle:
    return ft.ButtonStyle(
        text_style=ft.TextStyle(size=18, weight=ft.FontWeight.W_600),
        padding=ft.Padding.symmetric(horizontal=20, vertical=12),
        shape=ft.RoundedRectangleBorder(radius=12),
        bgcolor=PRIMARY if filled else None,
        color=ft.Colors.WHITE if filled else PRIMARY,
        side=None if filled else ft.BorderSide(2, PRIMARY),
    )


def primary_button(
    label: str, key: str, on_click: Any, *, busy: bool = False, icon: ft.IconData | None = None
) -> ft.Control:
    """The main action of a screen; disabled while its call runs."""
    return ft.FilledButton(
        content=label,
        key=key,
        icon=icon,
        on_click=on_click,
        disabled=busy,
        height=BUTTON_HEIGHT,
        style=_button_style(not busy),
    )


def secondary_button(
    label: str, key: str, on_click: Any, *, busy: bool = False, icon: ft.IconData | None = None
) -> ft.Control:
    return ft.OutlinedButton(
        content=label,
        key=key,
        icon=icon,
        on_click=on_click,
        disabled=busy,
        height=BUTTON_HEIGHT,
        style=_button_style(False),
    )


def text_button(label: str, key: str, on_click: Any) -> ft.Control:
    """A plain way out under a form ("Mot de passe oublié ?"): words only, 48 px high."""
    return ft.TextButton(
        content=label,
        key=key,
        on_click=on_click,
        height=48,
        style=ft.ButtonStyle(text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600)),
    )


def radio_group(key: str, value: str, options: list[tuple[str, str]], on_change: Any) -> ft.Control:
    """One choice among a few (value, words), each a 48 px row a finger or a screen reader finds."""
    return ft.RadioGroup(
        key=key,
        value=value,
        on_change=on_change,
        content=ft.Column(
            [
                ft.Radio(
                    value=v,
                    label=words,
                    label_style=ft.TextStyle(size=BODY_SIZE),
                    key=f"{key}-{v}",
                    height=48,
                )
                for v, words in options
            ],
            spacing=0,
            key=f"{key}-list",
        ),
    )


def field(
    ui: Ui,
    form: Form,
    name: str,
    label: str,
    *,
    helper: str | None = None,
    password: bool = False,
    keyboard: ft.KeyboardType = ft.KeyboardType.TEXT,
    live: bool = False,
    rerender: Callable[[], None] | None = None,
    on_submit: Any = None,
    capitalization: ft.TextCapitalization | None = None,
) -> ft.Control:
    """A labelled text field bound to `form.values[name]`; its error shows right under it.

    Controls are rebuilt from the state, never changed in place (Flet freezes rebuilt keyed
    controls): typing stores the value, and redraws only when an error must go away or the
    screen shows something `live` about the value (the password checklist).
    """

    def changed(e: ft.ControlEvent) -> None:
        had_error = name in form.errors
        form.set(name, e.control.value or "")
        if had_error or live:
            (rerender or ui.render)()

    def reveal(_: ft.ControlEvent) -> None:
        form.revealed ^= {name}
        (rerender or ui.render)()

    shown = name in form.revealed
    eye = None
    if password:  # Flutter's own eye button has no name and no Tab stop: this one has both
        eye = icon_action(
            ui.t("ui.password.hide" if shown else "ui.password.show", field=label),
            ft.Icons.VISIBILITY_OFF if shown else ft.Icons.VISIBILITY,
            reveal,
            key=f"field-{name}-reveal",
        )
    return ft.TextField(
        key=f"field-{name}",
        label=label,
        value=form.values[name],
        helper=helper,
        helper_max_lines=3,
        error=ui.err(form.errors.get(name)),
        error_max_lines=4,
        password=password and not shown,
        suffix_icon=eye,
        keyboard_type=keyboard,
        capitalization=capitalization,
        autocorrect=False,
        enable_suggestions=not password,
        text_size=18,
        label_style=ft.TextStyle(size=17),
        helper_style=ft.TextStyle(size=15),
        error_style=ft.TextStyle(size=15, color=ERROR_FG),
        read_only=form.busy,
        on_change=changed,
        on_submit=on_submit,
    )


def password_checklist(ui: Ui, rules: list[tuple[str, bool]]) -> ft.Control:
    """The live password rules under a new password (activation, change, reset): each rule
    ticked or not, and read aloud with its state, since the icon alone says nothing."""
    rows: list[ft.Control] = []
    for key, ok in rules:
        rule = ui.t(key)
        rows.append(
            ft.Row(
                [
                    ft.Icon(
                        ft.Icons.CHECK_CIRCLE if ok else ft.Icons.RADIO_BUTTON_UNCHECKED,
                        color=INFO_FG if ok else ERROR_FG,
                        size=22,
                    ),
                    ft.Text(
                        rule,
                        size=BODY_SIZE,
                        color=INFO_FG if ok else None,
                        expand=True,
                        semantics_label=ui.t(
                            "ui.password.rule.met" if ok else "ui.password.rule.unmet", rule=rule
                        ),
                    ),
                ],
                key=f"rule-{key}",
            )
        )
    return ft.Container(
        content=ft.Column(
            [
                ft.Text(ui.t("ui.password.rules.title"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
                ft.Column(rows, spacing=4, key="password-rules"),
            ],
            spacing=6,
        ),
        padding=ft.Padding.only(left=8),
    )


def banner(ui: Ui, err: SyncError | None, key: str = "banner") -> ft.Control | None:
    """A visible message box for errors that concern the whole screen."""
    if err is None:
        return None
    return ft.Container(
        key=key,
        bgcolor=ERROR_BG,
        border=ft.Border.all(2, ERROR_FG),
        border_radius=10,
        padding=14,
        content=ft.Row(
            [
                ft.Icon(ft.Icons.ERROR_OUTLINE, color=ERROR_FG),
                ft.Text(ui.err(err), size=BODY_SIZE, color=ERROR_FG, expand=True),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
    )


def notice(value: str, key: str = "notice") -> ft.Control:
    """A confirmation box (something went well)."""
    return ft.Container(
        key=key,
        bgcolor=INFO_BG,
        border_radius=10,
        padding=14,
        content=ft.Row(
            [
                ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, color=INFO_FG),
                ft.Text(value, size=BODY_SIZE, color=INFO_FG, expand=True),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
    )


def progress(ui: Ui, busy: bool) -> ft.Control | None:
    if not busy:
        return None
    return ft.Row(
        [ft.ProgressRing(width=24, height=24), ft.Text(ui.t("ui.busy"), size=BODY_SIZE)],
        key="busy",
    )


def search_field(label: str, key: str, value: str, on_change: Any, on_submit: Any) -> ft.Control:
    """A search box: its words as typed, searched on Enter or with the screen's button."""
    return ft.TextField(
        key=key,
        label=label,
        value=value,
        prefix_icon=ft.Icons.SEARCH,
        text_size=18,
        label_style=ft.TextStyle(size=17),
        on_change=on_change,
        on_submit=on_submit,
    )


def column(*controls: ft.Control | None) -> list[ft.Control]:
    """Drop the absent pieces (no banner, no progress) of a screen."""
    return [c for c in controls if c is not None]


def named_dropdown(dropdown: ft.Dropdown, key: str) -> ft.Control:
    """A dropdown as a screen reader should meet it: its label, then the words of the option
    chosen (Flet's Dropdown exposes neither; in the browser a semantics value is not read out
    on such a node, so both go in its name)."""
    chosen = next((o.text for o in dropdown.options or [] if o.key == dropdown.value), "")
    name = f"{dropdown.label}, {chosen}" if chosen else str(dropdown.label or "")
    return ft.Semantics(key=key, label=name, container=True, content=dropdown)


def type_dropdown(
    ui: Ui,
    *,
    key: str,
    label: str,
    value: str,
    options: list[tuple[str, str]],
    on_select: Any,
    error: str | None = None,
) -> ft.Control:
    """A dropdown whose name screen readers and tests can find (its label is not exposed);
    its error is a plain text under it, which screen readers do read."""
    dropdown = named_dropdown(
        ft.Dropdown(
            key=key,
            label=label,
            value=value or None,
            options=[ft.DropdownOption(key=code, text=text) for code, text in options],
            on_select=on_select,
            border_color=ERROR_FG if error else None,
            text_size=17,
            label_style=ft.TextStyle(size=17, color=ERROR_FG if error else None),
            expand=True,
            menu_height=400,
        ),
        f"{key}-semantics",
    )
    if not error:
        return dropdown
    return ft.Column(
        [dropdown, ft.Text(error, size=15, color=ERROR_FG, key=f"{key}-error")],
        spacing=4,
        key=f"{key}-box",
    )


def space_band(
    ui: Ui, *, key: str, colour: str, icon: ft.IconData, words: str, label: str, on_change: Any
) -> ft.Control:
    """The band under the app bar while another person's space is shown (a child's, or that of
    someone one helps): whose it is, in their colour, with "Changer d'espace"; one labelled region
    for screen readers."""
    return ft.Semantics(
        label=label,
        container=True,
        key=f"{key}-sem",
        content=ft.Container(
            key=key,
            bgcolor=colour,
            border_radius=10,
            padding=ft.Padding.symmetric(horizontal=14, vertical=6),
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(icon, color=ft.Colors.WHITE, size=28),
                            ft.Text(
                                words,
                                key=f"{key}-text",
                                size=19,
                                weight=ft.FontWeight.BOLD,
                                color=ft.Colors.WHITE,
                                expand=True,
                            ),
                        ],
                        vertical_alignment=ft.CrossAxisAlignment.CENTER,
                    ),
                    ft.OutlinedButton(
                        content=ui.t("ui.family.switch"),
                        key=f"{key}-switch",
                        icon=ft.Icons.SWAP_HORIZ,
                        on_click=on_change,
                        height=48,
                        style=ft.ButtonStyle(
                            color=ft.Colors.WHITE,
                            icon_color=ft.Colors.WHITE,
                            side=ft.BorderSide(2, ft.Colors.WHITE),
                            text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_600),
                        ),
                    ),
                ],
                spacing=6,
                horizontal_alignment=ft.CrossAxisAlignment.START,
            ),
        ),
    )


@dataclass(frozen=True)
class SpaceChoice:
    """One space a switcher offers: "" for the person's own, a child's or a helped person's id."""

    id: str
    label: str
    colour: str
    icon: ft.IconData


def space_switcher(
    ui: Ui, choices: Sequence[SpaceChoice], *, active: str, holder: Busy, switch: Callable[[str], object]
) -> list[ft.Control]:
    """The spaces a person can show (their own, their children's, those they help), each in its
    colour; the one shown is ticked and framed, and says so in words."""

    def go(space_id: str) -> Callable[[ft.ControlEvent], Awaitable[None]]:
        async def handler(_: ft.ControlEvent) -> None:
            await ui.run(holder, lambda: switch(space_id))

        return handler

    buttons: list[ft.Control] = []
    for choice in choices:
        shown = choice.id == active
        buttons.append(
            ft.FilledButton(
                content=f"{choice.label} {ui.t('ui.family.current')}" if shown else choice.label,
                key=f"space-{choice.id or 'own'}",
                icon=ft.Icons.CHECK if shown else choice.icon,
                on_click=go(choice.id),
                disabled=holder.busy,
                height=56,
                style=ft.ButtonStyle(
                    bgcolor=choice.colour,
                    color=ft.Colors.WHITE,
                    icon_color=ft.Colors.WHITE,
                    text_style=ft.TextStyle(size=18, weight=ft.FontWeight.W_600),
                    shape=ft.RoundedRectangleBorder(radius=12),
                    side=ft.BorderSide(4, "#111111") if shown else None,
                ),
            )
        )
    return [subtitle(ui.t("ui.family.switcher"), key="space-switcher"), *buttons]
