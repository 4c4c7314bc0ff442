"""Leaving the app on a device: "Verrouiller" keeps the space sealed here, "Me déconnecter" signs
out and erases this device's copy, after a warning when changes could not be sent."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, open_tile
from tests.browser.test_activation_login import log_in, see, set_pin, shot, tap, type_into

pytestmark = BROWSER


async def test_unsent_changes_are_warned_of_before_the_logout_erases_them(
    stack: Stack, browser_page: Browser
) -> None:
    page = browser_page.page
    email = "jeanne.depart@example.fr"
    stack.activate(571, "Jeanne", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Jeanne")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)

    stack.cut_network()  # what is written now stays on this device
    await open_tile(page, "Profil médical")
    await open_tile(page, "Mes allergies")
    await tap(page, "Ajouter une allergie")
    await type_into(page, "Allergie à (médicament, aliment, produit…)", "Arachide")
    await tap(page, "Enregistrer")
    await see(page, "C'est enregistré sur cet appareil")
    await back(page)
    await back(page)
    await see(page, "Bonjour Jeanne")

    await tap(page, "Me déconnecter")
    await see(page, "Des modifications ne sont pas envoyées")
    await see(page, "1 modification n'a pas pu être envoyée")
    await shot(page, "logout-unsent")
    await tap(page, "Annuler")  # nothing lost: still in the space
    await see(page, "Bonjour Jeanne")
    assert any(p.name == "store.db" for p in stack.devices.rglob("*"))

    await tap(page, "Me déconnecter")
    await tap(page, "Me déconnecter quand même")
    await see(page, "Déconnexion faite : cet appareil ne garde plus votre espace.")
    await see(page, "Bienvenue sur Mon espace santé")
    assert not any(p.name == "store.db" for p in stack.devices.rglob("*"))  # the copy is erased
    assert not browser_page.errors, browser_page.errors
