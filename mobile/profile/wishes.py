"""Emergency and wishes: organ and tissue donation, advance directives, the trusted person, the
relatives to notify, and the attending physician (read from "Mes professionnels de santé")."""

from collections.abc import Callable
from typing import cast

import flet as ft

from mobile.profile.profile import ProfileApp
from mobile.profile.profile_list import entry_card, entry_form, list_actions, text_box
from mobile.shell.panels import load_in_background
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    field,
    notice,
    para,
    primary_button,
    radio_group,
    secondary_button,
    subtitle,
    title,
    type_dropdown,
)
from sync.protocol.profile import DONATION_CHOICES

NO_DOCUMENT = "none"


def attending_words(ui: Ui) -> str:
    """The attending physician as "Mes professionnels de santé" knows it (the server's, asked once
    per opening of the screen); the emergency card is told their name."""
    state = cast(ProfileApp, ui.state)
    pros = state.professionals
    if state.profile.attending_wanted:
        state.profile.attending_wanted = False
        load_in_background(ui, pros, pros.load)
    grant = pros.attending()
    if grant is not None:
        name = pros.name_of(grant.professional.id)
        state.profile.set_attending(name)
        return ui.t("ui.profile.wishes.attending.is", name=name)
    if pros.busy:
        return ui.t("ui.busy")
    if pros.offline:
        return ui.t("ui.profile.wishes.attending.offline")
    if pros.loaded:
        state.profile.set_attending("")
    return ui.t("ui.profile.wishes.attending.none")


def _attending(ui: Ui) -> list[ft.Control | None]:
    """The attending physician, read-only here, with the way to change it."""
    state = cast(ProfileApp, ui.state)
    words = attending_words(ui)

    def change(_: ft.ControlEvent) -> None:
        state.go(Screen.PROFESSIONALS)
        ui.render()

    return [
        subtitle(ui.t("ui.profile.wishes.attending.title"), key="attending-title"),
        para(words, key="attending-name"),
        secondary_button(
            ui.t("ui.profile.wishes.attending.change"), "attending-change", change, icon=ft.Icons.EDIT
        ),
    ]


def build(ui: Ui) -> list[ft.Control]:
    state = cast(ProfileApp, ui.state)
    profile = state.profile
    wishes = profile.wishes

    def choose(name: str) -> Callable[[ft.ControlEvent], None]:
        def handler(e: ft.ControlEvent) -> None:
            value = e.control.value or ""
            wishes.set(name, "" if value == NO_DOCUMENT else value)
            ui.render()

        return handler

    def save_wishes(_: ft.ControlEvent) -> None:
        profile.save_wishes()
        ui.render()

    def read_directives(_: ft.ControlEvent) -> None:
        state.open_document(wishes.values["directives_document"])
        ui.render()

    def add_contact(_: ft.ControlEvent) -> None:
        profile.start_add("contact")
        ui.render()

    def save_contact(_: ft.ControlEvent) -> None:
        profile.save()
        ui.render()

    def cancel_contact(_: ft.ControlEvent) -> None:
        profile.cancel()
        ui.render()

    choices = [(c, ui.t(f"ui.profile.choice.donation.{c}")) for c in DONATION_CHOICES]
    donation = radio_group("donation", wishes.values["donation"] or "unset", choices, choose("donation"))
    documents = [(NO_DOCUMENT, ui.t("ui.profile.wishes.directives.no_document"))] + profile.documents()
    contacts = profile.rows("contact")
    form = profile.form
    contact_cards = [
        entry_card(ui, row, on_edit=(acts := list_actions(ui, profile, row))[0], on_delete=acts[1])
        for row in contacts
    ]
    return column(
        title(ui.t("ui.profile.tile.wishes")),
        notice(ui.t(profile.notice), key="wishes-notice") if profile.notice else None,
        banner(ui, profile.banner, key="wishes-banner"),
        banner(ui, wishes.banner, key="wishes-form-banner"),
        subtitle(ui.t("ui.profile.wishes.donation.title"), key="donation-title"),
        para(ui.t("ui.profile.wishes.donation.law"), key="donation-law"),
        donation,
        text_box(
            ui, wishes, "donation_details", ui.t("ui.profile.field.wishes.donation_details"), multiline=True
        ),
        ft.Divider(height=16),
        subtitle(ui.t("ui.profile.wishes.directives.title"), key="directives-title"),
        para(ui.t("ui.profile.wishes.directives.text"), key="directives-text"),
        text_box(ui, wishes, "directives", ui.t("ui.profile.field.wishes.directives"), multiline=True),
        type_dropdown(
            ui,
            key="field-directives_document",
            label=ui.t("ui.profile.field.wishes.directives_document"),
            value=wishes.values["directives_document"] or NO_DOCUMENT,
            options=documents,
            on_select=choose("directives_document"),
            error=ui.err(wishes.errors.get("directives_document")),
        ),
        secondary_button(
            ui.t("ui.profile.wishes.directives.read"),
            "directives-read",
            read_directives,
            icon=ft.Icons.DESCRIPTION,
        )
        if wishes.values["directives_document"]
        else None,
        ft.Divider(height=16),
        subtitle(ui.t("ui.profile.wishes.trusted.title"), key="trusted-title"),
        para(ui.t("ui.profile.wishes.trusted.text"), key="trusted-text"),
        field(ui, wishes, "trusted_name", ui.t("ui.profile.field.wishes.trusted_name")),
        field(
            ui,
            wishes,
            "trusted_phone",
            ui.t("ui.profile.field.wishes.trusted_phone"),
            helper=ui.t("ui.profile.phone_helper"),
            keyboard=ft.KeyboardType.PHONE,
        ),
        primary_button(ui.t("ui.profile.wishes.save"), "wishes-save", save_wishes, icon=ft.Icons.SAVE),
        ft.Divider(height=16),
        subtitle(ui.t("ui.profile.wishes.contacts.title"), key="contacts-title"),
        para(ui.t("ui.profile.wishes.contacts.text"), key="contacts-text"),
        *contact_cards,
        entry_form(ui, form, on_save=save_contact, on_cancel=cancel_contact)
        if form is not None and form.section == "contact"
        else primary_button(
            ui.t("ui.profile.add.contact"), "contact-add", add_contact, icon=ft.Icons.PERSON_ADD
        ),
        ft.Divider(height=16),
        *_attending(ui),
    )
