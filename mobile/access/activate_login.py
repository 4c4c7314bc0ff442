"""Activation, step 2: e-mail identifier, password with its live checklist, where codes go."""

import flet as ft

from mobile.shell.widgets import (
    BODY_SIZE,
    Ui,
    banner,
    column,
    field,
    para,
    password_checklist,
    primary_button,
    progress,
    subtitle,
    title,
)
from sync.protocol.schemas import OtpChannel


def build(ui: Ui) -> list[ft.Control]:
    state, form = ui.state, ui.state.activation

    def channel_changed(e: ft.ControlEvent) -> None:
        form.set_channel(e.control.value or OtpChannel.EMAIL)
        ui.render()

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.activate)

    sms = form.channel == OtpChannel.SMS
    return column(
        title(ui.t("ui.activate.hello", first_name=form.first_name), key="hello"),
        subtitle(ui.t("ui.activate.step2")),
        para(ui.t("ui.activate.step2.intro")),
        banner(ui, form.banner),
        field(
            ui,
            form,
            "email",
            ui.t("ui.field.email.label"),
            helper=ui.t("ui.field.email.helper"),
            keyboard=ft.KeyboardType.EMAIL,
        ),
        field(ui, form, "password", ui.t("ui.field.password.label"), password=True, live=True),
        password_checklist(ui, form.rules()),
        field(ui, form, "confirm", ui.t("ui.field.confirm.label"), password=True),
        ft.Text(ui.t("ui.activate.channel.title"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
        ft.RadioGroup(
            key="channel",
            value=form.channel.value,
            on_change=channel_changed,
            content=ft.Column(
                [
                    ft.Radio(
                        value=OtpChannel.EMAIL.value,
                        label=ui.t("ui.activate.channel.email"),
                        label_style=ft.TextStyle(size=BODY_SIZE),
                        key="channel-email",
                    ),
                    ft.Radio(
                        value=OtpChannel.SMS.value,
                        label=ui.t("ui.activate.channel.sms"),
                        label_style=ft.TextStyle(size=BODY_SIZE),
                        key="channel-sms",
                    ),
                ],
                spacing=0,
            ),
        ),
        field(
            ui,
            form,
            "phone",
            ui.t("ui.field.phone.label"),
            helper=ui.t("ui.field.phone.helper"),
            keyboard=ft.KeyboardType.PHONE,
        )
        if sms
        else None,
        primary_button(ui.t("ui.activate.submit"), "activate-submit", submit, busy=form.busy),
        progress(ui, form.busy),
    )
