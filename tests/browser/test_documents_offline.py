"""Documents offline in a real browser (issue #17): a person's documents were added on another
device; the first sync of this browser fetches their bytes in the background, and a document
then reads with the network cut."""

import asyncio
import io
import time
from pathlib import Path

from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import DeviceVault
from sync.documents import Documents, Uploader
from sync.engine import SyncEngine
from sync.store import Store
from tests.browser.conftest import BROWSER, PASSWORD, Browser, Stack
from tests.browser.test_activation_login import log_in, see, set_pin, shot
from tests.browser.test_vault_and_documents import tiny_pdf

pytestmark = BROWSER

TITLES = ("Compte rendu de cardiologie", "Bilan thyroïdien", "Radio du poignet")


def other_device(stack: Stack, email: str, folder: Path) -> None:
    """Another phone of the person adds three documents and sends them."""
    client = AccountClient(stack.api_url)
    try:
        challenge = client.login(email, PASSWORD)
        client.verify_code(challenge.challenge_id, stack.wait_otp(email))
        vault = DeviceVault(folder, "holder", "device", kdf=KdfParams(iterations=1, lanes=1, memory_kib=1024))
        key = vault.create("482915-autre")
        store = Store(vault.folder / "store.db", key)
        documents = Documents(store, vault.files_dir, key)
        for n, title in enumerate(TITLES):
            metadata = {"title": title, "type": "consultation_report", "date": f"2026-0{n + 1}-10"}
            content = tiny_pdf(folder / f"{n}.pdf", pages=1)
            documents.add(io.BytesIO(content), metadata | {"mime": "application/pdf", "masked": False})
        assert SyncEngine(store, client).sync().state == "up_to_date"
        assert Uploader(documents, client).run() == len(TITLES)
        store.close()
    finally:
        client.close()


async def kept_on_device(stack: Stack, count: int, timeout: float = 60) -> None:
    """Wait until the browser's device folder holds `count` sealed document files."""
    deadline = time.monotonic() + timeout
    while len(sealed := [p for p in stack.devices.rglob("*.enc") if p.name != "emergency_card.enc"]) < count:
        assert time.monotonic() < deadline, sealed
        await asyncio.sleep(0.2)


async def test_read_a_document_offline_after_the_first_sync_of_a_new_device(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    email = "hugo.docs@example.fr"
    stack.activate(561, "Hugo", email)
    other_device(stack, email, tmp_path / "other")

    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Hugo")
    await page.get_by_role("button", name="Documents").first.click()
    await see(page, TITLES[0])
    await see(page, "Disponible hors connexion", timeout=60_000)  # fetched in the background
    await kept_on_device(stack, len(TITLES))
    await shot(page, "documents-kept-offline")

    stack.cut_network()
    await page.get_by_role("button", name=TITLES[1]).first.click()
    await see(page, "Page 1/1")
    await page.get_by_role("img", name=f"Contenu du document « {TITLES[1]} »").wait_for()
    await shot(page, "documents-read-offline")
    assert not browser_page.errors, browser_page.errors
