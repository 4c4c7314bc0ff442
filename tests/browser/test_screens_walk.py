"""Every screen as a screen reader meets it: each control named, a heading, the page's language,
nothing outside the viewport (tests/browser/a11y.py). The walk goes through the screens before and
after signing in, each section of the space in French, then home in English; it fails listing
every problem it met, not at the first one."""

import contextlib

from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser.a11y import Problems, audit
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin, shot, tap

pytestmark = BROWSER

# The sections of home (their tile's first words) and the heading of the screen each opens.
SECTIONS = {
    "Documents": "Mes documents",
    "Profil médical": "Mon profil médical",
    "Messagerie": "Messagerie",
    "Agenda": "Mon agenda santé",
    "Mes enfants": "Mes enfants",
    "Mes professionnels de santé": "Mes professionnels de santé",
    "Historique des accès": "Historique des accès",
    "Catalogue de services": "Catalogue de services",
    "Paramètres": "Paramètres",
}


async def back(page, shown: str) -> None:  # type: ignore[no-untyped-def]
    """The arrow back to a first screen (`shown` is on it). A tap that lands while the screen is
    still being redrawn (a list loading) is lost: tap again; the first screens have no arrow back,
    so a second tap can never go further back."""
    arrow, there = page.get_by_role("button", name="Retour", exact=True).first, page.get_by_text(shown).first
    for _ in range(4):
        with contextlib.suppress(PlaywrightTimeout):
            await arrow.click(timeout=5_000)
        with contextlib.suppress(PlaywrightTimeout):
            await there.wait_for(state="visible", timeout=5_000)
            return
    await see(page, shown)  # fails with a screenshot


async def test_every_screen_is_named_headed_and_in_view(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    found: list[Problems] = []

    await see(page, "Bienvenue sur Mon espace santé")
    found.append(await audit(page, "welcome"))
    for button, shown, name in (
        ("Activer mon espace", "Étape 1", "activation"),
        ("Je refuse la création de mon espace", "Refuser mon espace", "objection"),
        ("J'ai perdu mon code / mon code a expiré", "Recevoir un nouveau code", "new letter"),
    ):
        await tap(page, button)
        await see(page, shown)
        found.append(await audit(page, name))
        await back(page, "Bienvenue sur Mon espace santé")

    email = "parcours@example.fr"
    stack.activate(541, "Léa", email)
    await log_in(page, stack, email)
    await see(page, "Choisissez un code de déverrouillage")
    found.append(await audit(page, "unlock code"))
    await set_pin(page)
    await see(page, "Bonjour Léa")
    await page.get_by_role("button", name="Notifications", exact=False).first.wait_for()
    found.append(await audit(page, "home"))
    await shot(page, "walk-home")

    for tile, heading in SECTIONS.items():
        await page.get_by_role("button", name=tile).first.click()
        await page.get_by_role("heading", name=heading, exact=True).first.wait_for()
        found.append(await audit(page, tile))
        await back(page, "Bonjour Léa")

    await tap(page, "English")
    await see(page, "Hello Léa")
    found.append(await audit(page, "home in English", lang="en"))
    await shot(page, "walk-home-en")

    problems = [str(p) for p in found if p]
    assert not problems, "\n".join(problems)
