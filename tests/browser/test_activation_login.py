"""A person uses the app in a real browser: activate, log in with a code, look around, close, reopen."""

import re
import time

from playwright.async_api import TimeoutError as PlaywrightTimeout

from backend_stub.demo import nir_for
from tests.browser.conftest import BROWSER, PASSWORD, SHOTS, Browser, Stack

pytestmark = BROWSER

SECTIONS_FR = (
    "Documents",
    "Profil médical",
    "Messagerie",
    "Agenda",
    "Mes enfants",
    "Historique des accès",
    "Catalogue de services",
    "Paramètres",
)


# A field's name is its label, then its hint on a second line once Flutter has drawn it.
FOCUSED = (
    "label => { const name = document.activeElement && document.activeElement.getAttribute('aria-label');"
    " return name === label || (name || '').startsWith(label + '\\n'); }"
)
HOLDS = "text => document.activeElement && document.activeElement.value === text"


async def painted(page) -> None:
    """Wait until the browser has drawn two more frames: what Flutter built is on screen."""
    await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


async def reveal(page, control, timeout: float = 30_000) -> None:
    """Scroll the page until `control` (a locator) is in the semantics tree.

    Flutter leaves a control scrolled out of view out of the DOM, so Playwright cannot scroll to
    it: the wheel scrolls the page down, then back to the top, until the control shows up.
    """
    deadline = time.monotonic() + timeout / 1000
    down = 0
    while True:
        try:
            await control.first.wait_for(state="attached", timeout=1_500)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                await page.screenshot(path=str(SHOTS / "FAILED-reveal.png"))
                raise
        await page.mouse.move(200, 500)
        down = 0 if down == 8 else down + 1
        await page.mouse.wheel(0, 400 if down else -20_000)


async def choose(page, label: str, option: str) -> None:
    """Open a dropdown by its label, pick an option, and wait until its menu has closed."""
    dropdown = page.locator("[aria-expanded]", has_text=label)
    await reveal(page, dropdown)
    opened = page.locator("[aria-expanded='true']").first
    for _ in range(4):  # a tap landing while the screen is redrawn (just after a choice) is lost: again
        await dropdown.first.click()
        try:
            await opened.wait_for(state="visible", timeout=7_500)
            break
        except PlaywrightTimeout:
            continue
    await opened.wait_for(state="visible")
    await page.get_by_role("button", name=option, exact=True).last.click()
    await page.locator("[aria-expanded='true']").first.wait_for(state="hidden")


async def settled(page, timeout: float = 15_000) -> None:
    """Wait until two frames in a row draw the same picture: an animation (a chart drawn, a veil
    fading) has ended."""
    deadline = time.monotonic() + timeout / 1000
    last = b""
    while time.monotonic() < deadline:
        await painted(page)
        picture = await page.screenshot()
        if picture == last:
            return
        last = picture
    raise AssertionError("the screen never stopped moving")


async def shot(page, name: str) -> None:
    await painted(page)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


def field(page, label: str):  # type: ignore[no-untyped-def]
    """A text field by its label, with or without its hint (a slash escaped: Playwright hands the
    pattern to the browser as a JavaScript regex literal)."""
    pattern = re.escape(label).replace("/", r"\/")
    return page.get_by_role("textbox", name=re.compile(f"^{pattern}(\n|$)"))


async def type_into(page, label: str, text: str, *, replace: bool = True) -> None:
    """Click a text field by its label (top-left: its helper text covers the middle), clear it, type.

    Keys typed before Flutter has given the field focus are lost, so wait for it,
    then check what the field holds and type again if needed.
    """
    box = field(page, label)
    await reveal(page, box)
    for _ in range(4):
        await box.click(position={"x": 24, "y": 18})
        try:
            await page.wait_for_function(FOCUSED, arg=label, timeout=5_000)
        except PlaywrightTimeout:
            continue  # the screen was redrawn under the click (e.g. just after a reload): click again
        await painted(page)  # Flutter attaches its text input in the frame after the focus
        if replace:
            await page.keyboard.press("Control+A")
            await page.keyboard.press("Backspace")
        await page.keyboard.type(text)
        try:
            await page.wait_for_function(HOLDS, arg=text, timeout=5_000)
            return
        except PlaywrightTimeout:
            pass
        print(f"retyping into {label!r}")  # seen in -s output only; the final check is below
    raise AssertionError(f"could not type into {label!r}")


async def value_of(page, label: str) -> str:
    """What a text field holds: Flutter puts it in the DOM editing element once the field has focus."""
    await field(page, label).click(position={"x": 24, "y": 18})
    await page.wait_for_function(FOCUSED, arg=label)
    await painted(page)
    return await page.evaluate("document.activeElement && document.activeElement.value || ''")


async def see(page, text: str, timeout: float = 30_000) -> None:
    try:
        await page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout)
    except Exception:
        await page.screenshot(path=str(SHOTS / "FAILED.png"))
        raise


# The bell's unread count (0 while it shows none), read from its name in the semantics tree.
BELL_COUNT = """() => {
  for (const el of document.querySelectorAll('flt-semantics, [role=button]')) {
    const name = el.getAttribute('aria-label') || el.textContent || '';
    const found = /^Notifications : (\\d+) non lue/.exec(name);
    if (found) return Number(found[1]);
  }
  return 0;
}"""


async def unread_at_least(page, least: int, timeout: float = 30_000) -> int:
    """The bell's unread count once it reaches `least`: server notifications plus the reminders the
    device computes (check-ups due for the holder's age), so tests count from what it shows."""
    try:
        await page.wait_for_function(f"least => ({BELL_COUNT})() >= least", arg=least, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"the bell never showed {least} unread") from None
    return int(await page.evaluate(BELL_COUNT))


async def tap(page, name: str) -> None:
    button = page.get_by_role("button", name=name, exact=True)
    await reveal(page, button)
    await button.click()


async def log_in(page, stack: Stack, email: str) -> None:
    """From the welcome screen: e-mail and password, then the one-time code from the outbox."""
    await see(page, "Bienvenue sur Mon espace santé")
    await tap(page, "Me connecter")
    await type_into(page, "Adresse e-mail", email)
    await type_into(page, "Mot de passe", PASSWORD)
    await tap(page, "Continuer")
    await see(page, "Un code à 6 chiffres")
    await type_into(page, "Code reçu par e-mail", stack.wait_otp(email))
    await tap(page, "Valider le code")


async def set_pin(page, pin: str = "Marguerite 2026") -> None:
    """First login on this browser: choose the vault's unlock code."""
    await see(page, "Choisissez un code de déverrouillage")
    await type_into(page, "Code de déverrouillage", pin)
    await type_into(page, "Confirmer le code de déverrouillage", pin)
    await tap(page, "Enregistrer mon code")


async def test_activation_login_sections_logout(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "camille.browser@example.fr"
    nir, vitale = nir_for(501), "10000501"
    code = stack.enrol(nir=nir, vitale=vitale, first_name="Camille", email="lettre501@example.fr")

    await see(page, "Bienvenue sur Mon espace santé")
    await shot(page, "01-welcome")
    # English from every screen, and back to French.
    await tap(page, "English")
    await see(page, "Welcome to My health space")
    await shot(page, "02-welcome-en")
    await tap(page, "Français")
    await see(page, "Bienvenue sur Mon espace santé")

    await tap(page, "Activer mon espace")
    await see(page, "Étape 1 sur 2")
    await type_into(page, "Code provisoire", code)
    await type_into(page, "Numéro de sécurité sociale", nir[:-2] + f"{(int(nir[-2:]) + 1) % 97:02d}")
    await type_into(page, "Numéro de série de la carte Vitale", vitale)
    await tap(page, "Vérifier mes informations")
    await see(page, "La clé (les 2 derniers chiffres) ne correspond pas au numéro")
    await shot(page, "03-activation-wrong-key")
    # What was typed is still there.
    assert await value_of(page, "Code provisoire") == code
    assert await value_of(page, "Numéro de série de la carte Vitale") == vitale

    await type_into(page, "Numéro de sécurité sociale", nir, replace=True)
    await tap(page, "Vérifier mes informations")
    await see(page, "Bonjour Camille !")
    await see(page, "Étape 2 sur 2")
    await shot(page, "04-activation-step2")
    await type_into(page, "Adresse e-mail", email)
    await type_into(page, "Mot de passe", "abc")
    await see(page, "une lettre minuscule : respecté")
    await see(page, "entre 12 et 128 caractères : pas encore respecté")
    await shot(page, "05-password-checklist-partial")
    await type_into(page, "Mot de passe", PASSWORD, replace=True)
    await see(page, "entre 12 et 128 caractères : respecté")
    await see(page, "un caractère spécial (par exemple ! ? # %) : respecté")
    await type_into(page, "Confirmer le mot de passe", PASSWORD)
    await shot(page, "06-activation-filled")
    await tap(page, "Activer mon espace")
    await see(page, "Votre espace santé est activé")
    await shot(page, "07-activated")

    await tap(page, "Me connecter")
    await see(page, "Saisissez l'adresse e-mail et le mot de passe")
    assert await value_of(page, "Adresse e-mail") == email  # prefilled
    await type_into(page, "Mot de passe", PASSWORD)
    await shot(page, "08-login")
    await tap(page, "Continuer")
    await see(page, "Un code à 6 chiffres vient d'être envoyé par e-mail à c***@e***.fr")
    await see(page, "minutes")
    otp = stack.wait_otp(email)
    wrong = "000000" if otp != "000000" else "111111"
    await type_into(page, "Code reçu par e-mail", wrong)
    await tap(page, "Valider le code")
    await see(page, "Code incorrect. Il vous reste 4 essais.")
    await shot(page, "09-code-wrong")
    await tap(page, "Renvoyer le code")
    await see(page, "Patientez")
    await shot(page, "10-resend-too-soon")
    await type_into(page, "Code reçu par e-mail", otp, replace=True)
    await tap(page, "Valider le code")
    await set_pin(page)

    await see(page, "Bonjour Camille")
    for name in SECTIONS_FR:
        await see(page, name)
    await shot(page, "11-home")
    await page.get_by_role("button", name="Messagerie").first.click()
    await see(page, "Aucune conversation")
    await shot(page, "12-messages-empty")
    await tap(page, "English")
    await see(page, "No conversation")
    await shot(page, "13-messages-empty-en")
    await tap(page, "Français")
    await page.locator("[aria-label='Retour']").first.click()
    await see(page, "Que souhaitez-vous consulter ?")
    await tap(page, "Verrouiller")
    await see(page, "Déverrouiller mon espace")  # locked: this browser keeps the vault, sealed
    await type_into(page, "Code de déverrouillage", "Marguerite 2026")
    await tap(page, "Déverrouiller")
    await see(page, "Que souhaitez-vous consulter ?")
    await tap(page, "Me déconnecter")  # signed out: the welcome screen, nothing left to unlock
    await see(page, "Déconnexion faite : cet appareil ne garde plus votre espace.")
    await see(page, "Bienvenue sur Mon espace santé")
    await shot(page, "14-logged-out")
    await page.reload()  # a new session of this browser opens on the welcome screen too
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    await see(page, "Bienvenue sur Mon espace santé")
    assert await page.get_by_text("Déverrouiller mon espace").count() == 0
    assert not browser_page.errors, browser_page.errors


async def test_close_and_reopen_the_space(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "lucie.browser@example.fr"
    stack.activate(502, "Lucie", email)

    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Lucie")

    await page.get_by_role("button", name="Paramètres").first.click()
    await see(page, "Mon compte")
    await see(page, email)
    await see(page, "Codes de connexion envoyés par e-mail")
    await shot(page, "21-settings")
    await tap(page, "Fermer mon espace santé")
    await see(page, "Fermer votre espace santé ?")
    await see(page, "supprimées définitivement 10 ans après la fermeture")
    await type_into(page, "Mot de passe", "Pas-le-bon-2026!")
    await tap(page, "Fermer mon espace")
    await see(page, "Mot de passe incorrect.")
    await shot(page, "22-close-dialog-wrong-password")
    await type_into(page, "Mot de passe", PASSWORD, replace=True)
    await tap(page, "Fermer mon espace")

    await see(page, "Votre espace santé est fermé")
    await see(page, "conservées jusqu'au")
    await shot(page, "23-closed")
    await tap(page, "Rouvrir mon espace")
    await see(page, "Bonjour Lucie")
    await see(page, "Historique des accès")
    await shot(page, "24-reopened-home")
    await tap(page, "Me déconnecter")
    await see(page, "Bienvenue sur Mon espace santé")
    assert not browser_page.errors, browser_page.errors


async def test_objection_with_confirmation(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    nir, vitale = nir_for(503), "10000503"
    code = stack.enrol(nir=nir, vitale=vitale, first_name="Yanis", email="lettre503@example.fr")

    await see(page, "Bienvenue sur Mon espace santé")
    await tap(page, "Je refuse la création de mon espace")
    await see(page, "aucun espace santé ne sera créé pour vous")
    await see(page, "Vous pourrez changer d'avis plus tard")
    await type_into(page, "Code provisoire", code)
    await type_into(page, "Numéro de sécurité sociale", nir)
    await type_into(page, "Numéro de série de la carte Vitale", vitale)
    await shot(page, "31-objection")
    await tap(page, "Je refuse la création de mon espace")
    await see(page, "Confirmer votre refus ?")
    await shot(page, "32-objection-dialog")
    await tap(page, "Oui, je refuse")
    await see(page, "Votre refus est enregistré")
    await shot(page, "33-objection-done")
    await tap(page, "Revenir à l'accueil")
    await see(page, "Bienvenue sur Mon espace santé")
    assert not browser_page.errors, browser_page.errors
