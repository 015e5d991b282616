"""A plain A4 document for people: a title, headings, paragraphs; returned as PDF bytes.

fpdf2's core fonts (Helvetica) in Windows-1252: every letter Italian writes, the
euro sign, the no-break space Babel puts before it and the en dash of ranges;
no font file to find or ship (services/operator/adapters/exports/__init__.py says why).
A character outside it (a name in another script) prints as "?" rather than
failing the whole document.
"""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF

ENCODING = "windows-1252"
# What Babel or a name may hold that Windows-1252 lacks, and its nearest there.
NEAREST = str.maketrans({"\u202f": "\u00a0", "\u2212": "-", "\u2011": "-", "\u2009": " "})


def printable(text: str) -> str:
    return text.translate(NEAREST).encode(ENCODING, errors="replace").decode(ENCODING)


class Document:
    def __init__(self, title: str, language: str, created: dt.datetime | None = None) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.core_fonts_encoding = ENCODING
        self.pdf.set_title(printable(title))
        self.pdf.set_lang(language)
        self.pdf.set_creator("welfare")
        if created is not None:  # the same round gives the same file
            self.pdf.set_creation_date(created)
        self.pdf.set_margins(18, 18, 18)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.add_page()
        self.pdf.set_font("helvetica", "B", 16)
        self._write(title, 8)
        self.pdf.ln(2)

    def subtitle(self, text: str) -> None:
        self.pdf.set_font("helvetica", "", 10)
        self.pdf.set_text_color(80, 80, 80)
        self._write(text, 5)
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.ln(2)

    def heading(self, text: str) -> None:
        self.pdf.ln(4)
        self.pdf.set_font("helvetica", "B", 12)
        self._write(text, 7)

    def paragraph(self, text: str, indent: float = 0, bold: bool = False) -> None:
        self.pdf.set_font("helvetica", "B" if bold else "", 10)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self._write(text, 5)

    def space(self) -> None:
        self.pdf.ln(2)

    def _write(self, text: str, height: float) -> None:
        self.pdf.multi_cell(0, height, printable(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
