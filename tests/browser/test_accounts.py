"""The account a person keeps (issue #14) in a real browser: change the password and log in with the
new one; forget it and reset it; see two devices and sign one out from the other (that tab goes back
to the login screen, its vault locked), then "J'ai oublié mon code de déverrouillage" there."""

import re
import time

from tests.browser.conftest import BROWSER, OTP_RE, PASSWORD, Browser, Stack
from tests.browser.test_activation_login import see, set_pin, shot, tap, type_into, value_of

pytestmark = BROWSER

NEW_PASSWORD = "Printemps-vert-2027?"
NEW_EMAIL = "ines.nouvelle@example.fr"
PHONE = {"viewport": {"width": 412, "height": 860}, "locale": "fr-FR"}
# A second browser on the same computer that says it is Edge (same engine, another name).
EDGE = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Safari/537.36 Edg/131.0.0.0"
)


def wait_code(stack: Stack, to: str, kind: str, count: int = 1, timeout: float = 20) -> str:
    """The six digits of the `count`-th message of `kind` sent to `to` (waits for it to arrive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in stack.messages(to) if m.get("kind") == kind]
        if len(found) >= count:
            match = OTP_RE.search(found[0]["body"])
            assert match
            return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no {kind} for {to}")


async def open_app(context, stack: Stack, errors: list[str]):  # type: ignore[no-untyped-def]
    """A tab of the app in `context`, its semantics tree on (the labels the tests find)."""
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and "ERR_NAME_NOT_RESOLVED" not in msg.text
            else None
        ),
    )
    page.set_default_timeout(30_000)
    await page.goto(stack.app_url)
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    return page


async def log_in(page, stack: Stack, email: str, password: str, codes: int) -> None:  # type: ignore[no-untyped-def]
    """From the welcome screen; `codes`: how many login codes this address got, this one included."""
    await see(page, "Bienvenue sur Mon espace santé")
    await tap(page, "Me connecter")
    await type_into(page, "Adresse e-mail", email)
    await type_into(page, "Mot de passe", password)
    await tap(page, "Continuer")
    await see(page, "Un code à 6 chiffres")
    await type_into(page, "Code reçu par e-mail", wait_code(stack, email, "otp", codes))
    await tap(page, "Valider le code")


def real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if "rive" not in e.lower()]  # the one CDN request Flet makes


async def test_change_the_password_and_email_then_log_in_with_the_new_ones(
    stack: Stack, browser_page: Browser
) -> None:
    page = browser_page.page
    email = "ines.compte@example.fr"
    stack.activate(601, "Inès", email)
    await log_in(page, stack, email, PASSWORD, 1)
    await set_pin(page)
    await see(page, "Bonjour Inès")
    await page.get_by_role("button", name="Paramètres").first.click()
    await see(page, "Mon compte")
    await see(page, "Téléphone portable : aucun numéro enregistré")
    await shot(page, "accounts-01-settings")

    await tap(page, "Changer mon mot de passe")
    await see(page, "Vos autres appareils seront déconnectés")
    await type_into(page, "Mot de passe actuel", "Pas-le-bon-2026!")
    await type_into(page, "Nouveau mot de passe", "court")
    await see(page, "entre 12 et 128 caractères : pas encore respecté")
    await type_into(page, "Nouveau mot de passe", NEW_PASSWORD)
    await see(page, "entre 12 et 128 caractères : respecté")
    await type_into(page, "Confirmer le nouveau mot de passe", NEW_PASSWORD)
    await tap(page, "Enregistrer le nouveau mot de passe")
    await see(page, "Mot de passe actuel incorrect.")  # under the field; nothing typed is lost
    await shot(page, "accounts-02-password-wrong-current")
    assert await value_of(page, "Nouveau mot de passe") == NEW_PASSWORD
    await type_into(page, "Mot de passe actuel", PASSWORD)
    await tap(page, "Enregistrer le nouveau mot de passe")
    await see(page, "C'est fait : votre mot de passe a été changé.")
    await shot(page, "accounts-03-password-changed")

    # A new e-mail: the password again, then the code sent to the new address.
    await tap(page, "Changer mon adresse e-mail")
    await type_into(page, "Nouvelle adresse e-mail", NEW_EMAIL)
    await type_into(page, "Mot de passe", NEW_PASSWORD)
    await tap(page, "Recevoir un code")
    await see(page, "vient d'être envoyé à i***@e***.fr")
    await type_into(page, "Code reçu", wait_code(stack, NEW_EMAIL, "contact_code"))
    await shot(page, "accounts-05-email-code")
    await tap(page, "Confirmer le changement")
    await see(page, "C'est fait : votre nouvelle adresse e-mail est enregistrée.")
    await see(page, f"Identifiant (e-mail) : {NEW_EMAIL}")
    assert any(m.get("kind") == "email_changed" for m in stack.messages(email))  # the old one is told
    await tap(page, "Changer mon code de déverrouillage")
    await page.get_by_role("textbox", name="Code de déverrouillage actuel", exact=True).wait_for()
    await shot(page, "accounts-06-unlock-code")

    # Another browser: the old password no longer opens the space, the new one does.
    other = await page.context.browser.new_context(**PHONE)
    try:
        tab = await open_app(other, stack, browser_page.errors)
        await see(tab, "Bienvenue sur Mon espace santé")
        await tap(tab, "Me connecter")
        await type_into(tab, "Adresse e-mail", NEW_EMAIL)
        await type_into(tab, "Mot de passe", PASSWORD)
        await tap(tab, "Continuer")
        await see(tab, "incorrect")
        await type_into(tab, "Mot de passe", NEW_PASSWORD)
        await tap(tab, "Continuer")
        await see(tab, "Un code à 6 chiffres")
        await type_into(tab, "Code reçu par e-mail", wait_code(stack, NEW_EMAIL, "otp"))
        await tap(tab, "Valider le code")
        await set_pin(tab)
        await see(tab, "Bonjour Inès")
        await shot(tab, "accounts-04-new-password-home")
    finally:
        await other.close()
    assert not real_errors(browser_page.errors), browser_page.errors


async def test_forget_the_password_and_reset_it(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "jules.oubli@example.fr"
    nir = stack.activate(602, "Jules", email)
    await see(page, "Bienvenue sur Mon espace santé")
    await tap(page, "Me connecter")
    await tap(page, "Mot de passe oublié ?")
    await see(page, "Étape 1 sur 2 : qui êtes-vous ?")
    await type_into(page, "Numéro de sécurité sociale", nir)
    await type_into(page, "Numéro de série de la carte Vitale", "12")
    await tap(page, "Recevoir un code")
    await see(page, "carte Vitale compte de 8 à 12 chiffres")  # its error, under the field
    await shot(page, "accounts-11-reset-step1-error")
    assert await value_of(page, "Numéro de sécurité sociale") == nir
    await type_into(page, "Numéro de série de la carte Vitale", "10000602")
    await tap(page, "Recevoir un code")
    await see(page, "Étape 2 sur 2 : votre nouveau mot de passe")
    code = wait_code(stack, email, "reset_code")
    await type_into(page, "Code reçu", code)
    await type_into(page, "Nouveau mot de passe", "abc")
    await see(page, "une lettre minuscule : respecté")
    await see(page, "une lettre majuscule : pas encore respecté")
    await type_into(page, "Nouveau mot de passe", NEW_PASSWORD)
    await type_into(page, "Confirmer le nouveau mot de passe", NEW_PASSWORD)
    await shot(page, "accounts-12-reset-step2")
    await tap(page, "Enregistrer mon nouveau mot de passe")
    await see(page, "Votre mot de passe a été changé. Connectez-vous avec le nouveau.")
    await see(page, "Saisissez l'adresse e-mail et le mot de passe")  # the login screen
    await shot(page, "accounts-13-reset-done-login")
    assert any(m.get("kind") == "password_reset" for m in stack.messages(email))  # told by e-mail

    await type_into(page, "Adresse e-mail", email)
    await type_into(page, "Mot de passe", NEW_PASSWORD)
    await tap(page, "Continuer")
    await see(page, "Un code à 6 chiffres")
    await type_into(page, "Code reçu par e-mail", wait_code(stack, email, "otp"))
    await tap(page, "Valider le code")
    await set_pin(page)
    await see(page, "Bonjour Jules")
    assert not real_errors(browser_page.errors), browser_page.errors


async def test_two_devices_one_signed_out_from_the_other(stack: Stack, browser_page: Browser) -> None:
    email = "lea.appareils@example.fr"
    stack.activate(603, "Léa", email)
    laptop = browser_page.page  # "Navigateur Chrome sur Linux"
    other = await laptop.context.browser.new_context(**PHONE, user_agent=EDGE)
    try:
        edge = await open_app(other, stack, browser_page.errors)
        await log_in(edge, stack, email, PASSWORD, 1)
        await set_pin(edge)
        await see(edge, "Bonjour Léa")

        await log_in(laptop, stack, email, PASSWORD, 2)
        await set_pin(laptop)
        await see(laptop, "Bonjour Léa")
        await laptop.get_by_role("button", name="Paramètres").first.click()
        await tap(laptop, "Appareils connectés")
        await see(laptop, "Navigateur Edge sur Linux")
        await see(laptop, "Navigateur Chrome sur Linux")
        await see(laptop, "Cet appareil")
        await see(laptop, "Type : navigateur web")
        await see(laptop, "Dernière utilisation : ")
        text = await laptop.locator("body").inner_text()
        firsts = re.findall(r"Première connexion : \d{2}/\d{2}/\d{4} à \d{2}:\d{2}", text)
        assert len(firsts) == 2, text
        await shot(laptop, "accounts-21-devices")
        # Only the other one (this one logs out from home), read with the device's name.
        assert await laptop.get_by_role("button", name=re.compile("^Déconnecter cet appareil")).count() == 1
        sign_out = laptop.get_by_role(
            "button", name="Déconnecter cet appareil : Navigateur Edge sur Linux", exact=True
        )
        await sign_out.click()
        await see(laptop, "Déconnecter cet appareil ?")
        await see(laptop, "« Navigateur Edge sur Linux » n'aura plus accès à votre espace santé.")
        await shot(laptop, "accounts-22-sign-out-dialog")
        await tap(laptop, "Déconnecter")
        await see(laptop, "C'est fait : « Navigateur Edge sur Linux » n'a plus accès à votre espace santé.")
        await laptop.get_by_text("Navigateur Edge sur Linux", exact=True).wait_for(state="detached")
        await shot(laptop, "accounts-23-signed-out")

        # The other tab, at its next contact with the server: back to the login, saying why.
        await see(edge, "Cet appareil a été déconnecté de votre espace depuis un autre appareil.")
        await see(edge, "Saisissez l'adresse e-mail et le mot de passe")
        await shot(edge, "accounts-24-other-tab-signed-out")
        await edge.locator("[aria-label='Retour']").first.click()
        await see(edge, "Déverrouiller mon espace")  # its vault is here, locked
        await tap(edge, "J'ai oublié mon code de déverrouillage")
        await see(edge, "Personne ne peut retrouver ce code")
        await shot(edge, "accounts-25-forgot-unlock-code")
        await tap(edge, "Effacer et me reconnecter")
        await see(edge, "La copie de votre espace gardée sur cet appareil a été effacée.")
        await shot(edge, "accounts-26-copy-erased")
    finally:
        await other.close()
    assert not real_errors(browser_page.errors), browser_page.errors
