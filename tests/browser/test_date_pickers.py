"""Dates and times are picked or typed (issue #19): the calendar and clock buttons beside the
fields open Flutter's pickers, in French, and what is picked fills the field as if typed."""

import re
import time
from collections.abc import Callable

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import open_tile, sign_in
from tests.browser.test_activation_login import field, painted, see, shot, tap, type_into, value_of

pytestmark = BROWSER


async def holds(page, label: str, good: Callable[[str], bool], timeout: float = 30) -> str:  # type: ignore[no-untyped-def]
    """What a field holds once it is `good`: the picked value arrives with the next redraw."""
    deadline = time.monotonic() + timeout
    while True:
        value = await value_of(page, label)
        if good(value) or time.monotonic() > deadline:
            return value
        await painted(page)


async def test_appointment_date_and_time_picked(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "nina.pickers@example.fr"
    stack.activate(652, "Nina", email)
    await sign_in(page, stack, email, "Nina")
    await open_tile(page, "Agenda")
    await tap(page, "Ajouter un rendez-vous")
    await see(page, "Nouveau rendez-vous")

    # A typed day opens the calendar on its month; a tapped day replaces it in the field.
    await type_into(page, "Date (JJ/MM/AAAA)", "15/01/2027")
    await tap(page, "Choisir la date : Date (JJ/MM/AAAA)")
    day = page.get_by_role("button", name=re.compile(r"^28, jeudi 28 janvier 2027"))
    await day.wait_for(state="visible", timeout=30_000)
    await shot(page, "pickers-01-calendar")
    await day.click()
    await tap(page, "Valider")
    await day.wait_for(state="detached", timeout=30_000)
    assert await holds(page, "Date (JJ/MM/AAAA)", lambda v: v == "28/01/2027") == "28/01/2027"

    # The clock opens at the current time when nothing is typed; its choice is written HH:MM.
    await tap(page, "Choisir l'heure : Heure (HH:MM)")
    await page.get_by_role("button", name="Valider").wait_for(state="visible", timeout=30_000)
    await shot(page, "pickers-02-clock")
    await tap(page, "Valider")
    await page.get_by_role("button", name="Valider").wait_for(state="detached", timeout=30_000)
    hour = await holds(page, "Heure (HH:MM)", lambda v: re.fullmatch(r"\d\d:\d\d", v) is not None)

    # Typing still works beside the buttons, with the same checks.
    await type_into(page, "Professionnel de santé", "Dr Alex Durand")
    await tap(page, "Enregistrer le rendez-vous")
    await see(page, "Rendez-vous ajouté.")
    await see(page, f"28/01/2027 à {hour}")
    assert await field(page, "Date (JJ/MM/AAAA)").count() == 0


async def test_documents_list_first_with_filters_folded(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "ines.filtres@example.fr"
    stack.activate(653, "Inès", email)
    await sign_in(page, stack, email, "Inès")
    await open_tile(page, "Documents")
    await see(page, "Documents affichés : 0")
    # On a phone the filters are folded: one button, its state exposed to screen readers.
    toggle = page.locator("[aria-expanded]", has_text="Filtrer")
    await toggle.first.wait_for(state="visible", timeout=30_000)
    assert await toggle.first.get_attribute("aria-expanded") == "false"
    assert await field(page, "Rechercher (titre, type, auteur)").count() == 0
    await shot(page, "documents-01-folded")

    await toggle.first.click()
    await page.locator("[aria-expanded='true']", has_text="Filtrer").first.wait_for(timeout=30_000)
    await type_into(page, "Rechercher (titre, type, auteur)", "sang")
    await see(page, "Filtrer (1 filtre actif)")
    # A date filter picked from the calendar counts too.
    await tap(page, "Choisir la date : Du (date)")
    await tap(page, "Valider")
    await see(page, "Filtrer (2 filtres actifs)")
    await shot(page, "documents-02-filters-open")

    await page.locator("[aria-expanded='true']", has_text="Filtrer").first.click()
    await page.locator("[aria-expanded='false']", has_text="Filtrer (2 filtres actifs)").first.wait_for(
        timeout=30_000
    )
    assert await field(page, "Rechercher (titre, type, auteur)").count() == 0
