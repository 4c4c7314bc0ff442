"""The app server runs in its own zone; a person whose browser is in Tokyo sees Tokyo times: the
page tells the app its zone before the app starts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin

pytestmark = BROWSER
ZONE = ZoneInfo("Asia/Tokyo")  # never Paris, and not the machine's (checked below)


@pytest.fixture
def browser_zone() -> str:
    return str(ZONE)


async def test_the_sync_bar_says_the_time_of_the_browsers_zone(stack: Stack, browser_page: Browser) -> None:
    here = datetime.now().astimezone()
    if here.utcoffset() == datetime.now(ZONE).utcoffset():
        pytest.skip("this machine is in the zone of the browser: nothing to tell apart")
    page = browser_page.page
    assert await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == str(ZONE)
    email = "tokyo.heure@example.fr"
    stack.activate(531, "Aiko", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Aiko")
    now = datetime.now(ZONE)
    minutes = [(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)]
    bar = page.get_by_text("dernière synchronisation", exact=False).first
    await bar.wait_for(state="visible")
    said = await bar.evaluate("e => e.getAttribute('aria-label') || e.textContent || ''")
    assert any(m in said for m in minutes), (said, minutes)
