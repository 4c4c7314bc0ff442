"""A person uses their rights in a real browser (issue #18): asks the doctor to correct an allergy
the doctor wrote, sees the doctor's refusal with its reason, opts out of research and back in,
gets the signed vaccination record's QR code, and complains about a line of the access log."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, cli, open_tile, register_pro, sign_in
from tests.browser.test_activation_login import see, shot, tap, type_into

pytestmark = BROWSER


def _pro(stack: Stack, key: str, *args: str) -> str:
    done = cli(stack, "backend_stub.commands.pro", "--key", key, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_a_correction_the_research_choice_and_a_complaint(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "rose.droits@example.fr"
    nir = stack.activate(681, "Rose", email)
    key = register_pro(stack)
    _pro(
        stack,
        key,
        "add-entry",
        "--nir",
        nir,
        "--section",
        "allergy",
        "--field",
        "substance=Iode",
        "--consent",
    )

    await sign_in(page, stack, email, "Rose")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await open_tile(page, "Profil médical")
    await page.get_by_role("button", name="Mes allergies").first.click()
    await see(page, "Iode")
    await tap(page, "Demander une correction")
    await see(page, "Information concernée : Iode.")
    await tap(page, "Envoyer la demande")
    await see(page, "Écrivez quelques mots, au moins 3 lettres.")  # under the field, nothing sent
    await type_into(page, "Ce qui est faux", "Je n'ai jamais réagi à l'iode")
    await tap(page, "Envoyer la demande")
    await see(page, "Votre demande est envoyée au professionnel.")
    await see(page, "En attente de réponse")
    await shot(page, "rights-01-correction-sent")

    # The doctor answers from their software: a refusal, with its reason.
    listed = _pro(stack, key, "corrections", "--nir", nir)
    request = next(line.split()[1] for line in listed.splitlines() if "open" in line)
    _pro(
        stack,
        key,
        "correct",
        "--nir",
        nir,
        "--request",
        request,
        "--refuse",
        "--why",
        "Réaction notée en 2019",
    )
    await back(page)
    await see(page, "Iode")  # back on the list the request started from
    await back(page)
    await see(page, "Mon profil médical")
    await back(page)
    await see(page, "Bonjour Rose")
    await open_tile(page, "Paramètres")
    await tap(page, "Mes droits")
    await see(page, "Non corrigé")
    await see(page, "Réponse du professionnel : Réaction notée en 2019")

    # Research: refused, then allowed again; both changes are listed with their day.
    switch = page.get_by_role("switch", name="Mes données peuvent servir à la recherche")
    await switch.scroll_into_view_if_needed()
    assert await switch.is_checked()
    await switch.click()
    await see(page, "Refusé : vos données ne sont transmises à aucune recherche.")
    await see(page, "Refusé le ")
    await shot(page, "rights-02-research-refused")
    await switch.scroll_into_view_if_needed()
    await switch.click()
    await see(page, "Autorisé le ")

    # The signed vaccination record's QR code.
    await tap(page, "Obtenir mon carnet signé (QR code)")
    await see(page, "0 vaccination.")  # French: 0 takes the singular
    await page.get_by_label("QR code de votre carnet de vaccination signé", exact=False).first.wait_for()

    # A complaint about the doctor's access, from the access log.
    await back(page)
    await back(page)
    await see(page, "Bonjour Rose")
    await open_tile(page, "Historique des accès")
    await see(page, "Dr Alex Durand · Médecin")
    await page.get_by_role("button", name="Faire une réclamation").first.click()
    await see(page, "Réclamation à l'autorité de santé numérique")
    await type_into(page, "Votre réclamation", "Je ne connais pas ce médecin.")
    await tap(page, "Envoyer la réclamation")
    await see(page, "Votre réclamation est envoyée à")
    await see(page, "Je ne connais pas ce médecin.")
    await shot(page, "rights-03-complaint-sent")

    assert not browser_page.errors, browser_page.errors
