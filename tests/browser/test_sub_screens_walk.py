"""The screens one level down, as a screen reader meets them (tests/browser/a11y.py): a document,
a conversation, a child's space to activate, the professionals' settings, the account's screens
and the medical profile's sections. Each must name every control, keep its nodes in view and have
exactly one top-level heading; a dropdown says the option chosen. The walk lists every problem it
met, not only the first."""

import contextlib
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser.a11y import Problems, audit, says_value
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import cli, open_tile, pro_reads, register_pro, sign_in
from tests.browser.test_activation_login import choose, reveal, see
from tests.browser.test_vault_and_documents import tiny_pdf

pytestmark = BROWSER

REPORT = "Compte rendu du 3 mars"
SUBJECT = "Votre prochain rendez-vous"

# The names of the level-1 headings shown (Flutter draws a heading as <hN> or role=heading).
TOP_HEADINGS = """() => [...document.querySelectorAll('h1, [role=heading][aria-level="1"]')]
  .map(e => (e.getAttribute('aria-label') || e.textContent || '').trim())"""
CHANGED = f"before => {{ const n = ({TOP_HEADINGS})(); return n.length > 0 && n[0] !== before; }}"
BACK_TO = f"before => ({TOP_HEADINGS})().includes(before)"

# From each section (its tile), the buttons that open a screen one level down (their first words).
SUB_SCREENS = {
    "Mes professionnels de santé": (
        "Régler l'accès en urgence",
        "Choisir ce que voient les professionnels",
        "Choisir mes alertes d'accès",
    ),
    "Paramètres": (
        "Changer mon adresse e-mail",
        "Ajouter un numéro de téléphone",
        "Changer la réception des codes",
        "Changer mon mot de passe",
        "Changer mon code de déverrouillage",
        "Appareils connectés",
        "Mes droits",
        "Exporter toutes mes données",
    ),
    "Profil médical": (
        "Mes mesures",
        "Mon histoire de santé",
        "Mes maladies",
        "Mes allergies",
        "Mes vaccinations",
        "Urgence et volontés",
        "Carte d'urgence",
        "Données administratives",
        "Mes remboursements",
    ),
}


async def top_heading(page) -> str:  # type: ignore[no-untyped-def]
    names = await page.evaluate(TOP_HEADINGS)
    return names[0] if names else ""


async def visit(page, found: list[Problems], button: str, name: str = "", way_back: str = "Retour") -> None:  # type: ignore[no-untyped-def]
    """Open a screen from the one shown by a button (the first whose name holds `button`),
    audit it, and come back (by the arrow, or the screen's own button `way_back`)."""
    before = await top_heading(page)
    target = page.get_by_role("button", name=button)
    for _ in range(3):  # a click landing while the screen is redrawn is lost: click again
        await reveal(page, target)
        await target.first.click()
        with contextlib.suppress(PlaywrightTimeout):  # no heading at all: the audit says so
            await page.wait_for_function(CHANGED, arg=before, timeout=10_000)  # the screen changed
            break
    found.append(await audit(page, name or button))
    shown = await top_heading(page)
    await page.get_by_role("button", name=way_back, exact=True).first.click()
    await page.wait_for_function(CHANGED, arg=shown)  # back (a count in the heading may have moved)


async def test_sub_screens_are_named_headed_and_in_view(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    found: list[Problems] = []
    email = "sous.ecrans@example.fr"
    nir = stack.activate(561, "Léa", email)
    born = date.today().replace(day=1) - timedelta(days=8 * 366)
    stack.enrol_child(562, "Tom", 561, born.isoformat())
    key = register_pro(stack)
    assert pro_reads(stack, key, nir, "--consent").returncode == 0
    report = tmp_path / "cr.pdf"
    tiny_pdf(report, pages=1)
    for args in (
        ("add", "--nir", nir, "--file", str(report), "--title", REPORT, "--type", "consultation_report"),
        ("write", "--nir", nir, "--subject", SUBJECT, "--body", "Bonjour, à mardi."),
    ):
        done = cli(stack, "backend_stub.commands.pro", "--key", key, *args)
        assert done.returncode == 0, done.stdout + done.stderr

    await sign_in(page, stack, email, "Léa")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)

    await open_tile(page, "Documents")
    await see(page, REPORT)
    await visit(page, found, REPORT, "a document")
    before = await top_heading(page)
    await open_tile(page, "Ajouter un document")
    await page.wait_for_function(CHANGED, arg=before)
    await choose(page, "Type de document", "Compte rendu de consultation")
    assert await says_value(page, "Type de document", "Compte rendu de consultation"), (
        "the dropdown does not say the option chosen"
    )
    found.append(await audit(page, "add a document"))
    await page.get_by_role("button", name="Retour", exact=True).first.click()
    await page.wait_for_function(BACK_TO, arg=before)
    await page.get_by_role("button", name="Retour", exact=True).first.click()
    await see(page, "Bonjour Léa")

    await open_tile(page, "Messagerie")
    await visit(page, found, "Conversation avec Dr Alex Durand", "a conversation")
    await page.get_by_role("button", name="Retour", exact=True).first.click()
    await see(page, "Bonjour Léa")

    await open_tile(page, "Mes enfants")
    await visit(page, found, "Activer l'espace de Tom", "a child's space to activate", way_back="Annuler")
    await page.get_by_role("button", name="Retour", exact=True).first.click()
    await see(page, "Bonjour Léa")

    for tile, buttons in SUB_SCREENS.items():
        await open_tile(page, tile)
        await see(page, buttons[0])
        for button in buttons:
            await visit(page, found, button)
        await page.get_by_role("button", name="Retour", exact=True).first.click()
        await see(page, "Bonjour Léa")

    problems = [str(p) for p in found if p]
    assert not problems, "\n".join(problems)
