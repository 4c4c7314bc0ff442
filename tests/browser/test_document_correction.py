"""A person asks the doctor to correct a document the doctor added (issue #18 part 4, EHDS art. 6),
in a real browser: "Demander une correction" on the document, the request waiting in "Mes droits";
the doctor finds it in the list of what waits for them and sends a corrected version; the document
then says it was corrected and its first version is still read from its page."""

from pathlib import Path

from sync.export.pdf_text import TextPdf
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, cli, open_tile, pro_reads, register_pro, sign_in
from tests.browser.test_activation_login import see, shot, tap, type_into

pytestmark = BROWSER
TITLE = "Radio du genou"


def _pro(stack: Stack, key: str, *args: str) -> str:
    done = cli(stack, "backend_stub.commands.pro", "--key", key, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _pdf(path: Path, words: str) -> Path:
    report = TextPdf(title=TITLE)
    report.text(words)
    path.write_bytes(report.to_bytes())
    return path


async def test_a_document_corrected_on_request(stack: Stack, browser_page: Browser, tmp_path: Path) -> None:
    page = browser_page.page
    email = "lea.document@example.fr"
    nir = stack.activate(691, "Léa", email)
    key = register_pro(stack)
    assert pro_reads(stack, key, nir, "--consent").returncode == 0
    first = _pdf(tmp_path / "radio.pdf", "Genou gauche : fracture.")
    _pro(stack, key, "add", "--nir", nir, "--file", str(first), "--title", TITLE, "--type", "imaging_report")

    await sign_in(page, stack, email, "Léa")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await open_tile(page, "Documents")
    await see(page, "Mes documents")
    await page.get_by_role("button", name=TITLE).first.click()
    await see(page, "Ajouté par Alex Durand")
    await tap(page, "Demander une correction")
    await see(page, f"Information concernée : le document « {TITLE} ».")
    await type_into(page, "Ce qui est faux", "C'est mon genou droit, pas le gauche")
    await tap(page, "Envoyer la demande")
    await see(page, "Votre demande est envoyée au professionnel.")
    await see(page, f"Document « {TITLE} » · ajouté par Alex Durand")
    await see(page, "En attente de réponse")
    await shot(page, "document-correction-01-sent")

    # The doctor sees what waits for them, without naming the patient, and sends the corrected file.
    waiting = _pro(stack, key, "corrections")
    request = next(line.split()[1] for line in waiting.splitlines() if "open" in line)
    assert "Léa" in waiting and TITLE in waiting
    fixed = _pdf(tmp_path / "radio-corrigee.pdf", "Genou droit : fracture.")
    _pro(stack, key, "correct", "--request", request, "--accept", "--file", str(fixed))

    await back(page)
    await back(page)
    await see(page, "Mes documents")
    await tap(page, "Synchroniser")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await page.get_by_role("button", name=TITLE).first.click()
    await see(page, "Version 2, corrigée par son auteur à votre demande.")
    await see(page, f"Version 1 : « {TITLE} », remplacée le ")
    await tap(page, "Lire la version 1")
    await see(page, "Vous lisez la version 1, remplacée le ")
    await shot(page, "document-correction-02-earlier-version")
    await tap(page, "Lire la version actuelle")
    await see(page, "Lire la version 1")

    assert not browser_page.errors, browser_page.errors
