"""Issue #17 in a real browser: a person gives their blood group and a hospital stay, then copies a
medicine dispensed from "Mon histoire de santé" into their treatments."""

from datetime import date

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import cli
from tests.browser.test_activation_login import choose, log_in, see, set_pin, shot, tap, type_into

pytestmark = BROWSER

SAVED = "C'est enregistré sur cet appareil"


async def back(page) -> None:  # type: ignore[no-untyped-def]
    await page.locator("[aria-label='Retour']").first.click()


async def test_blood_group_and_hospital_stay(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "ines.profil@example.fr"
    stack.activate(541, "Inès", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Inès")
    await page.get_by_role("button", name="Profil médical").first.click()
    await see(page, "Mes habitudes de vie")

    await page.get_by_role("button", name="Mon groupe sanguin").first.click()
    await tap(page, "Indiquer mon groupe sanguin")
    await choose(page, "Groupe (A, B, AB ou O)", "O")
    await choose(page, "Rhésus", "Rhésus négatif (−)")
    await tap(page, "Enregistrer")
    await see(page, SAVED)
    await see(page, "Rhésus : Rhésus négatif (−)")
    assert not await page.get_by_role("button", name="Indiquer mon groupe sanguin", exact=True).count()
    await shot(page, "profile-blood-group")

    await back(page)
    await see(page, "Mes hospitalisations")
    await page.get_by_role("button", name="Mes hospitalisations").first.click()
    await tap(page, "Ajouter une hospitalisation")
    await type_into(page, "Établissement (hôpital, clinique)", "Clinique du Parc")
    await type_into(page, "Motif de l'hospitalisation", "Fracture du poignet")
    await type_into(page, "Date d'entrée", "03/02/2025")
    await type_into(page, "Date de sortie (facultatif)", "01/02/2025")
    await tap(page, "Enregistrer")
    await see(page, "La date de fin doit être après la date de début.")
    await type_into(page, "Date de sortie (facultatif)", "05/02/2025")
    await tap(page, "Enregistrer")
    await see(page, SAVED)
    await see(page, "Clinique du Parc")
    await see(page, "Date d'entrée : 03/02/2025")
    await shot(page, "profile-hospital-stay")
    assert not browser_page.errors, browser_page.errors


async def test_copy_a_dispensed_medicine_from_the_timeline(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "remi.histoire@example.fr"
    nir = stack.activate(542, "Rémi", email)
    year = date.today().year
    csv = stack.data_dir / "remboursements.csv"
    csv.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed,kind,label\n"
        f"{nir},{year}-01-20,Pharmacie,Pharmacie du Centre,12,8,medicine,Amoxicilline 1 g\n"
        f"{nir},{year}-01-03,Consultation généraliste,Dr Durand,30,21,consultation,\n"
        f"{nir},{year - 1}-06-11,Séjour hospitalier,Hôpital Nord,900,880,hospital,Appendicite\n",
        encoding="utf-8",
    )
    imported = cli(stack, "backend_stub", "import-reimbursements", str(csv))
    assert imported.returncode == 0 and "Imported 3" in imported.stdout, imported.stdout + imported.stderr

    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Rémi")
    await page.get_by_role("button", name="Profil médical").first.click()
    await page.get_by_role("button", name="Mon histoire de santé").first.click()
    await see(page, "Appendicite")
    await see(page, "Médicament délivré")
    await type_into(page, "Rechercher un soin, un médicament, un professionnel", "amoxicilline")
    await tap(page, "Rechercher")
    await page.get_by_text("Appendicite").first.wait_for(state="hidden")
    await shot(page, "history-search")
    await tap(page, "Ajouter « Amoxicilline 1 g » à mon profil")
    await see(page, "Repris de « Mon histoire de santé »")
    await see(page, "Mes traitements")
    await type_into(page, "Dose (par exemple 1 comprimé le matin) (facultatif)", "1 comprimé matin et soir")
    await tap(page, "Enregistrer")
    await see(page, SAVED)
    await see(page, "Amoxicilline 1 g")
    await see(page, f"20/01/{year}")
    await shot(page, "history-treatment-added")
    assert not browser_page.errors, browser_page.errors
