"""A new e-mail, a new mobile number, or where login codes go: the password first, then the code sent
there (to the new address or number, or to the channel chosen); the old contact is told."""

from typing import cast

import flet as ft

from mobile.settings.settings import SettingsApp
from mobile.settings.state import ContactForm
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
    progress,
    radio_group,
    text_button,
    title,
)
from sync.protocol.schemas import Me, OtpChannel

# Each kind's title and the words of its first step (the new value's field, or the choice).
_TITLES = {
    "email": "ui.account.email.title",
    "phone": "ui.account.phone.title",
    "channel": "ui.account.channel.title",
}
_INTROS = {
    "email": "ui.account.email.intro",
    "phone": "ui.account.phone.intro",
    "channel": "ui.account.channel.intro",
}


def _value(ui: Ui, form: ContactForm, me: Me | None) -> list[ft.Control | None]:
    """The new e-mail or number, or the choice of channel with its error under it."""
    if form.kind == "email":
        return [
            field(ui, form, "value", ui.t("ui.account.email.label"), keyboard=ft.KeyboardType.EMAIL),
        ]
    if form.kind == "phone":
        return [
            field(
                ui,
                form,
                "value",
                ui.t("ui.account.phone.label"),
                helper=ui.t("ui.account.phone.helper"),
                keyboard=ft.KeyboardType.PHONE,
            )
        ]

    def picked(e: ft.ControlEvent) -> None:
        form.set("value", e.control.value or "")
        ui.render()

    problem = ui.err(form.errors.get("value"))
    email, phone = (me.email, me.phone) if me else ("", "")
    sms = ui.t("ui.account.channel.sms", phone=phone) if phone else ui.t("ui.account.channel.sms_none")
    return [
        ft.Text(ui.t("ui.account.channel.choose"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
        radio_group(
            "channel",
            form.values["value"],
            [
                (OtpChannel.EMAIL.value, ui.t("ui.account.channel.email", email=email)),
                (OtpChannel.SMS.value, sms),
            ],
            picked,
        ),
        ft.Text(problem, size=15, color=ERROR_FG, key="channel-error") if problem else None,
    ]


def build(ui: Ui) -> list[ft.Control]:
    state = cast(SettingsApp, ui.state)
    account = state.settings
    form = account.contact

    async def send(_: ft.ControlEvent) -> None:
        await ui.run(form, form.send)

    async def confirm(_: ft.ControlEvent) -> None:
        me = await ui.run(form, account.confirm_contact)
        if me is not None:
            state.me = me
            state.go(Screen.SETTINGS)  # which says it is done
            ui.render()

    def again(_: ft.ControlEvent) -> None:
        form.restart()
        ui.render()

    head = title(ui.t(_TITLES[form.kind]))
    if form.challenge is None:  # step 1: the new value and the password
        return column(
            head,
            para(ui.t(_INTROS[form.kind]), key="contact-intro"),
            banner(ui, form.banner),
            *_value(ui, form, state.me),
            field(
                ui,
                form,
                "password",
                ui.t("ui.field.password.label"),
                helper=ui.t("ui.account.contact.password_helper"),
                password=True,
                on_submit=send,
            ),
            primary_button(ui.t("ui.account.contact.send"), "contact-send", send, busy=form.busy),
            progress(ui, form.busy),
        )
    hint = form.challenge.destination_hint
    return column(  # step 2: the code sent there
        head,
        para(
            ui.t("ui.account.contact.sent", hint=hint, minutes=form.code_minutes()),
            key="contact-sent",
        ),
        banner(ui, form.banner),
        field(
            ui,
            form,
            "otp",
            ui.t("ui.account.contact.code"),
            helper=ui.t("ui.field.otp.helper"),
            keyboard=ft.KeyboardType.NUMBER,
            on_submit=confirm,
        ),
        primary_button(ui.t("ui.account.contact.confirm"), "contact-confirm", confirm, busy=form.busy),
        text_button(ui.t("ui.account.contact.again"), "contact-again", again),
        progress(ui, form.busy),
    )
