"""A parent activates their child's space from "Mes enfants", switches to it, adds a vaccination in
the child's profile, and the child's check-up reminders change; the child's band is on every screen
of the child's space, and the parent's own space stays apart."""

from datetime import date, timedelta

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, open_tile, sign_in
from tests.browser.test_activation_login import choose, see, shot, tap, type_into

pytestmark = BROWSER

DTCAP = "Diphtérie-tétanos-coqueluche-poliomyélite (DTCaP)"


async def band_visible(page) -> None:  # type: ignore[no-untyped-def]
    """The child's band, read by screen readers as one labelled region, with its button."""
    label = "Vous êtes dans l'espace de Léa, 8 ans. Ce que vous ajoutez va dans son espace."
    await page.get_by_label(label, exact=False).first.wait_for(state="visible", timeout=30_000)
    await page.get_by_role("button", name="Changer d'espace").first.wait_for(state="visible")


async def test_parent_switches_to_the_child_and_vaccinates(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "camille.parent@example.fr"
    stack.activate(701, "Camille", email)
    today = date.today()
    born = today.replace(year=today.year - 8, day=1) - timedelta(days=31)  # 8 years old
    code, nir, vitale = stack.enrol_child(702, "Léa", 701, born.isoformat())
    await sign_in(page, stack, email, "Camille")

    # Mes enfants: Léa's space is waiting for the parent.
    await open_tile(page, "Mes enfants")
    await see(page, "Léa Martin")
    await see(page, "8 ans · Espace à activer")
    await shot(page, "children-01-list")

    # The letter's three identifiers: each wrong one says why, then the server names the child.
    await tap(page, "Activer l'espace de Léa")
    await see(page, "Saisissez les informations du courrier")
    await tap(page, "Vérifier")
    await see(page, "Code provisoire")
    await type_into(page, "Code provisoire", code)
    await type_into(page, "Numéro de sécurité sociale", nir)
    await type_into(page, "Numéro de série de la carte Vitale", vitale)
    await tap(page, "Vérifier")
    await see(page, "C'est bien l'espace de Léa. Voulez-vous l'activer ?")
    await shot(page, "children-02-confirm")
    await tap(page, "Oui, activer l'espace de Léa")
    await see(page, "L'espace de Léa est activé.")
    await see(page, "8 ans · Espace actif")

    # The switcher: Léa's space, with her band on every screen.
    await tap(page, "Espace de Léa")
    await see(page, "Espace de Léa", timeout=30_000)
    await band_visible(page)
    await shot(page, "children-03-home")

    # Her check-up reminders come from her Me (8 years old): the DTCaP booster of 6 is late.
    await open_tile(page, "Agenda")
    await band_visible(page)
    await open_tile(page, "Mes rappels de prévention")
    await see(page, "Rappel DTCaP de 6 ans")
    await see(page, "Calculés d'après l'âge et le sexe de Léa")
    await band_visible(page)
    assert await page.get_by_text("Fait récemment", exact=False).count() == 0
    await shot(page, "children-04-checkups-before")
    await back(page)
    await back(page)

    # A vaccination in HER profile.
    await open_tile(page, "Profil médical")
    await band_visible(page)
    await open_tile(page, "Mes vaccinations")
    await tap(page, "Ajouter une vaccination")
    await choose(page, "Vaccin", DTCAP)
    await type_into(page, "Date de la vaccination", (today - timedelta(days=3)).strftime("%d/%m/%Y"))
    await tap(page, "Enregistrer")
    await see(page, "C'est enregistré sur cet appareil")
    await see(page, DTCAP)
    await band_visible(page)
    await shot(page, "children-05-vaccination")
    await back(page)
    await back(page)

    # The reminder list changed: the booster is done, the next one (11-13 years) is dated.
    await open_tile(page, "Agenda")
    await open_tile(page, "Mes rappels de prévention")
    await see(page, "Fait récemment")
    await see(page, "Prochain : à partir du")
    await band_visible(page)
    await shot(page, "children-06-checkups-after")

    # Documents of the child's space, with the band too.
    await back(page)
    await back(page)
    await open_tile(page, "Documents")
    await band_visible(page)
    await shot(page, "children-07-documents")

    # Back to the parent's own space: no band, her vaccination is not in the parent's profile.
    await tap(page, "Changer d'espace")
    await see(page, "Choisir l'espace affiché")
    # In Léa's space, "Mes enfants" also draws her growth charts against the WHO reference.
    await see(page, "Courbes de croissance de Léa")
    await page.mouse.move(200, 500)
    await page.mouse.wheel(0, 1200)
    await see(page, "Références : OMS")
    await shot(page, "children-08-growth")
    await tap(page, "Mon espace")
    await see(page, "Bonjour Camille")
    assert await page.get_by_label("Vous êtes dans l'espace de Léa", exact=False).count() == 0
    await open_tile(page, "Profil médical")
    await open_tile(page, "Mes vaccinations")
    await see(page, "Ajouter une vaccination")
    assert await page.get_by_text(DTCAP, exact=False).count() == 0
    await shot(page, "children-09-own-space")
    assert not [e for e in browser_page.errors if "rive" not in e.lower()], browser_page.errors
