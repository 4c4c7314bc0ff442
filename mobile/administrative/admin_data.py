"""Administrative data as the insurer holds it, a form to ask for a correction, and the requests.

The data come from the server (the insurer's), loaded when the screen opens; without a
connection the screen says so and offers to retry. The way back leads to the profile hub.
"""

from typing import Protocol, cast

import flet as ft

from mobile.administrative.state import FIELDS, AdminState, CorrectionForm, ReimbursementsState
from mobile.shell.core import SpaceApp
from mobile.shell.date_pickers import picked_field
from mobile.shell.panels import chip, load_in_background, problem, status_line
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
    Ui,
    column,
    field,
    named_dropdown,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
)
from mobile.shell.words import format_date
from sync.protocol.admin_schemas import CorrectionOut


class AdministrativeApp(SpaceApp, Protocol):
    """What the administrative screens use of the app state (the composition root builds it)."""

    admin: AdminState
    reimbursements: ReimbursementsState


def _admin(ui: Ui) -> AdminState:
    return cast(AdministrativeApp, ui.state).admin


def _data_card(ui: Ui, admin: AdminState) -> ft.Control | None:
    if admin.data is None:
        return None
    lang = ui.state.lang
    rows: list[ft.Control] = []
    for name in FIELDS:
        label = ui.t(f"ui.admin.field.{name}")
        value = admin.value_of(name, lang)
        rows.append(
            ft.Column(
                column(
                    ft.Text(
                        label, size=16, weight=ft.FontWeight.W_600, color=PRIMARY, key=f"admin-{name}-label"
                    ),
                    ft.Text(value, size=18, key=f"admin-{name}-value"),
                    chip(
                        ui.t("ui.admin.pending"),
                        "#5C3200",
                        "#FFF4E5",
                        f"admin-{name}-pending",
                        ft.Icons.HOURGLASS_TOP,
                    )
                    if admin.pending(name)
                    else None,
                ),
                spacing=2,
                key=f"admin-{name}",
            )
        )
    return ft.Container(
        key="admin-data",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=16,
        content=ft.Column(rows, spacing=14, key="admin-data-rows"),
    )


def _field_choice(ui: Ui, form: CorrectionForm) -> ft.Control:
    """Which information to correct (a dropdown with an accessible name)."""
    label = ui.t("ui.admin.form.field")

    def picked(e: ft.ControlEvent) -> None:
        form.set("field", e.control.value or form.values["field"])
        form.errors.pop("value", None)
        ui.render()

    error = form.errors.get("field")
    return ft.Column(
        column(
            named_dropdown(
                ft.Dropdown(
                    key="admin-form-field",
                    label=label,
                    value=form.values["field"],
                    options=[ft.DropdownOption(key=n, text=ui.t(f"ui.admin.field.{n}")) for n in FIELDS],
                    on_select=picked,
                    text_size=17,
                    label_style=ft.TextStyle(size=17),
                    expand=True,
                ),
                "admin-form-field-sem",
            ),
            ft.Text(ui.err(error), size=15, color=ERROR_FG, key="admin-form-field-error") if error else None,
        ),
        spacing=4,
        key="admin-form-field-box",
    )


def _form(ui: Ui, admin: AdminState, form: CorrectionForm) -> ft.Control:
    chosen = form.values["field"]

    async def send(_: ft.ControlEvent) -> None:
        await ui.run(admin, admin.submit)

    def cancel(_: ft.ControlEvent) -> None:
        admin.close_form()
        ui.render()

    hint = ui.t("ui.admin.form.value.hint.birth_date") if chosen == "birth_date" else None
    return ft.Container(
        key="admin-form",
        bgcolor="#F2F6FB",
        border_radius=12,
        padding=16,
        content=ft.Column(
            column(
                subtitle(ui.t("ui.admin.form.title"), key="admin-form-title"),
                _field_choice(ui, form),
                para(
                    ui.t("ui.admin.form.current", value=admin.value_of(chosen, ui.state.lang)),
                    key="admin-form-now",
                ),
                (picked_field if chosen == "birth_date" else field)(
                    ui, form, "value", ui.t("ui.admin.form.value"), helper=hint, on_submit=send
                ),
                field(ui, form, "note", ui.t("ui.admin.form.note")),
                ft.Row(
                    [
                        primary_button(
                            ui.t("ui.admin.form.send"),
                            "admin-send",
                            send,
                            busy=admin.busy,
                            icon=ft.Icons.SEND,
                        ),
                        secondary_button(
                            ui.t("ui.admin.form.cancel"), "admin-cancel", cancel, busy=admin.busy
                        ),
                    ],
                    wrap=True,
                    spacing=8,
                    run_spacing=8,
                    key="admin-form-actions",
                ),
            ),
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key="admin-form-body",
        ),
    )


STATUS_COLOURS = {
    "open": ("#5C3200", "#FFF4E5", ft.Icons.HOURGLASS_TOP),
    "accepted": ("#0B4A2E", "#E6F4EA", ft.Icons.CHECK_CIRCLE_OUTLINE),
    "rejected": (ERROR_FG, "#FDECEA", ft.Icons.BLOCK),
}


def _request(ui: Ui, request: CorrectionOut) -> ft.Control:
    lang = ui.state.lang
    key = f"admin-request-{request.id}"
    fg, bg, icon = STATUS_COLOURS[request.status.value]
    value = request.value
    if request.field == "birth_date":
        value = format_date(f"{request.value}T12:00:00+00:00", lang)
    lines = column(
        ft.Text(
            ui.t("ui.admin.request.line", field=ui.t(f"ui.admin.field.{request.field}"), value=value),
            size=BODY_SIZE,
            weight=ft.FontWeight.W_600,
            key=f"{key}-what",
        ),
        chip(AdminState.status_words(request, lang), fg, bg, f"{key}-status", icon),
        ft.Text(
            ui.t("ui.admin.request.asked", date=format_date(request.created_at, lang, ui.state.tz)),
            size=16,
            key=f"{key}-asked",
        ),
        ft.Text(
            ui.t("ui.admin.request.decided", date=format_date(request.decided_at, lang, ui.state.tz)),
            size=16,
            key=f"{key}-decided",
        )
        if request.decided_at
        else None,
    )
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(lines, spacing=6, key=f"{key}-body"),
    )


def build(ui: Ui) -> list[ft.Control]:
    admin = _admin(ui)
    if not admin.loaded and not admin.offline and admin.banner is None:
        load_in_background(ui, admin, admin.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(admin, admin.load)

    def open_form(_: ft.ControlEvent) -> None:
        admin.open_form()
        ui.render()

    requests: list[ft.Control] = [_request(ui, r) for r in admin.requests]
    if admin.loaded and not requests:
        requests = [para(ui.t("ui.admin.requests.none"), key="admin-requests-none")]
    action: ft.Control | None = None
    if admin.form is not None:
        action = _form(ui, admin, admin.form)
    elif admin.data is not None:
        action = primary_button(ui.t("ui.admin.ask"), "admin-ask", open_form, icon=ft.Icons.EDIT)
    return column(
        title(ui.t("ui.admin.title")),
        para(ui.t("ui.admin.intro"), key="admin-intro"),
        status_line(ui, admin, "admin"),
        problem(ui, admin, retry, "admin"),
        _data_card(ui, admin),
        action,
        subtitle(ui.t("ui.admin.requests.title"), key="admin-requests-title") if admin.loaded else None,
        *requests,
    )
