"""Issue #17 in a real browser: the third emergency switch, what professionals see of the profile
(a section shared), and alerts on every access by e-mail."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, open_tile
from tests.browser.test_activation_login import log_in, see, set_pin, shot, tap

pytestmark = BROWSER


async def test_third_switch_sharing_and_alerts(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "ada.alertes@example.fr"
    stack.activate(581, "Ada", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Ada")
    await open_tile(page, "Mes professionnels de santé")
    await see(page, "Ma liste")

    await tap(page, "Régler l'accès en urgence")
    masked = page.get_by_role("switch", name="Documents masqués lisibles en urgence")
    await masked.wait_for()
    assert not await masked.is_checked()  # off until the holder says so
    await masked.click()
    await see(page, "Enregistré : en urgence, vos documents masqués pourront être lus.")
    assert await masked.is_checked()
    await back(page)

    await see(page, "Ma liste")
    await tap(page, "Choisir ce que voient les professionnels")
    await see(page, "Partagé au départ")
    allergies = page.get_by_role("switch", name="Mes allergies")
    assert not await allergies.is_checked()  # private until shared, as the national app
    assert await page.get_by_role("switch", name="Mes vaccinations").is_checked()
    await allergies.click()
    await see(page, "Enregistré : cette partie est partagée avec les professionnels autorisés.")
    assert await allergies.is_checked()
    await shot(page, "profile-sharing")
    await back(page)

    await see(page, "Ma liste")
    await tap(page, "Choisir mes alertes d'accès")
    await see(page, "Les accès en urgence et ceux du médecin régulateur")
    by_email = page.get_by_role("radio", name="À chaque accès").nth(1)  # in the app, e-mail, SMS
    await by_email.click()
    await see(page, "Votre choix d'alertes est enregistré.")
    assert await by_email.is_checked()
    first = page.get_by_role("radio", name="Au premier accès de chaque professionnel")
    assert await first.nth(0).is_checked() and not await first.nth(1).is_checked()  # the app's unchanged
    await shot(page, "alerts")
    assert not browser_page.errors, browser_page.errors
