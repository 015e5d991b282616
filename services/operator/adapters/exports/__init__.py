"""A round's exports for people: the contracts as CSV and XLSX, a firm's statement
and a provider's award as PDF.

Pure: each function takes the round detail JSON the operator API returns
(``GET /v1/rounds/{id}``, services/matcher/views.py ``RoundDetail``) and a
language, and returns bytes; reading the round and writing the bytes somewhere
is the caller's (services/operator/downloads.py, ``welfare round export``).

Why fpdf2 for the PDFs: it is pure Python (a wheel with no compiled parts, so it
installs from PyPI on any fresh machine), small, and its core fonts, written in
the Windows-1252 encoding, cover every letter Italian needs (à è é ì ò ù), the
euro sign, the no-break space and the en dash, so no font file has to be found
or shipped. reportlab would do too, but is several times larger for no gain here.
"""

from services.operator.adapters.exports.award import provider_award_pdf
from services.operator.adapters.exports.contracts import (
    ContractRow,
    contract_rows,
    contracts_csv,
    contracts_xlsx,
    headers,
)
from services.operator.adapters.exports.round_report import round_report_pdf
from services.operator.adapters.exports.statement import firm_statement_pdf
from services.operator.adapters.exports.subjects import NotInRound

__all__ = ["ContractRow", "NotInRound", "contract_rows", "contracts_csv", "contracts_xlsx",
           "firm_statement_pdf", "headers", "provider_award_pdf", "round_report_pdf"]
