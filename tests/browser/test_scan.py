"""A multi-page scan in a real browser (issue #17, web mode): two photos of a prescription's
pages, picked at once, become one PDF document of two pages."""

from pathlib import Path

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin, shot, tap
from tests.sync.test_scan import photo

pytestmark = BROWSER


async def test_scan_two_pages_into_one_document(stack: Stack, browser_page: Browser, tmp_path: Path) -> None:
    page = browser_page.page
    email = "nora.scan@example.fr"
    stack.activate(571, "Nora", email)
    pages = []
    for n, color in enumerate(("red", "blue"), start=1):
        path = tmp_path / f"ordonnance-page{n}.jpg"
        path.write_bytes(photo(color, "JPEG", (1200, 1600)))
        pages.append(str(path))

    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Nora")
    await page.get_by_role("button", name="Documents").first.click()
    await tap(page, "Ajouter un document")
    async with page.expect_file_chooser() as chooser:
        await tap(page, "Scanner plusieurs pages")
    # A busy machine: the window has its focus back well before the files arrive (1.5 s, longer than
    # the half second after which Flutter's picker used to take the choice for a cancel, as in CI).
    await page.evaluate("window.dispatchEvent(new Event('focus'))")
    await page.wait_for_timeout(1500)
    await (await chooser.value).set_files(pages)
    await see(page, "Document scanné : 2 pages, ordonnance-page1.pdf")
    await page.locator("[aria-expanded]", has_text="Type de document").first.click()
    await page.get_by_text("Ordonnance de médicaments").first.click()
    await page.locator("[aria-expanded='true']").first.wait_for(state="hidden")
    await shot(page, "scan-chosen")
    await tap(page, "Enregistrer le document")
    await see(page, "Document ajouté")
    await page.get_by_role("button", name="ordonnance-page1").first.click()
    await see(page, "Page 1/2")
    await shot(page, "scan-read")
    assert not browser_page.errors, browser_page.errors
