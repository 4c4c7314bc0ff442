"""The shared record end to end: the holder adds a document and masks it, a doctor reads the
record through the professionals' CLI (the masked document stays hidden from them), and the
holder sees that access in the log, with the notification."""

import re
from pathlib import Path

from backend_stub.demo import nir_for
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import open_tile, pro_reads, register_pro, sign_in
from tests.browser.test_activation_login import choose, see, shot, tap, unread_at_least
from tests.browser.test_vault_and_documents import tiny_pdf

pytestmark = BROWSER

TITLE = "Compte-rendu-cardiologie"


async def test_masked_document_hidden_from_a_doctor_and_access_logged(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    n, email = 701, "paul.record@example.fr"
    stack.activate(n, "Paul", email)
    pdf_path = tmp_path / f"{TITLE}.pdf"
    tiny_pdf(pdf_path, pages=1)

    await sign_in(page, stack, email, "Paul")
    await open_tile(page, "Documents")
    await tap(page, "Ajouter un document")
    async with page.expect_file_chooser() as chooser:
        await tap(page, "Choisir un fichier")
    await (await chooser.value).set_files(str(pdf_path))
    await see(page, f"Fichier choisi : {TITLE}.pdf")
    await choose(page, "Type de document", "Compte rendu de consultation")
    await tap(page, "Enregistrer le document")
    await see(page, "Document ajouté")
    await page.get_by_role("button", name=TITLE).first.click()
    await tap(page, "Masquer ce document")
    await tap(page, "Masquer")
    await see(page, "Document masqué aux professionnels de santé")
    await tap(page, "Retour à mes documents")
    await see(page, "Masqué")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await shot(page, "rec-01-masked-document")

    key = register_pro(stack)
    read = pro_reads(stack, key, nir_for(n), "--consent")
    assert read.returncode == 0, read.stdout + read.stderr
    assert TITLE not in read.stdout  # masked: not for a doctor who is not the attending physician

    await page.locator("[aria-label='Retour']").first.click()
    await see(page, "Bonjour Paul")
    await unread_at_least(page, 1)  # the access, and any check-up due for his age
    await page.get_by_role("button", name=re.compile(r"^Notifications : \d+ non lue")).first.click()
    await see(page, "Dr Alex Durand (Médecin) a consulté votre dossier pour la première fois.")
    await shot(page, "rec-02-notification")
    await tap(page, "Voir l'historique des accès")
    await see(page, "Dr Alex Durand · Médecin")
    await see(page, "A consulté votre liste de documents")
    await see(page, "Mode d'accès : équipe de soins")
    await shot(page, "rec-03-access-log")
