"""A person fills their medical profile in a real browser: an allergy, then the emergency card,
which a rescuer opens from the unlock screen without the unlock code."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, open_tile
from tests.browser.test_activation_login import choose, log_in, see, set_pin, shot, tap, type_into

pytestmark = BROWSER

SUBSTANCE = "Pénicilline"


async def test_allergy_then_emergency_card_from_the_unlock_screen(
    stack: Stack, browser_page: Browser
) -> None:
    page = browser_page.page
    email = "louise.profil@example.fr"
    stack.activate(531, "Louise", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Louise")

    await open_tile(page, "Profil médical")
    await see(page, "Mon profil médical")
    await see(page, "Urgence et volontés")
    await shot(page, "profile-hub")

    # An allergy: the required field is said, then saved with its severity.
    await open_tile(page, "Mes allergies")
    await tap(page, "Ajouter une allergie")
    await tap(page, "Enregistrer")
    await see(page, "Ce champ est obligatoire.")
    await type_into(page, "Allergie à (médicament, aliment, produit…)", SUBSTANCE)
    await choose(page, "Gravité (facultatif)", "Danger de mort (choc anaphylactique)")
    await tap(page, "Enregistrer")
    await see(page, "C'est enregistré sur cet appareil")
    await see(page, SUBSTANCE)
    await shot(page, "profile-allergies")

    # Wishes: the law on organ donation said plainly, a choice saved.
    await back(page)
    await open_tile(page, "Urgence et volontés")
    await see(page, "registre national des refus")
    await page.get_by_role("radio", name="Je refuse tout don d'organes et de tissus").click()
    await tap(page, "Enregistrer mes volontés")
    await see(page, "Vos volontés sont enregistrées.")
    await shot(page, "profile-wishes")

    # The emergency card: off by default and explained, then turned on.
    await back(page)
    await see(page, "Désactivée (vous pouvez l'activer)")
    await open_tile(page, "Carte d'urgence")
    await see(page, "SANS votre code")
    await see(page, "Désactivée : personne ne peut la lire sans votre code.")
    await tap(page, "Activer la carte d'urgence")
    await see(page, "Activée : lisible depuis l'écran de déverrouillage de cet appareil.")
    await see(page, f"{SUBSTANCE} — gravité : Danger de mort")
    await see(page, "Je refuse tout don d'organes et de tissus")
    await shot(page, "profile-card-on")

    # Locked: the unlock screen offers the card; it opens without the code.
    await back(page)
    await back(page)
    await tap(page, "Verrouiller")
    await see(page, "Déverrouiller mon espace")
    await page.reload()  # a new session of the same browser: the card's key comes from its storage
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    await see(page, "Déverrouiller mon espace")
    await shot(page, "profile-unlock-with-card")
    await tap(page, "Carte d'urgence")
    await see(page, "Carte d'urgence de Louise Martin")
    await see(page, f"{SUBSTANCE} — gravité : Danger de mort")
    await see(page, "lisibles sans code")
    await shot(page, "profile-emergency-card")
    await tap(page, "Retour au déverrouillage")
    await see(page, "Déverrouiller mon espace")

    # The copy of the card on disk is not readable as such.
    device_files = [p for p in stack.devices.rglob("*") if p.is_file()]
    assert any(p.name == "emergency_card.enc" for p in device_files)
    for path in device_files:
        raw = path.read_bytes()
        assert SUBSTANCE.encode() not in raw and b"Louise" not in raw, path
    assert not browser_page.errors, browser_page.errors
