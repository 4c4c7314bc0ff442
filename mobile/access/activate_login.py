"""Activation, step 2: e-mail identifier, password with its live checklist, where codes go."""

import flet as ft

from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    INFO_FG,
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    progress,
    subtitle,
    title,
)
from sync.protocol.schemas import OtpChannel


def _rule_rows(ui: Ui, rules: list[tuple[str, bool]]) -> list[ft.Control]:
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
                        # Read aloud with its state: the icon alone says nothing to a screen reader.
                        semantics_label=ui.t(
                            "ui.password.rule.met" if ok else "ui.password.rule.unmet", rule=rule
                        ),
                    ),
                ],
                key=f"rule-{key}",
            )
        )
    return rows


def build(ui: Ui) -> list[ft.Control]:
    state, form = ui.state, ui.state.activation
    checklist = ft.Column(_rule_rows(ui, form.rules()), spacing=4, key="password-rules")

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
        ft.Container(
            content=ft.Column(
                [
                    ft.Text(ui.t("ui.password.rules.title"), size=BODY_SIZE, weight=ft.FontWeight.W_600),
                    checklist,
                ],
                spacing=6,
            ),
            padding=ft.Padding.only(left=8),
        ),
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
