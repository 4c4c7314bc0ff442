""" "Appareils connectés": each device or browser signed in to the space, with its name, platform,
first and last use (in the person's time); this one marked; the others can be signed out."""

from typing import Protocol, cast

import flet as ft

from mobile.devices.state import DevicesState
from mobile.shell.core import SpaceApp
from mobile.shell.panels import chip, confirm_dialog, load_in_background, problem, status_line
from mobile.shell.widgets import BODY_SIZE, ERROR_FG, Ui, column, para, title
from mobile.shell.words import format_datetime
from sync.protocol.account_schemas import DeviceOut

DANGER_STYLE = ft.ButtonStyle(
    text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_600),
    color=ERROR_FG,
    icon_color=ERROR_FG,
    side=ft.BorderSide(1.5, ERROR_FG),
    shape=ft.RoundedRectangleBorder(radius=10),
    padding=ft.Padding.symmetric(horizontal=14, vertical=8),
)


class DevicesApp(SpaceApp, Protocol):
    devices: DevicesState


def _device(ui: Ui, devices: DevicesState, device: DeviceOut) -> ft.Control:
    lang = ui.state.lang
    name = DevicesState.name_of(device, lang)
    key = f"device-{device.id}"

    async def sign_out() -> None:
        await ui.run(devices, lambda: devices.sign_out(device.id, lang))

    def ask(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key="device-sign-out",
                title=ui.t("ui.devices.confirm.title"),
                text=ui.t("ui.devices.confirm.text", name=name),
                confirm=ui.t("ui.devices.confirm.button"),
                on_confirm=sign_out,
                danger=True,
            )
        )

    # Its name is read with the button (several devices, several buttons), after the words shown.
    button = ft.OutlinedButton(
        content=ft.Text(
            ui.t("ui.devices.sign_out"), semantics_label=ui.t("ui.devices.sign_out.named", name=name)
        ),
        key=f"{key}-out",
        icon=ft.Icons.LOGOUT,
        on_click=ask,
        height=48,
        style=DANGER_STYLE,
    )
    return ft.Container(
        key=key,
        border=ft.Border.all(2 if device.current else 1, "#0B4F9C" if device.current else "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            column(
                ft.Text(name, size=19, weight=ft.FontWeight.W_600, key=f"{key}-name"),
                chip(ui.t("ui.devices.current"), "#0B4F9C", "#E8F0FB", f"{key}-current", ft.Icons.SMARTPHONE)
                if device.current
                else None,
                ft.Text(
                    ui.t("ui.devices.platform", platform=DevicesState.platform_of(device, lang)),
                    size=BODY_SIZE,
                    key=f"{key}-platform",
                ),
                ft.Text(
                    ui.t("ui.devices.first", when=format_datetime(device.first_used_at, lang, ui.state.tz)),
                    size=BODY_SIZE,
                    key=f"{key}-first",
                ),
                ft.Text(
                    ui.t("ui.devices.last", when=format_datetime(device.last_used_at, lang, ui.state.tz)),
                    size=BODY_SIZE,
                    key=f"{key}-last",
                ),
                para(ui.t("ui.devices.current.how"), key=f"{key}-how") if device.current else button,
            ),
            spacing=6,
            horizontal_alignment=ft.CrossAxisAlignment.START,
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    devices = cast(DevicesApp, ui.state).devices
    if not devices.loaded and not devices.offline and devices.banner is None:
        load_in_background(ui, devices, devices.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(devices, devices.load)

    return column(
        title(ui.t("ui.devices.title")),
        para(ui.t("ui.devices.intro"), key="devices-intro"),
        status_line(ui, devices, "devices"),
        problem(ui, devices, retry, "devices"),
        *[_device(ui, devices, d) for d in devices.items],
        ft.Container(height=12, key="devices-bottom"),
    )
