"""'Mon bilan prévention' in a real browser, with the network cut: a person answers the 18-25
questionnaire one question at a time from the agenda and sees its synthesis."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin, shot, tap

pytestmark = BROWSER

# (the answer picked, its kind) for each question asked, in order; "never smoked" and "never
# drinks" close their branches, the last question may be skipped.
ANSWERS = (
    ("Moins de 2", "radio"),
    ("3 ou 4", "radio"),
    ("Moins de 4 heures", "radio"),
    ("Oui, en général", "radio"),
    ("Je n'ai jamais fumé", "radio"),
    ("Jamais", "radio"),
    ("Non", "radio"),
    ("Jamais", "radio"),
    ("Non", "radio"),
    ("Aucun", "checkbox"),
    ("Oui", "radio"),
    ("", "skip"),
)


async def test_answer_a_questionnaire_offline_and_see_its_synthesis(
    stack: Stack, browser_page: Browser
) -> None:
    page = browser_page.page
    email = "lina.bilan@example.fr"
    stack.activate(551, "Lina", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Lina")
    await see(page, "À jour · dernière synchronisation")

    stack.cut_network()
    await page.get_by_role("button", name="Agenda").first.click()
    await page.get_by_role("button", name="Mon bilan prévention").first.click()
    await see(page, "Vos réponses restent sur cet appareil")
    await page.get_by_role("button", name="Mon bilan prévention 18-25 ans").first.click()
    for number, (answer, kind) in enumerate(ANSWERS, start=1):
        await see(page, f"Question {number} sur")
        if kind != "skip":
            await page.get_by_role(kind, name=answer, exact=True).click()  # type: ignore[arg-type]
            await (
                page.get_by_role(kind, name=answer, exact=True)
                .and_(  # type: ignore[arg-type]
                    page.locator("[aria-checked='true']")
                )
                .wait_for()
            )
        if number == 1:
            await shot(page, "questionnaire-question")
        await tap(page, "Question suivante")

    await see(page, "Points à aborder avec votre professionnel de santé")
    await see(page, "fruits et légumes")
    await see(page, "Télécharger la synthèse (PDF)")
    await see(page, "Hors connexion")
    await shot(page, "questionnaire-synthesis")
    assert not browser_page.errors, browser_page.errors
