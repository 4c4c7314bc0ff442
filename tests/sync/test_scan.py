"""A multi-page scan (issue #17): photos of pages, JPEG or PNG, in order, make one PDF with a page
each, scaled down and without the photos' metadata; anything else is refused."""

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.scan import MAX_PAGES, MAX_SIDE, images_to_pdf


def photo(color: str, fmt: str, size: tuple[int, int] = (3000, 4000)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Marque-du-telephone"  # Make: what a photo carries besides its pixels
    Image.new("RGB", size, color).save(out, format=fmt, exif=exif)
    return out.getvalue()


def test_pages_in_order_scaled_and_without_metadata() -> None:
    pages = [photo("red", "JPEG"), photo("blue", "PNG", (800, 600)), photo("green", "JPEG")]
    pdf = images_to_pdf(pages)
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) == 3
        first = document[0].render(scale=0.05).to_pil().convert("RGB").getpixel((5, 5))
        second = document[1].render(scale=0.05).to_pil().convert("RGB").getpixel((5, 5))
        assert first[0] > 200 and first[2] < 60 and second[2] > 200 and second[0] < 60  # red, then blue
        width, height = document[0].get_size()
    finally:
        document.close()
    assert max(width, height) * 170 / 72 <= MAX_SIDE + 1  # scaled down to MAX_SIDE at 170 dpi
    assert b"Marque-du-telephone" not in pdf
    assert len(pdf) < sum(map(len, pages))


@pytest.mark.parametrize(
    "files",
    [
        [],
        [b"%PDF-1.4 not an image"],
        [photo("red", "JPEG"), b"\x89PNG broken"],
        [photo("red", "GIF", (10, 10))],
    ],
)
def test_what_is_not_a_page_is_refused(files: list[bytes]) -> None:
    with pytest.raises(SyncError) as refused:
        images_to_pdf(files)
    assert refused.value.code == ErrorCode.DOCUMENT_FORMAT


def test_too_many_pages_are_refused() -> None:
    small = photo("red", "PNG", (10, 10))
    with pytest.raises(SyncError):
        images_to_pdf([small] * (MAX_PAGES + 1))
