"""On the long professionals screen the outcome of an action is drawn and announced (a live region)
in the card acted on, not at the top (issue #19); the search offers no "Autoriser" for someone
already authorised."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import open_tile, register_pro, sign_in
from tests.browser.test_activation_login import see, shot, tap, type_into

pytestmark = BROWSER


async def _above(page, first: str, second: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether `first` is drawn above `second` on the page (both measured at one scroll offset)."""
    tops = []
    for text in (first, second):
        found = page.locator("flt-semantics-host").get_by_text(text, exact=False).first  # not the announcer
        await found.wait_for(state="attached", timeout=30_000)
        box = await found.bounding_box()
        assert box is not None
        tops.append(box["y"])
    return bool(tops[0] < tops[1])


async def announced(page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Flutter hands a live region's words to the page's polite announcer (aria-live) for a moment:
    checked on every frame from the tap on."""
    await page.wait_for_function(
        "t => document.querySelector('flt-announcement-polite')?.textContent.includes(t)",
        arg=text,
        timeout=30_000,
    )


async def test_outcomes_next_to_the_professional(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    register_pro(stack)
    email = "rose.pros@example.fr"
    stack.activate(654, "Rose", email)
    await sign_in(page, stack, email, "Rose")
    await open_tile(page, "Mes professionnels de santé")
    await see(page, "Ma liste")

    await type_into(page, "Nom ou numéro RPPS", "Durand")
    await tap(page, "Rechercher")
    await tap(page, "Autoriser")
    await tap(page, "Confirmer l'autorisation")
    done = "Dr Alex Durand a accès à votre dossier jusqu'au"
    await announced(page, done)
    # In the search result acted on (under "Ajouter un professionnel").
    assert await _above(page, "Ajouter un professionnel", done)
    await see(page, "Déjà dans votre liste : autorisé")
    assert await page.get_by_role("button", name="Autoriser", exact=True).count() == 0
    await shot(page, "pros-01-authorised-in-card")

    await tap(page, "Retirer l'accès")
    await tap(page, "Oui, retirer l'accès")
    gone = "L'accès de Dr Alex Durand est retiré."
    await announced(page, gone)
    await page.get_by_role("button", name="Oui, retirer l'accès").wait_for(state="detached")  # dialog gone
    # Now in the list's card (above the search), where the person tapped.
    assert await _above(page, gone, "Ajouter un professionnel")
    assert await page.locator("flt-semantics-host").get_by_text(done, exact=False).count() == 0
    await shot(page, "pros-02-revoked-in-card")
