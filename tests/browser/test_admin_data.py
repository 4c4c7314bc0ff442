"""A person checks what the insurer holds about them in a real browser: asks for a correction of
their address (a clear error first, then the request listed as pending), and reads their
reimbursements by month with the month's total, then searches them."""

from datetime import date

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import cli
from tests.browser.test_activation_login import choose, log_in, see, set_pin, shot, tap, type_into

pytestmark = BROWSER

ADDRESS = "8 rue de la Paix, 75002 Paris"
MONTHS = (
    "Janvier",
    "Février",
    "Mars",
    "Avril",
    "Mai",
    "Juin",
    "Juillet",
    "Août",
    "Septembre",
    "Octobre",
    "Novembre",
    "Décembre",
)


async def back(page) -> None:  # type: ignore[no-untyped-def]
    await page.locator("[aria-label='Retour']").first.click()


async def pick(page, option: str) -> None:  # type: ignore[no-untyped-def]
    """Choose the information to correct in its dropdown."""
    await choose(page, "Information à corriger", option)


async def test_correction_request_then_reimbursements_by_month(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "nadia.admin@example.fr"
    nir = stack.activate(611, "Nadia", email)
    today = date.today()
    csv = stack.data_dir / "remboursements.csv"
    csv.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed\n"
        f"{nir},{today:%Y-%m}-01,Consultation généraliste,Dr Durand,30,21\n"
        f'{nir},{today:%Y-%m}-01,Pharmacie,Pharmacie du Centre,"12,40",8.68\n',
        encoding="utf-8",
    )
    imported = cli(stack, "backend_stub", "import-reimbursements", str(csv))
    assert imported.returncode == 0 and "Imported 2" in imported.stdout, imported.stdout + imported.stderr

    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Nadia")
    await page.get_by_role("button", name="Profil médical").first.click()
    await see(page, "Mon profil médical")

    # What the insurer holds: the insurance fund was never filled in, and it says so.
    await page.get_by_role("button", name="Données administratives").first.click()
    await see(page, "Mes données administratives")
    await see(page, "non renseigné")
    await see(page, "Vous n'avez pas encore demandé de correction.")
    await shot(page, "admin-data")

    # A correction of the address: sent empty, the error says what to do; then sent for real.
    await tap(page, "Demander une correction")
    await see(page, "Aujourd'hui, votre caisse a : non renseigné")
    await pick(page, "Date de naissance")
    await see(page, "Aujourd'hui, votre caisse a : 01/05/1985")
    await see(page, "Jour/mois/année, par exemple 01/05/1985")
    await pick(page, "Adresse postale")
    await see(page, "Aujourd'hui, votre caisse a : non renseigné")
    await tap(page, "Envoyer la demande")
    await see(page, "Écrivez la bonne valeur.")
    await shot(page, "admin-correction-error")
    await type_into(page, "La bonne valeur", ADDRESS)
    await type_into(page, "Message pour votre caisse (facultatif)", "J'ai déménagé en octobre")
    await tap(page, "Envoyer la demande")
    await see(page, "Votre demande est envoyée")
    await see(page, f"Adresse postale : « {ADDRESS} »")
    await see(page, "En attente de réponse")
    await see(page, "Correction demandée : en attente de réponse")
    await page.mouse.move(200, 500)
    await page.mouse.wheel(0, 600)  # down to the list of requests
    await shot(page, "admin-correction-pending")

    # Reimbursements: this month with its total, in euros the French way, then a search.
    await back(page)
    await see(page, "Mon profil médical")
    await page.get_by_role("button", name="Mes remboursements").first.click()
    await see(page, f"{MONTHS[today.month - 1]} {today.year}")
    await see(page, "Total du mois : payé 42,40")
    await see(page, "remboursé 29,68")
    await see(page, "Pharmacie du Centre")
    await shot(page, "admin-reimbursements")
    await type_into(page, "Chercher un soin ou un professionnel", "durand")
    await tap(page, "Chercher")
    await see(page, "Résultats pour « durand »")
    await see(page, "Total du mois : payé 30,00")
    assert not await page.get_by_text("Pharmacie du Centre").count()
    await shot(page, "admin-reimbursements-search")
    assert not browser_page.errors, browser_page.errors
