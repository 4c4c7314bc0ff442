"""Settings: the account, and closing the space (explained, then confirmed with the password)."""

import asyncio

import flet as ft

from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    subtitle,
    title,
)
from sync.protocol.schemas import OtpChannel


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


def build(ui: Ui) -> list[ft.Control]:
    state = ui.state
    me = state.me
    if me is None:
        return []
    channel = "ui.settings.channel.sms" if me.otp_channel == OtpChannel.SMS else "ui.settings.channel.email"

    def ask_close(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(_close_dialog(ui))

    return column(
        title(ui.t("ui.settings.title")),
        banner(ui, state.banner),
        subtitle(ui.t("ui.settings.account")),
        para(ui.t("ui.settings.name", name=f"{me.first_name} {me.last_name}"), key="account-name"),
        para(ui.t("ui.settings.email", email=me.email), key="account-email"),
        para(ui.t(channel), key="account-channel"),
        *_export_part(ui),
        ft.Divider(height=24),
        subtitle(ui.t("ui.settings.close.title")),
        para(ui.t("ui.settings.close.intro")),
        primary_button(ui.t("ui.settings.close.button"), "close-space", ask_close, icon=ft.Icons.LOCK),
    )
