"""On a wide screen (a desktop browser) the sections stay listed beside the screen: two panes,
both usable and named, in French and in English."""

from tests.browser.a11y import audit
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin, shot, tap

pytestmark = BROWSER


async def heading(page, name: str) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_role("heading", name=name, exact=True).first.wait_for()


async def test_two_panes_on_a_desktop_browser(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "bureau@example.fr"
    stack.activate(561, "Nora", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Nora")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_role("button", name="Documents").first.click()
    await heading(page, "Mes documents")
    nav_home = page.get_by_role("button", name="Accueil", exact=True)
    await nav_home.wait_for()  # the sections' pane, beside the screen
    box = await nav_home.bounding_box()
    title = await page.get_by_role("heading", name="Mes documents", exact=True).first.bounding_box()
    assert box is not None and title is not None and box["x"] + box["width"] <= title["x"]  # side by side
    assert not (problems := await audit(page, "documents, wide")), problems
    await shot(page, "desktop-two-panes")

    await page.get_by_role("button", name="Agenda", exact=True).click()  # from the pane
    await heading(page, "Mon agenda santé")
    await tap(page, "English")
    await heading(page, "My health agenda")
    assert not (problems := await audit(page, "agenda, wide, English", lang="en")), problems
    await shot(page, "desktop-two-panes-en")

    await page.set_viewport_size({"width": 412, "height": 860})  # a phone again: one pane
    await page.get_by_role("button", name="Home", exact=True).wait_for(state="detached")
    await heading(page, "My health agenda")
