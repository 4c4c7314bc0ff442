"""Screens have addresses: an address opened before signing in is shown once signed in, and the
browser's back and forward buttons move between the screens seen."""

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin

pytestmark = BROWSER


async def heading(page, name: str) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_role("heading", name=name, exact=True).first.wait_for()


async def test_an_address_then_back_and_forward(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "adresse@example.fr"
    stack.activate(551, "Marc", email)
    await page.goto(f"{stack.app_url}/agenda")  # a bookmark of the agenda, signed out
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    await log_in(page, stack, email)
    await set_pin(page)
    await heading(page, "Mon agenda santé")  # signed in: the address asked for
    assert page.url.endswith("/agenda")

    await page.get_by_role("button", name="Retour", exact=True).click()
    await see(page, "Bonjour Marc")
    await page.wait_for_url("**/home")
    await page.get_by_role("button", name="Documents").first.click()
    await heading(page, "Mes documents")
    await page.wait_for_url("**/documents")
    await page.go_back()  # the browser's own back button
    await see(page, "Bonjour Marc")
    await page.go_forward()
    await heading(page, "Mes documents")
