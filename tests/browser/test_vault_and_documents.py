"""First login sets the unlock code; documents are added, read, masked; the vault survives a reload."""

from pathlib import Path

from tests.browser.conftest import BROWSER, SHOTS, Browser, Stack
from tests.browser.test_activation_login import choose, log_in, see, shot, tap, type_into

pytestmark = BROWSER

PIN = "Marguerite 2026"
SECRET_TITLE = "Bilan-sanguin-confidentiel"
SECRET_TEXT = "Glycemie-tres-secrete"


def tiny_pdf(path: Path, pages: int = 2) -> bytes:
    """A valid PDF with one line of text per page, written by hand (offsets computed)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        stream = f"BT /F1 18 Tf 30 150 Td ({SECRET_TEXT} page {i + 1}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents {5 + 2 * i} 0 R"
            " /Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return bytes(out)


async def test_pin_documents_mask_and_unlock_after_reload(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    email = "ines.docs@example.fr"
    stack.activate(511, "Inès", email)
    pdf_path = tmp_path / f"{SECRET_TITLE}.pdf"
    pdf = tiny_pdf(pdf_path)

    await log_in(page, stack, email)
    await see(page, "Choisissez un code de déverrouillage")
    await see(page, "protège vos données de santé sur cet appareil")
    # Rules are checked next to the fields; what was typed stays.
    await type_into(page, "Code de déverrouillage", "abcdefgh")
    await type_into(page, "Confirmer le code de déverrouillage", "abcdefgh")
    await tap(page, "Enregistrer mon code")
    await see(page, "trop facile à deviner")
    await type_into(page, "Code de déverrouillage", PIN)
    await type_into(page, "Confirmer le code de déverrouillage", PIN + "x")
    await tap(page, "Enregistrer mon code")
    await see(page, "ne sont pas identiques")
    await shot(page, "41-pin-mismatch")
    await type_into(page, "Confirmer le code de déverrouillage", PIN)
    await tap(page, "Enregistrer mon code")

    await see(page, "Bonjour Inès")
    await see(page, "À jour · dernière synchronisation")
    await shot(page, "42-home-up-to-date")

    await page.get_by_role("button", name="Documents").first.click()
    await see(page, "Mes documents")
    await see(page, "Aucun document pour le moment")
    await shot(page, "43-documents-empty")
    await tap(page, "Ajouter un document")
    await see(page, "20 Mo au maximum")
    async with page.expect_file_chooser() as chooser:
        await tap(page, "Choisir un fichier")
    await (await chooser.value).set_files(str(pdf_path))
    await see(page, f"Fichier choisi : {SECRET_TITLE}.pdf")
    await tap(page, "Enregistrer le document")
    await see(page, "Choisissez le type du document.")  # type is required; the file stays chosen
    await see(page, f"Fichier choisi : {SECRET_TITLE}.pdf")
    await shot(page, "44-add-type-missing")
    await choose(page, "Type de document", "Résultats d'analyses biologiques")
    await shot(page, "45-add-filled")
    await tap(page, "Enregistrer le document")

    await see(page, "Document ajouté")
    await see(page, SECRET_TITLE)
    await see(page, "Ajouté par vous")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await shot(page, "46-documents-list")
    # The bytes reached the server.
    blobs = [p for p in (stack.data_dir / "blobs").rglob("*") if p.is_file()]
    assert any(p.stat().st_size >= len(pdf) for p in blobs), blobs

    await page.get_by_role("button", name=SECRET_TITLE).first.click()
    await see(page, "Page 1/2")
    await page.get_by_role("img", name=f"Contenu du document « {SECRET_TITLE} »").wait_for()
    await shot(page, "47-document-page1")
    await tap(page, "Suivante")
    await see(page, "Page 2/2")
    await shot(page, "48-document-page2")

    await tap(page, "Masquer ce document")
    await see(page, "sauf par votre médecin traitant et par le professionnel qui l'a ajouté")
    await shot(page, "49-mask-dialog")
    await tap(page, "Masquer")
    await see(page, "Document masqué aux professionnels de santé")
    await see(page, "Démasquer ce document")
    await tap(page, "Retour à mes documents")
    await see(page, "Masqué")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await shot(page, "50-list-masked")

    await page.locator("[aria-label='Retour']").first.click()
    await tap(page, "Verrouiller")
    await see(page, "Déverrouiller mon espace")
    await page.reload()
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    await see(page, "Déverrouiller mon espace")
    await see(page, "Se connecter avec un autre compte")
    await type_into(page, "Code de déverrouillage", "Pas-le-bon-9")
    await tap(page, "Déverrouiller")
    await see(page, "Code de déverrouillage incorrect")
    await shot(page, "51-unlock-wrong")
    await type_into(page, "Code de déverrouillage", PIN)
    await tap(page, "Déverrouiller")
    await see(page, "Bonjour Inès")
    # Locked, not logged out: the unlock code resumes the session sealed in the vault.
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await shot(page, "52-unlocked-session-resumed")
    await page.get_by_role("button", name="Documents").first.click()
    await see(page, SECRET_TITLE)
    await see(page, "Masqué")
    await shot(page, "53-documents-after-reload")

    # Nothing readable in the device folder.
    device_files = [p for p in stack.devices.rglob("*") if p.is_file()]
    assert any(p.name == "store.db" for p in device_files)
    for path in device_files:
        raw = path.read_bytes()
        for secret in (SECRET_TITLE, SECRET_TEXT, "Inès", email):
            assert secret.encode() not in raw, (path, secret)
    assert not browser_page.errors, browser_page.errors
    assert (SHOTS / "47-document-page1.png").exists()
