"""A minimal PDF writer for text documents: A4 pages of wrapped lines in Helvetica.

No installed library writes PDFs here (pypdfium2 reads and renders them; Pillow only makes
image-only PDFs, whose text cannot be read aloud or searched), and adding a dependency was not
wanted for one summary. The PDF uses two of the standard 14 fonts (every reader has them) in
WinAnsi encoding, which covers French; widths come from the fonts' metrics so lines wrap inside
the margins. Characters outside WinAnsi become "?".
"""

import unicodedata
import zlib
from dataclasses import dataclass, field

__all__ = ["TextPdf"]

PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 56.0  # A4 in points, 2 cm margins
# Advance widths (1/1000 em) of the printable ASCII characters 32..126, from the fonts' AFM files.
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 "
    "222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
_HELVETICA_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 "
    "278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584"
)
WIDTHS = {
    False: dict(zip(map(chr, range(32, 127)), map(int, _HELVETICA.split()), strict=True)),
    True: dict(zip(map(chr, range(32, 127)), map(int, _HELVETICA_BOLD.split()), strict=True)),
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of a line in points; an accented letter is as wide as its base letter."""
    table = WIDTHS[bold]
    total = 0
    for char in text:
        base = unicodedata.normalize("NFD", char)[:1]
        total += table.get(char) or table.get(base) or 556
    return total * size / 1000


def _literal(text: str) -> str:
    """A PDF string literal in WinAnsi (cp1252) bytes, written with octal escapes."""
    out = []
    for byte in text.encode("cp1252", errors="replace"):
        char = chr(byte)
        out.append(f"\\{byte:03o}" if byte < 32 or byte > 126 or char in "\\()" else char)
    return "(" + "".join(out) + ")"


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines of at most `width` points, cut between words (a word too long is cut anywhere)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, size, bold) > width:
            cut = max(
                1, next(i for i in range(len(word), 0, -1) if text_width(word[:i], size, bold) <= width)
            )
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


@dataclass
class TextPdf:
    """Lines written top to bottom; a new page starts when one is full."""

    title: str = ""
    pages: list[list[str]] = field(default_factory=lambda: [[]])
    y: float = PAGE_H - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.pages.append([])
            self.y = PAGE_H - MARGIN

    def text(
        self, text: str, size: float = 11, bold: bool = False, indent: float = 0, gap: float = 0
    ) -> None:
        """A paragraph, wrapped inside the margins, `gap` points below the previous one."""
        self.y -= gap
        for line in wrap(text, PAGE_W - 2 * MARGIN - indent, size, bold):
            self._room(size * 1.35)
            self.y -= size * 1.35
            font = "F2" if bold else "F1"
            self.pages[-1].append(
                f"BT /{font} {size:g} Tf {MARGIN + indent:.1f} {self.y:.1f} Td {_literal(line)} Tj ET"
            )

    def to_bytes(self) -> bytes:
        """The document: catalog, page tree, two fonts, then per page its content stream."""
        objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree (filled below)
        fonts = []
        for name in ("Helvetica", "Helvetica-Bold"):
            objects.append(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode()
            )
            fonts.append(len(objects))
        resources = f"<< /Font << /F1 {fonts[0]} 0 R /F2 {fonts[1]} 0 R >> >>"
        kids = []
        for lines in self.pages:
            stream = zlib.compress("\n".join(lines).encode("latin-1"))
            objects.append(
                f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
                + stream
                + b"\nendstream"
            )
            objects.append(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
                f"/Resources {resources} /Contents {len(objects)} 0 R >>".encode()
            )
            kids.append(f"{len(objects)} 0 R")
        objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
        objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
        objects.append(f"<< /Title {_literal(self.title)} /Producer (Mon espace sante) >>".encode())
        info = len(objects)
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
        out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info} 0 R >>\n".encode()
        out += f"startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)
