"""Emergency access (rule 7): two separate switches, and the third of issue #17 (masked documents
readable in an emergency), each explained, saved at once."""

import asyncio

import flet as ft

from mobile.record_access.common import entering, record
from mobile.record_access.state import EmergencyState
from mobile.shell.panels import load_in_background, problem, status_line
from mobile.shell.widgets import BODY_SIZE, ERROR_FG, PRIMARY, Ui, column, para, title


def _switch(ui: Ui, emergency: EmergencyState, name: str) -> ft.Control:
    """A switch with its plain explanation and its state in words."""
    key = f"switch-{name}"
    on = emergency.value(name)
    saving = emergency.saving == name

    disabled = emergency.busy or emergency.settings is None

    async def changed(e: ft.ControlEvent) -> None:
        await flip(bool(e.control.value))

    async def tapped(_: ft.ControlEvent) -> None:
        await flip(not on)

    async def flip(value: bool) -> None:
        if emergency.busy or emergency.saving is not None:
            return
        emergency.change(name, value)
        emergency.busy = True
        ui.render()
        try:
            await asyncio.to_thread(emergency.save)
        finally:
            emergency.busy = False
            ui.render()

    label = ui.t(f"ui.emergency.{name}.label")
    state_text = (
        ui.t("ui.emergency.saving") if saving else ui.t(f"ui.emergency.state.{'on' if on else 'off'}")
    )
    return ft.Container(
        key=key,
        border=ft.Border.all(2 if on else 1, PRIMARY if on else "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                # One node for screen readers and tests: a switch named by its label. The label is
                # a Text beside the Switch (a Switch's own label never wraps: it was cut off), and
                # tapping the label toggles too.
                ft.Semantics(
                    key=f"{key}-sem",
                    label=label,
                    toggled=on,
                    container=True,
                    exclude_semantics=True,
                    on_tap=tapped,
                    content=ft.Container(
                        key=f"{key}-tap",
                        on_click=tapped,
                        content=ft.Row(
                            [
                                ft.Switch(
                                    key=f"{key}-control",
                                    value=on,
                                    disabled=disabled,
                                    on_change=changed,
                                    active_color=PRIMARY,
                                ),
                                ft.Text(label, size=18, weight=ft.FontWeight.W_600, expand=True),
                            ],
                            spacing=12,
                            key=f"{key}-row",
                        ),
                    ),
                ),
                ft.Text(ui.t(f"ui.emergency.{name}.text"), size=BODY_SIZE, key=f"{key}-text"),
                ft.Text(
                    state_text,
                    size=BODY_SIZE,
                    weight=ft.FontWeight.W_600,
                    color=PRIMARY if on else ERROR_FG,
                    key=f"{key}-state",
                ),
            ],
            spacing=8,
            key=f"{key}-body",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    emergency = record(ui).emergency
    if entering(ui, "emergency"):
        emergency.loaded, emergency.offline, emergency.banner, emergency.notice = False, False, None, None
    if not emergency.loaded and not emergency.offline and emergency.banner is None:
        load_in_background(ui, emergency, emergency.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(emergency, emergency.load)

    unchanged = None
    if emergency.loaded and emergency.banner is not None:
        unchanged = para(ui.t("ui.emergency.unchanged"), key="emergency-unchanged")
    switches: list[ft.Control] = []
    if emergency.settings is not None:
        switches = [_switch(ui, emergency, name) for name in EmergencyState.SWITCHES]
    return column(
        title(ui.t("ui.emergency.title")),
        para(ui.t("ui.emergency.intro"), key="emergency-intro"),
        status_line(ui, emergency, "emergency") if emergency.saving is None else None,
        problem(ui, emergency, retry, "emergency"),
        unchanged,
        *switches,
        para(ui.t("ui.emergency.blocked_note"), key="emergency-blocked-note") if switches else None,
    )
