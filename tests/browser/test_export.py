"""From the settings, the holder exports everything: the FHIR file (with a professional's document
and the access log) and the PDF summary, both downloaded by the browser."""

import base64
import json
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
from fhir.resources.R4B.bundle import Bundle

from sync.export.pdf_text import TextPdf
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, cli, open_tile, pro_reads, register_pro, sign_in
from tests.browser.test_activation_login import see, shot, tap

pytestmark = BROWSER
TITLE = "Compte rendu de cardiologie"


async def test_export_everything_from_the_settings(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    email = "ines.export@example.fr"
    nir = stack.activate(671, "Inès", email)
    other = "noe.import@example.fr"
    stack.activate(672, "Noé", other)
    key = register_pro(stack)
    assert pro_reads(stack, key, nir, "--consent").returncode == 0
    report = TextPdf(title=TITLE)
    report.text("Échographie cardiaque normale.")
    report_path = tmp_path / "cr.pdf"
    report_path.write_bytes(report.to_bytes())
    added = cli(
        stack, "backend_stub.commands.pro", "--key", key, "add", "--nir", nir, "--file", str(report_path),
        "--title", TITLE, "--type", "consultation_report",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr

    await sign_in(page, stack, email, "Inès")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)  # the document is on the device
    await open_tile(page, "Paramètres")
    await see(page, "Téléchargez tout votre espace")
    await shot(page, "export-01-settings")
    await tap(page, "Exporter toutes mes données")
    await see(page, "Toutes vos données (fichier FHIR)")
    await see(page, "ces fichiers ne sont pas protégés par votre code")
    assert await page.get_by_role("button", name="Importer un export").count() == 0  # the space is not empty
    await shot(page, "export-02-screen")

    async with page.expect_download() as got:
        await tap(page, "Télécharger (FHIR)")
    download = await got.value
    name = download.suggested_filename
    assert name.startswith("mon-espace-sante-") and name.endswith(".json")
    content = (await download.path()).read_bytes()
    Bundle.model_validate_json(content)  # a valid FHIR R4 (R4B models) Bundle
    bundle = json.loads(content)
    types = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert types["Patient"] == 1 and types["DocumentReference"] == 1 and types["AuditEvent"] >= 2
    document = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DocumentReference"
    )
    assert base64.b64decode(document["content"][0]["attachment"]["data"]) == report_path.read_bytes()
    assert "Durand" in document["author"][0]["display"]
    await see(page, f"Le fichier {name} est prêt.")
    await shot(page, "export-03-fhir-downloaded")

    async with page.expect_download() as got:
        await tap(page, "Télécharger le résumé (PDF)")
    summary = (await (await got.value).path()).read_bytes()
    pdf = pdfium.PdfDocument(summary)
    try:
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    assert "Inès Martin" in text and TITLE in text and "Alex Durand" in text
    await see(page, ".pdf est prêt.")
    await shot(page, "export-04-pdf-downloaded")

    await back(page)
    await see(page, "Téléchargez tout votre espace")  # back to the settings
    saved = tmp_path / name
    saved.write_bytes(content)

    # Another holder's empty space takes the export: the professional's document comes back as theirs.
    await back(page)
    await tap(page, "Me déconnecter")
    await see(page, "Bienvenue sur Mon espace santé")
    await sign_in(page, stack, other, "Noé")
    await open_tile(page, "Paramètres")
    await tap(page, "Exporter toutes mes données")
    await see(page, "Votre espace est vide")
    async with page.expect_file_chooser() as chooser:
        await tap(page, "Importer un export")
    await (await chooser.value).set_files(str(saved))
    await see(page, "Import terminé : 1 élément remis dans votre espace.")
    assert await page.get_by_role("button", name="Importer un export").count() == 0
    await shot(page, "export-05-imported")
    await back(page)
    await back(page)
    await open_tile(page, "Documents")
    await see(page, TITLE)
    await shot(page, "export-06-documents-restored")
    assert not browser_page.errors, browser_page.errors
