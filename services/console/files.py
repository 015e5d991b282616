"""Spreadsheets in and files out: what a firm or provider uploads, the templates to
fill in, and what the page says once a file is accepted.

The console reads nothing of a file: intake and supply parse it (``;`` or ``,``,
decimal comma, Windows-1252, XLSX, as Italian Excel and LibreOffice write them)
and take all of it or none, naming each error's row and column in the reader's
language. The templates are theirs too (services/common/spreadsheets/templates.py,
served at ``/v1/templates/``); the console passes them on with the person's token.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.i18n import Texts, formats
from services.console.apis import Upload
from services.console.texts import L_, say, say_n

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # intake's and supply's own bound


@dataclass(frozen=True)
class Kind:
    """What a file holds, which service takes it, and under what path."""

    code: str
    service: str
    path: str  # {subject} is the firm's or provider's id
    label: str


UPLOADS = {
    "lines": Kind("lines", "intake", "/v1/firms/{subject}/lines.csv",
                  L_("demand lines the firm aggregated (one line per row)")),
    "survey": Kind("survey", "intake", "/v1/firms/{subject}/survey.csv",
                   L_("employees' survey answers (one answer per row)")),
    "offers": Kind("offers", "supply", "/v1/providers/{subject}/offers.csv",
                   L_("offers (one offer per row)")),
}
FIRM_KINDS = ("lines", "survey")


def template_files(kind: str) -> dict[str, str]:
    """The template's files of a kind, as the service names them: format -> file."""
    return {"xlsx": f"{kind}.xlsx", "csv": f"{kind}.csv", "guide": f"{kind}-istruzioni.csv"}


def template_service(file: str) -> str | None:
    """Which service serves a template file; None: no such template."""
    for kind in UPLOADS.values():
        if file in template_files(kind.code).values():
            return kind.service
    return None


async def read_upload(t: Texts, sent: object) -> tuple[Upload | None, str | None]:
    """The file from the form, or what is wrong with it before any service sees it."""
    filename = getattr(sent, "filename", None)
    if not filename:
        return None, say(t, "Choose a file to upload.")
    content = await sent.read(MAX_UPLOAD_BYTES + 1)  # type: ignore[attr-defined]
    if not content:
        return None, say(t, "The file {file} is empty.", file=filename)
    if len(content) > MAX_UPLOAD_BYTES:
        return None, say(t, "The file is larger than {n} MiB.",
                         n=MAX_UPLOAD_BYTES // (1024 * 1024))
    content_type = getattr(sent, "content_type", None) or "application/octet-stream"
    return Upload(filename, content, content_type), None


def accepted(t: Texts, kind: str, answer: object, filename: str) -> list[str]:
    """What the service took from the file, sentence by sentence, for the page's notice."""
    said = [say(t, "The file {file} was accepted.", file=filename)]
    if kind in ("lines", "offers"):
        receipts = answer if isinstance(answer, list) else []
        changed = [r["entity_id"] for r in receipts if r.get("changed")]
        same = len(receipts) - len(changed)
        if kind == "lines":
            said.append(say_n(t, "{n} line saved and sent to the network: {ids}.",
                              "{n} lines saved and sent to the network: {ids}.",
                              len(changed), ids=_ids(changed)) if changed
                        else say(t, "No line changed."))
            if same:
                said.append(say_n(t, "{n} line was already as the file has it.",
                                  "{n} lines were already as the file has them.", same))
        else:
            said.append(say_n(t, "{n} offer saved and published: {ids}.",
                              "{n} offers saved and published: {ids}.",
                              len(changed), ids=_ids(changed)) if changed
                        else say(t, "No offer changed."))
            if same:
                said.append(say_n(t, "{n} offer was already as the file has it.",
                                  "{n} offers were already as the file has them.", same))
        return said
    outcome = answer if isinstance(answer, dict) else {}
    said.append(say_n(t, "{n} answer stored; the firm now holds {total}.",
                      "{n} answers stored; the firm now holds {total}.",
                      outcome.get("answers_affected", 0),
                      total=formats.number(t, outcome.get("answers_stored", 0))))
    withheld = outcome.get("withheld_answers", 0)
    if withheld:
        said.append(say_n(
            t, "{n} answer withheld by k-anonymity: fewer than k colleagues gave the same "
               "answer, so it is in no published line.",
            "{n} answers withheld by k-anonymity: fewer than k colleagues gave the same "
            "answer, so they are in no published line.", withheld))
    if outcome.get("lines_submitted"):
        said.append(say(t, "Lines published from the answers: {ids}.",
                        ids=_ids(outcome["lines_submitted"])))
    if outcome.get("lines_withdrawn"):
        said.append(say(t, "Lines withdrawn: {ids}.", ids=_ids(outcome["lines_withdrawn"])))
    if outcome.get("notice"):
        said.append(outcome["notice"])  # intake's own words, in the reader's language
    return said


def _ids(ids: list[str], most: int = 10) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" … (+{len(ids) - most})" if len(ids) > most else "")
