"""A round's report as PDF: the operator's reading of the round (services/operator/report.py,
what ``welfare round show`` prints), laid out as a document like the statement and award.

The text is the CLI's, line by line, so the PDF and the terminal never disagree: its
first line is the headline, lines indented by two spaces are the report's facts and
section titles, deeper ones the items under them.
"""

from __future__ import annotations

from services.common.i18n import Texts
from services.operator.adapters.exports.document import Document
from services.operator.adapters.exports.statement import created_at, round_line
from services.operator.report import format_round


def round_report_pdf(t: Texts, detail: dict) -> bytes:
    doc = Document(t._("Round report {round}", round=detail["round_id"]), t.language,
                   created_at(detail))
    doc.subtitle(round_line(t, detail))
    headline, *rest = format_round(detail, t.language).splitlines()
    doc.paragraph(headline, bold=True)
    doc.space()
    for line in rest:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        text = " ".join(line.split())  # the terminal's column padding means nothing here
        if not text:
            continue
        if depth <= 1 and text.endswith(":"):
            title = text.removesuffix(":")
            doc.heading(title[:1].upper() + title[1:])  # a heading, not a clause
        else:
            doc.paragraph(text, indent=max(depth - 1, 0) * 4)
    return doc.bytes()
