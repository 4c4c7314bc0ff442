"""A multi-page "scan": photos of the pages (JPEG or PNG) made into one PDF, one page per image, in
the order given (issue #17). Where the platform offers a camera the pages come from it; in web mode
the person picks several image files. Built on the device with Pillow, nothing leaves it.

Each page is re-encoded (JPEG, quality 85) at most `MAX_SIDE` pixels on its longer side: a phone
photo of 12 megapixels becomes a readable page of a few hundred kilobytes, and what the photo
carried besides its pixels (EXIF: place, time, device) is dropped.
"""

import io
from collections.abc import Sequence

from PIL import Image, ImageOps, UnidentifiedImageError

from sync.errors import SyncError
from sync.protocol.errors import ErrorCode

__all__ = ["MAX_PAGES", "MAX_SIDE", "images_to_pdf"]

MAX_PAGES = 30
MAX_SIDE = 2000  # pixels: about 170 dpi on an A4 page, enough to read a prescription


def _page(data: bytes) -> Image.Image:
    """One image as an upright RGB page, scaled down to MAX_SIDE (a damaged file is refused)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise SyncError(ErrorCode.DOCUMENT_FORMAT)
            page = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise SyncError(ErrorCode.DOCUMENT_FORMAT) from None
    page.thumbnail((MAX_SIDE, MAX_SIDE))
    return page


def images_to_pdf(images: Sequence[bytes]) -> bytes:
    """The PDF of the pages, in order; a file that is not a JPEG or PNG image is refused."""
    if not images or len(images) > MAX_PAGES:
        raise SyncError(ErrorCode.DOCUMENT_FORMAT)
    pages = [_page(data) for data in images]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=170, quality=85)
    return out.getvalue()
