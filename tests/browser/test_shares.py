"""Share a document through a link and a code: the recipient opens it in a plain browser page,
the holder sees the opening in the access log."""

import re
from pathlib import Path

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_activation_login import choose, log_in, see, set_pin, shot, tap, type_into
from tests.browser.test_vault_and_documents import tiny_pdf

pytestmark = BROWSER
TITLE = "Radio-du-genou"


async def test_share_a_document_with_a_link_and_a_code(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    email = "noe.share@example.fr"
    stack.activate(521, "Noé", email)
    pdf_path = tmp_path / f"{TITLE}.pdf"
    tiny_pdf(pdf_path)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Noé")

    await page.get_by_role("button", name="Documents").first.click()
    await tap(page, "Ajouter un document")
    async with page.expect_file_chooser() as chooser:
        await tap(page, "Choisir un fichier")
    await (await chooser.value).set_files(str(pdf_path))
    await choose(page, "Type de document", "Compte rendu d'imagerie")
    await tap(page, "Enregistrer le document")
    await see(page, "Document ajouté")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)

    await tap(page, "Partager des documents")
    await see(page, "1. Choisissez les documents")
    await tap(page, "Créer le lien")
    await see(page, "Cochez au moins un document à partager.")
    await page.get_by_role("checkbox", name=re.compile(f"^{TITLE}")).click()
    await page.get_by_role("radio", name="1 jour").click()
    await type_into(page, "3. Pour qui ? (facultatif)", "Dr Morel")
    await shot(page, "share-01-form")
    await tap(page, "Créer le lien")
    await see(page, "Votre lien est prêt")
    await shot(page, "share-02-created")
    link = await page.get_by_text(re.compile(r"^http://127\.0\.0\.1:\d+/api/v1/share/")).first.inner_text()
    spoken = await page.get_by_text(re.compile(r"^Code : ")).first.inner_text()  # letter by letter
    found = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", spoken)
    assert found, spoken
    code = found.group()

    recipient = await page.context.browser.new_page(locale="fr-FR")  # someone else's browser
    await recipient.goto(link)
    await recipient.get_by_label("Code de partage").fill("AAAA-AAAA")
    await recipient.get_by_role("button", name="Voir les documents").click()
    await recipient.get_by_text("Il vous reste 4 essais.").wait_for()
    await recipient.get_by_label("Code de partage").fill(code)
    await recipient.get_by_role("button", name="Voir les documents").click()
    await recipient.get_by_text(TITLE).wait_for()
    async with recipient.expect_download() as download:
        await recipient.get_by_role("link", name="Télécharger").click()
    assert Path(await (await download.value).path()).read_bytes().startswith(b"%PDF")
    await recipient.screenshot(path=str(Path("artifacts/screenshots/share-03-recipient.png")))
    await recipient.close()

    await tap(page, "J'ai noté le lien et le code")
    await see(page, "Mes liens de partage")
    await see(page, "Actif")
    await page.locator("[aria-label='Retour']").first.click()
    await page.locator("[aria-label='Retour']").first.click()
    await see(page, "Bonjour Noé")
    await page.get_by_role("button", name="Historique des accès").first.click()
    await see(page, "Dr Morel · Lien de partage")
    await see(page, f"A consulté « {TITLE} »")
    await see(page, "Accès refusé")
    await shot(page, "share-04-access-log")
