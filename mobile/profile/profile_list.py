"""One list of the medical profile (illnesses, treatments, allergies, vaccinations, family history,
notes, blood group, hospital stays, disabilities, each lifestyle habit): the entries, and a form
to add or change one. Also the pieces the wishes screen reuses for relatives to notify (entry
cards, the entry form)."""

from collections.abc import Callable
from typing import Any, cast

import flet as ft

from mobile.profile.profile import ProfileApp
from mobile.profile.state import DATE_KINDS, EntryForm, EntryRow, ProfileState, shown_day
from mobile.shell.date_pickers import picked_field
from mobile.shell.panels import chip, confirm_dialog, small_button
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
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
    type_dropdown,
)
from mobile.shell.words import display_name, profession_label
from sync.protocol.profile import Field, fields_of


def value_text(ui: Ui, section: str, spec: Field, value: str) -> str:
    """A stored value in words: a choice's label, a vaccine's name, a day as dd/mm/yyyy."""
    if spec.kind == "choice":
        return ui.t(f"ui.profile.choice.{spec.name}.{value}")
    if spec.kind == "vaccine":
        return ProfileState.vaccine_label(value, ui.state.lang)
    if spec.kind in DATE_KINDS:
        return shown_day(value)
    return value


def label_of(ui: Ui, section: str, name: str) -> str:
    return ui.t(f"ui.profile.field.{section}.{name}")


def entry_form(ui: Ui, form: EntryForm, *, on_save: Any, on_cancel: Any, busy: bool = False) -> ft.Control:
    """The fields of the form's section, each error under its field, then save and cancel."""
    section = form.section

    def chose(name: str) -> Callable[[ft.ControlEvent], None]:
        def handler(e: ft.ControlEvent) -> None:
            form.set(name, e.control.value or "")
            ui.render()

        return handler

    controls: list[ft.Control] = []
    for spec in fields_of(section):
        label = label_of(ui, section, spec.name) + ("" if spec.required else ui.t("ui.profile.optional"))
        if spec.kind in ("choice", "vaccine"):
            options = (
                ProfileState.vaccine_choices(ui.state.lang)
                if spec.kind == "vaccine"
                else [(c, ui.t(f"ui.profile.choice.{spec.name}.{c}")) for c in spec.choices]
            )
            controls.append(
                type_dropdown(
                    ui,
                    key=f"field-{spec.name}",
                    label=label,
                    value=form.values[spec.name],
                    options=options,
                    on_select=chose(spec.name),
                    error=ui.err(form.errors.get(spec.name)),
                )
            )
        elif spec.kind in DATE_KINDS:
            controls.append(picked_field(ui, form, spec.name, label, helper=ui.t("ui.profile.date_helper")))
        elif spec.kind == "phone":
            controls.append(
                field(
                    ui,
                    form,
                    spec.name,
                    label,
                    helper=ui.t("ui.profile.phone_helper"),
                    keyboard=ft.KeyboardType.PHONE,
                )
            )
        else:
            controls.append(text_box(ui, form, spec.name, label, multiline=spec.kind == "long_text"))
    if section not in ("wishes", "contact"):
        controls.append(text_box(ui, form, "notes", ui.t("ui.profile.field.notes"), multiline=True))
    heading = "ui.profile.form.edit" if form.editing else "ui.profile.form.add"
    return ft.Container(
        key="entry-form",
        border=ft.Border.all(2, PRIMARY),
        border_radius=12,
        padding=16,
        content=ft.Column(
            column(
                subtitle(ui.t(heading), key="entry-form-title"),
                banner(ui, form.banner, key="entry-form-banner"),
                *controls,
                primary_button(ui.t("ui.profile.save"), "entry-save", on_save, busy=busy, icon=ft.Icons.SAVE),
                secondary_button(
                    ui.t("ui.cancel"), "entry-cancel", on_cancel, busy=busy, icon=ft.Icons.CLOSE
                ),
            ),
            spacing=14,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key="entry-form-body",
        ),
    )


def text_box(ui: Ui, form: EntryForm, name: str, label: str, *, multiline: bool = False) -> ft.Control:
    """A text field; free text gets several lines."""
    box = field(ui, form, name, label, capitalization=ft.TextCapitalization.SENTENCES)
    if multiline and isinstance(box, ft.TextField):
        box.multiline, box.min_lines, box.max_lines = True, 3, 8
    return box


def entry_card(ui: Ui, row: EntryRow, *, on_edit: Any, on_delete: Any) -> ft.Control:
    """One entry: its main value, the other fields in words, its author; actions if it is the
    holder's own (a professional's entry is read-only)."""
    specs = fields_of(row.section)
    main, *rest = specs
    head = value_text(ui, row.section, main, str(row.data.get(main.name, "")))
    if row.section == "family_history":
        head = ui.t("ui.profile.line", label=head, value=row.data.get("condition", ""))
        rest = []
    lines = [
        ft.Text(
            ui.t(
                "ui.profile.line",
                label=label_of(ui, row.section, spec.name),
                value=value_text(ui, row.section, spec, str(row.data[spec.name])),
            ),
            size=BODY_SIZE,
            key=f"entry-{row.id}-{spec.name}",
        )
        for spec in rest
        if row.data.get(spec.name)
    ]
    if row.data.get("notes"):
        lines.append(
            ft.Text(str(row.data["notes"]), size=BODY_SIZE, italic=True, key=f"entry-{row.id}-notes")
        )
    badges: list[ft.Control] = []
    if not row.own:
        author = display_name(row.author_name, row.author_profession) or ui.t("ui.profile.author.unknown")
        words = ui.t(
            "ui.profile.author.pro",
            name=author,
            profession=profession_label(row.author_profession, ui.state.lang),
        )
        badges.append(chip(words, "#4A3B00", "#FFF4CC", f"entry-{row.id}-author", icon=ft.Icons.LOCK))
    if row.pending:
        badges.append(chip(ui.t("ui.profile.pending"), "#5C3200", "#FFF4E5", f"entry-{row.id}-pending"))
    actions: list[ft.Control] = []
    if not row.own:  # a professional's entry: its author corrects it on request (EHDS art. 6)

        def ask(_: ft.ControlEvent) -> None:
            cast(ProfileApp, ui.state).ask_correction(row.id, head)
            ui.render()

        actions = [
            small_button(
                ui.t("ui.profile.ask_correction"), f"entry-{row.id}-correct", ask, icon=ft.Icons.EDIT_NOTE
            )
        ]
    if row.own:
        actions = [
            small_button(ui.t("ui.profile.edit"), f"entry-{row.id}-edit", on_edit, icon=ft.Icons.EDIT),
            small_button(
                ui.t("ui.profile.delete"),
                f"entry-{row.id}-delete",
                on_delete,
                icon=ft.Icons.DELETE,
                danger=True,
            ),
        ]
    return ft.Container(
        key=f"entry-{row.id}",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            column(
                ft.Text(head, size=19, weight=ft.FontWeight.W_600, key=f"entry-{row.id}-head"),
                *lines,
                ft.Row(badges, wrap=True, key=f"entry-{row.id}-badges") if badges else None,
                ft.Row(actions, wrap=True, key=f"entry-{row.id}-actions") if actions else None,
            ),
            spacing=6,
            key=f"entry-{row.id}-body",
        ),
    )


def list_actions(ui: Ui, profile: ProfileState, row: EntryRow) -> tuple[Any, Any]:
    """The edit and delete handlers of one entry (delete asks first)."""

    def edit(_: ft.ControlEvent) -> None:
        profile.start_edit(row.id)
        ui.render()

    async def really_delete() -> None:
        profile.delete(row.id)
        ui.render()

    def delete(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key="entry-delete-dialog",
                title=ui.t("ui.profile.delete.title"),
                text=ui.t("ui.profile.delete.text"),
                confirm=ui.t("ui.profile.delete"),
                on_confirm=really_delete,
                danger=True,
            )
        )

    return edit, delete


def build(ui: Ui) -> list[ft.Control]:
    state = cast(ProfileApp, ui.state)
    profile = state.profile
    section = profile.section
    form = profile.form

    def add(_: ft.ControlEvent) -> None:
        profile.start_add()
        ui.render()

    def save(_: ft.ControlEvent) -> None:
        profile.save()
        ui.render()

    def cancel(_: ft.ControlEvent) -> None:
        profile.cancel()
        ui.render()

    rows = profile.rows()
    cards = [
        entry_card(ui, row, on_edit=(acts := list_actions(ui, profile, row))[0], on_delete=acts[1])
        for row in rows
    ]
    return column(
        title(ui.t(f"ui.profile.section.{section}")),
        para(ui.t(f"ui.profile.intro.{section}"), key="list-intro"),
        notice(ui.t(profile.notice), key="list-notice") if profile.notice else None,
        banner(ui, profile.banner, key="list-banner"),
        entry_form(ui, form, on_save=save, on_cancel=cancel)
        if form is not None
        else primary_button(ui.t(f"ui.profile.add.{section}"), "entry-add", add, icon=ft.Icons.ADD)
        if profile.can_add()
        else None,
        *cards,
        None if rows else para(ui.t("ui.profile.empty"), key="list-empty"),
    )
