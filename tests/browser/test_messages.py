"""Secure messaging end to end: a professional writes with the professionals' CLI, the holder sees
the unread badge, reads, replies with a document of their record, and the professional reads the
reply (and opens the document) with the CLI."""

import re
from pathlib import Path

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import cli, open_tile, pro_reads, register_pro, sign_in
from tests.browser.test_activation_login import see, shot, tap, type_into
from tests.browser.test_vault_and_documents import tiny_pdf

pytestmark = BROWSER

SUBJECT = "Résultats de votre bilan"
FIRST = "Bonjour, vos résultats sont bons. Pouvez-vous m'envoyer votre dernier compte rendu ?"
REPLY = "Merci docteur, le voici."
REPORT = "Compte rendu cardiologie"


async def test_professional_writes_holder_replies_with_a_document(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    email = "lea.messages@example.fr"
    nir = stack.activate(631, "Léa", email)
    key = register_pro(stack)
    assert pro_reads(stack, key, nir, "--consent").returncode == 0
    report_path = tmp_path / "cr.pdf"
    report = tiny_pdf(report_path, pages=1)
    added = cli(
        stack, "backend_stub.commands.pro", "--key", key, "add", "--nir", nir, "--file", str(report_path),
        "--title", REPORT, "--type", "consultation_report",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    wrote = cli(
        stack, "backend_stub.commands.pro", "--key", key, "write", "--nir", nir,
        "--subject", SUBJECT, "--body", FIRST,
    )  # fmt: skip
    assert wrote.returncode == 0, wrote.stdout + wrote.stderr
    conversation = re.search(r"conversation (pro-[0-9a-f]{28})", wrote.stdout).group(1)  # type: ignore[union-attr]

    await sign_in(page, stack, email, "Léa")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await see(page, "Échanges sécurisés avec vos professionnels de santé · 1 non lu")
    await shot(page, "messages-00-home")
    await open_tile(page, "Messagerie")
    await see(page, "Messages non lus : 1")
    unread = f"Conversation avec Dr Alex Durand, {SUBJECT}, 1 message non lu"
    row = page.get_by_role("button", name=unread)
    await row.wait_for(state="visible", timeout=20_000)
    await see(page, "1 non lu")
    await shot(page, "messages-01-list-unread")

    await row.click()
    await see(page, FIRST)
    await see(page, "Avec Dr Alex Durand (Médecin)")
    await shot(page, "messages-02-thread")

    await type_into(page, "Votre réponse", REPLY)
    await page.locator("[aria-expanded]", has_text="Joindre un document de mon dossier").first.click()
    await page.get_by_text(REPORT).first.click()
    await see(page, f"Pièce jointe : {REPORT}")
    await shot(page, "messages-03-compose-with-document")
    await tap(page, "Envoyer")
    await see(page, "Message enregistré")
    await see(page, REPLY)
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await shot(page, "messages-04-replied")

    listed = cli(stack, "backend_stub.commands.pro", "--key", key, "messages")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert conversation in listed.stdout and SUBJECT in listed.stdout, listed.stdout
    thread = cli(stack, "backend_stub.commands.pro", "--key", key, "messages", "--conversation", conversation)
    assert thread.returncode == 0, thread.stdout + thread.stderr
    assert "Patient (message" in thread.stdout and REPLY in thread.stdout, thread.stdout
    assert f"attachment 0: {REPORT} (application/pdf)" in thread.stdout, thread.stdout
    message_id = re.search(r"Patient \(message ([0-9a-f]{32})\)", thread.stdout).group(1)  # type: ignore[union-attr]
    saved = tmp_path / "received.pdf"
    opened = cli(
        stack, "backend_stub.commands.pro", "--key", key, "attachment", "--conversation", conversation,
        "--message", message_id, "--out", str(saved),
    )  # fmt: skip
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert saved.read_bytes() == report

    # A file from the professional: the holder keeps it in their record.
    scan = tmp_path / "ordonnance.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    sent = cli(
        stack, "backend_stub.commands.pro", "--key", key, "write", "--conversation", conversation,
        "--body", "Voici votre ordonnance.", "--file", str(scan),
    )  # fmt: skip
    assert sent.returncode == 0, sent.stdout + sent.stderr
    await tap(page, "Synchroniser")
    await see(page, "Voici votre ordonnance.")
    await tap(page, "Enregistrer ordonnance.png dans mon dossier")
    await see(page, "Le fichier est enregistré dans vos documents.")
    await shot(page, "messages-05-file-saved")

    await page.get_by_role("button", name="Retour à mes conversations").click()
    await see(page, "Messages non lus : 0")  # the file's message came in while it was on screen: read
    await shot(page, "messages-06-list")
    await page.locator("[aria-label='Retour']").first.click()
    await page.get_by_role("button", name="Documents").first.click()
    await see(page, "ordonnance")
    await see(page, "Ajouté par vous")
    await shot(page, "messages-07-saved-in-documents")
    assert not browser_page.errors, browser_page.errors
