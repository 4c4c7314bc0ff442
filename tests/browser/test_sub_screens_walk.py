"""The screens one level down, as a screen reader meets them (tests/browser/a11y.py): a document,
a conversation, a child's space (to activate, then its home), the notifications, the agenda's
forms and reminders, the helpers' other side, the professionals' settings, the account's screens
and the medical profile's sections. Each must name every control, keep its nodes in view and have
exactly one top-level heading; a dropdown says the option chosen. The walk lists every problem it
met, not only the first."""

import contextlib
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser.a11y import Problems, audit, says_value
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import cli, pro_reads, register_pro, sign_in
from tests.browser.test_activation_login import choose, reveal, see, tap, type_into
from tests.browser.test_vault_and_documents import tiny_pdf

pytestmark = BROWSER

REPORT = "Compte rendu du 3 mars"
SUBJECT = "Votre prochain rendez-vous"

# The names of the level-1 headings shown (Flutter draws a heading as <hN> or role=heading).
TOP_HEADINGS = """() => [...document.querySelectorAll('h1, [role=heading][aria-level="1"]')]
  .map(e => (e.getAttribute('aria-label') || e.textContent || '').trim())"""
CHANGED = f"before => {{ const n = ({TOP_HEADINGS})(); return n.length > 0 && n[0] !== before; }}"
LOADED = f"() => {{ const n = ({TOP_HEADINGS})(); return n.length > 0 && !n[0].endsWith('…'); }}"

# From each section (its tile), the buttons that open a screen one level down (their first words).
SUB_SCREENS = {
    "Agenda": ("Ajouter un rendez-vous", "Mes rappels de prévention", "Mon bilan prévention"),
    "Aidants": ("Les personnes que j'aide",),
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


async def press(page, target) -> bool:  # type: ignore[no-untyped-def]
    """Tap a button until the top heading changes (a tap landing while the screen is redrawn is
    lost); False when it never did (a screen without a heading: the audit says so)."""
    before = await top_heading(page)
    for _ in range(3):
        await reveal(page, target)
        await target.first.click()
        try:
            await page.wait_for_function(CHANGED, arg=before, timeout=10_000)
            return True
        except PlaywrightTimeout:
            continue
    return False


async def visit(page, found: list[Problems], button: str, name: str = "", way_back: str = "Retour") -> None:  # type: ignore[no-untyped-def]
    """Open a screen from the one shown by a button (the first whose name holds `button`),
    audit it, and come back (by the arrow, or the screen's own button `way_back`)."""
    before = await top_heading(page)
    await press(page, page.get_by_role("button", name=button))
    with contextlib.suppress(PlaywrightTimeout):  # "Ouverture du document…": wait for the document
        await page.wait_for_function(LOADED, timeout=20_000)
    shown = await top_heading(page)
    assert shown != before or not shown, f"{button!r} did not open another screen"
    found.append(await audit(page, name or button))
    assert await press(page, page.get_by_role("button", name=way_back, exact=True)), (
        f"no way back from {shown!r}"
    )


async def enter(page, tile: str) -> None:  # type: ignore[no-untyped-def]
    """From home, a section of the space (once its screen is shown)."""
    assert await press(page, page.get_by_role("button", name=tile)), f"{tile!r} did not open"


async def leave(page) -> None:  # type: ignore[no-untyped-def]
    """Back home from a section."""
    await page.get_by_role("button", name="Retour", exact=True).first.click()
    await see(page, "Bonjour Léa")


async def test_sub_screens_are_named_headed_and_in_view(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    found: list[Problems] = []
    email = "sous.ecrans@example.fr"
    nir = stack.activate(561, "Léa", email)
    born = date.today().replace(day=1) - timedelta(days=8 * 366)
    code, child_nir, vitale = stack.enrol_child(562, "Tom", 561, born.isoformat())
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

    await enter(page, "Documents")
    await see(page, REPORT)
    await visit(page, found, REPORT, "a document")
    await visit(page, found, "Partager des documents")
    assert await press(page, page.get_by_role("button", name="Ajouter un document"))
    await choose(page, "Type de document", "Compte rendu de consultation")
    assert await says_value(page, "Type de document", "Compte rendu de consultation"), (
        "the dropdown does not say the option chosen"
    )
    found.append(await audit(page, "add a document"))
    assert await press(page, page.get_by_role("button", name="Retour", exact=True))
    await leave(page)

    await visit(page, found, "Notifications", "the notifications")
    await enter(page, "Messagerie")
    await visit(page, found, "Conversation avec Dr Alex Durand", "a conversation")
    await leave(page)

    await enter(page, "Mes enfants")
    await visit(page, found, "Activer l'espace de Tom", "a child's space to activate", way_back="Annuler")
    await leave(page)

    for tile, buttons in SUB_SCREENS.items():
        await enter(page, tile)
        for button in buttons:
            await visit(page, found, button)
        await leave(page)

    # Last, the child's space itself, once activated (its home, with the band of the space shown).
    await enter(page, "Mes enfants")
    await tap(page, "Activer l'espace de Tom")
    await type_into(page, "Code provisoire", code)
    await type_into(page, "Numéro de sécurité sociale", child_nir)
    await type_into(page, "Numéro de série de la carte Vitale", vitale)
    await tap(page, "Vérifier")
    await tap(page, "Oui, activer l'espace de Tom")
    await see(page, "L'espace de Tom est activé.")
    assert await press(page, page.get_by_role("button", name="Espace de Tom"))
    found.append(await audit(page, "a child's space"))
    await see(page, "À jour · dernière synchronisation", timeout=40_000)  # its first sync done

    problems = [str(p) for p in found if p]
    assert not problems, "\n".join(problems)
