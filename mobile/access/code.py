"""Login, second step: the one-time code sent by e-mail or SMS."""

import flet as ft

from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    field,
    notice,
    para,
    primary_button,
    progress,
    secondary_button,
    title,
)
from sync.protocol.schemas import OtpChannel


def build(ui: Ui) -> list[ft.Control]:
    state, form = ui.state, ui.state.login
    challenge = form.challenge
    sms = challenge is not None and challenge.channel == OtpChannel.SMS
    hint = challenge.destination_hint if challenge else ""

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.verify_code)

    async def resend(_: ft.ControlEvent) -> None:
        await ui.run(form, form.resend)

    return column(
        title(ui.t("ui.code.title")),
        para(ui.t("ui.code.sent.sms" if sms else "ui.code.sent.email", hint=hint), key="code-sent"),
        para(ui.t("ui.code.validity", minutes=form.code_minutes())),
        notice(ui.t("ui.code.resent"), key="code-resent") if form.resent else None,
        banner(ui, form.banner),
        field(
            ui,
            form,
            "otp",
            ui.t("ui.field.otp.label.sms" if sms else "ui.field.otp.label.email"),
            helper=ui.t("ui.field.otp.helper"),
            keyboard=ft.KeyboardType.NUMBER,
            on_submit=submit,
        ),
        primary_button(ui.t("ui.code.submit"), "code-submit", submit, busy=form.busy),
        secondary_button(
            ui.t("ui.code.resend"), "code-resend", resend, busy=form.busy, icon=ft.Icons.REFRESH
        ),
        progress(ui, form.busy),
    )
