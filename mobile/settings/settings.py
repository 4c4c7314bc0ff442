"""Settings ("Paramètres"): the account and a way to change each part of it, this device's unlock code
and the devices signed in, the export, and closing the space (explained, then confirmed with the
password)."""

import asyncio
from collections.abc import Callable
from typing import Protocol, cast

import flet as ft

from mobile.settings.state import SettingsState
from mobile.shell.core import SpaceApp
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    Ui,
    banner,
    column,
    field,
    notice,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
)
from sync.protocol.schemas import Me, OtpChannel


class SettingsApp(SpaceApp, Protocol):
    """What the settings screens use of the app state (the composition root builds it)."""

    settings: SettingsState


def _close_dialog(ui: Ui) -> ft.AlertDialog:
    """Built once and updated in place while it is open (it is never rebuilt by the router)."""
    state, form = ui.state, ui.state.closing
    form.clear_errors()
    form.set("password", "")

    def clear_error() -> None:
        password.error = None
        password.update()

    def cancel(_: ft.ControlEvent) -> None:
        form.set("password", "")
        ui.page.pop_dialog()

    async def confirm(_: ft.ControlEvent) -> None:
        if form.busy:
            return
        form.busy = True
        show()
        try:
            ok = await asyncio.to_thread(state.close_space)
        finally:
            form.busy = False
        if ok:
            ui.page.pop_dialog()
            ui.render()
        else:
            show()

    password = field(
        ui,
        form,
        "password",
        ui.t("ui.field.password.label"),
        password=True,
        on_submit=confirm,
        rerender=clear_error,
    )
    assert isinstance(password, ft.TextField)
    problem = ft.Text("", size=BODY_SIZE, color=ERROR_FG, visible=False, key="close-problem")
    ring = ft.ProgressRing(width=24, height=24, visible=False)
    cancel_button = ft.TextButton(
        content=ui.t("ui.cancel"),
        key="close-cancel",
        on_click=cancel,
        height=48,
        style=ft.ButtonStyle(text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600)),
    )
    confirm_button = ft.FilledButton(
        content=ui.t("ui.close.dialog.confirm"),
        key="close-confirm",
        on_click=confirm,
        height=48,
        style=ft.ButtonStyle(bgcolor=ERROR_FG, color=ft.Colors.WHITE, text_style=ft.TextStyle(size=17)),
    )
    dialog = ft.AlertDialog(
        key="close-dialog",
        modal=True,
        title=ft.Text(ui.t("ui.close.dialog.title"), size=22, weight=ft.FontWeight.BOLD),
        content=ft.Column(
            [
                ft.Text(ui.t("ui.close.dialog.text"), size=BODY_SIZE),
                ft.Text(ui.t("ui.close.dialog.password"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
                password,
                problem,
                ring,
            ],
            tight=True,
            spacing=12,
            width=480,
        ),
        scrollable=True,
        actions=[cancel_button, confirm_button],
    )

    def show() -> None:
        password.error = ui.err(form.errors.get("password"))
        problem.value = ui.err(form.banner) or ""
        problem.visible = form.banner is not None
        ring.visible = form.busy
        cancel_button.disabled = confirm_button.disabled = form.busy
        dialog.update()

    return dialog


def _export_part(ui: Ui) -> list[ft.Control]:
    """The way to "Exporter toutes mes données" (once the vault is open)."""
    state = ui.state
    if not hasattr(state, "export"):
        return []

    def open_export(_: ft.ControlEvent) -> None:
        state.export.banner, state.export.notice = None, ""
        state.go(Screen.EXPORT)
        ui.render()

    return [
        ft.Divider(height=24),
        subtitle(ui.t("ui.settings.export.title")),
        para(ui.t("ui.settings.export.intro")),
        primary_button(ui.t("ui.settings.export.button"), "open-export", open_export, icon=ft.Icons.DOWNLOAD),
    ]


def _open(ui: Ui, screen: Screen, start: Callable[[], None]) -> Callable[[ft.ControlEvent], None]:
    def handler(_: ft.ControlEvent) -> None:
        start()
        ui.state.go(screen)
        ui.render()

    return handler


def _account_part(ui: Ui, me: Me) -> list[ft.Control | None]:
    """Who the person is for the space, and a button beside each thing they can change."""
    state = cast(SettingsApp, ui.state)
    account = state.settings
    sms = me.otp_channel == OtpChannel.SMS
    phone = ui.t("ui.account.phone.value", phone=me.phone) if me.phone else ui.t("ui.account.phone.none")

    def contact(kind: str) -> Callable[[ft.ControlEvent], None]:
        return _open(ui, Screen.CONTACT_CHANGE, lambda: account.start_contact(kind, me))

    return [
        subtitle(ui.t("ui.settings.account")),
        para(ui.t("ui.settings.name", name=f"{me.first_name} {me.last_name}"), key="account-name"),
        para(ui.t("ui.settings.email", email=me.email), key="account-email"),
        secondary_button(
            ui.t("ui.account.email.open"), "change-email", contact("email"), icon=ft.Icons.EMAIL
        ),
        para(phone, key="account-phone"),
        secondary_button(
            ui.t("ui.account.phone.open" if me.phone else "ui.account.phone.add"),
            "change-phone",
            contact("phone"),
            icon=ft.Icons.PHONE_ANDROID,
        ),
        para(ui.t("ui.settings.channel.sms" if sms else "ui.settings.channel.email"), key="account-channel"),
        secondary_button(
            ui.t("ui.account.channel.open"), "change-channel", contact("channel"), icon=ft.Icons.SMS
        ),
        secondary_button(
            ui.t("ui.account.password.open"),
            "change-password",
            _open(ui, Screen.PASSWORD_CHANGE, account.start_password),
            icon=ft.Icons.PASSWORD,
        ),
    ]


def _device_part(ui: Ui) -> list[ft.Control | None]:
    """This device's unlock code (once the vault is open), and every device signed in."""
    state = cast(SettingsApp, ui.state)
    return [
        ft.Divider(height=24),
        subtitle(ui.t("ui.account.devices.title")),
        para(ui.t("ui.account.devices.intro")),
        secondary_button(
            ui.t("ui.account.pin.open"),
            "change-pin",
            _open(ui, Screen.PIN_CHANGE, state.settings.start_pin),
            icon=ft.Icons.PHONELINK_LOCK,
        )
        if state.vault.unlocked
        else None,
        secondary_button(
            ui.t("ui.devices.title"),
            "open-devices",
            _open(ui, Screen.DEVICES, lambda: None),
            icon=ft.Icons.DEVICES,
        ),
    ]


def build(ui: Ui) -> list[ft.Control]:
    state = cast(SettingsApp, ui.state)
    me = state.me
    if me is None:
        return []
    done = state.settings.notice

    def ask_close(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(_close_dialog(ui))

    return column(
        title(ui.t("ui.settings.title")),
        notice(ui.t(done), key="settings-notice") if done else None,
        banner(ui, state.banner),
        *_account_part(ui, me),
        *_device_part(ui),
        *_export_part(ui),
        ft.Divider(height=24),
        subtitle(ui.t("ui.settings.rights.title")),
        para(ui.t("ui.settings.rights.intro")),
        secondary_button(
            ui.t("ui.settings.rights.button"),
            "open-rights",
            _open(ui, Screen.RIGHTS, lambda: None),
            icon=ft.Icons.GAVEL,
        ),
        ft.Divider(height=24),
        subtitle(ui.t("ui.settings.close.title")),
        para(ui.t("ui.settings.close.intro")),
        primary_button(ui.t("ui.settings.close.button"), "close-space", ask_close, icon=ft.Icons.LOCK),
    )
