"""``welfare tokens issue|list|revoke``: bearer tokens and the file of their digests.

``issue`` prints the token once, on stdout, and stores only its SHA-256 digest
(with ``--expires-in DAYS`` or ``--expires DATE``, its expiry too), in
``--file``, else ``WELFARE_TOKENS_FILE``, else ``var/tokens.json`` (under
``WELFARE_DATA_DIR``). The services read that file when it changes, so a
revoked token stops working without a restart. ``list`` shows who holds what,
never a token; ``revoke`` removes by subject or by digest prefix.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.cli.errors import CliError
from services.common.auth import RevokeRefused, Role, StoredToken, issue, revoke, stored_tokens
from services.common.settings import Settings

# The Identifier type of the contracts: firm and provider ids are subjects.
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
# Long enough to tell tokens apart in a list, far too short to be of use to an attacker.
_PREFIX_CHARS = 12
_MIN_PREFIX_CHARS = 6


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tokens", help="bearer tokens for the HTTP APIs")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    issue_parser = actions.add_parser(
        "issue", help="create a token for a firm, a provider or an operator; print it once")
    issue_parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue_parser.add_argument("--subject", required=True,
                              help="the firm id, the provider id, or the operator's name")
    expiry = issue_parser.add_mutually_exclusive_group()
    expiry.add_argument("--expires-in", type=float, metavar="DAYS", default=None,
                        help="the token stops working this many days from now")
    expiry.add_argument("--expires", metavar="DATE", default=None,
                        help="the token stops working at this date (start of the day, UTC) "
                             "or ISO date-time")
    _file_option(issue_parser)
    issue_parser.set_defaults(handler=_issue)

    list_parser = actions.add_parser(
        "list", help="the stored tokens: role, subject, issued, expires, digest prefix")
    _file_option(list_parser)
    list_parser.set_defaults(handler=_list)

    revoke_parser = actions.add_parser(
        "revoke", help="remove tokens by subject (and role), or one by its digest prefix")
    which = revoke_parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--subject", help="revoke every token of this subject")
    which.add_argument("--digest", metavar="PREFIX",
                       help="revoke the one token whose digest starts so (see tokens list)")
    revoke_parser.add_argument("--role", choices=[r.value for r in Role], default=None,
                               help="with --subject: only this role's tokens")
    _file_option(revoke_parser)
    revoke_parser.set_defaults(handler=_revoke)


def _file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", type=Path, default=None,
                        help="token digests file (default: WELFARE_TOKENS_FILE, "
                             "else var/tokens.json)")


def _path(args: argparse.Namespace, settings: Settings) -> Path:
    return args.file or settings.tokens_file or settings.data_dir / "tokens.json"


def _issue(args: argparse.Namespace) -> int:
    if not _SUBJECT.match(args.subject):
        raise CliError(f"--subject {args.subject!r}: letters, digits and . _ : - only, "
                       "starting with a letter or digit, at most 100 characters")
    expires_at = _expiry(args, datetime.now(UTC))
    settings = Settings()
    path = _path(args, settings)
    try:
        token = issue(path, Role(args.role), args.subject, expires_at)
    except (OSError, ValueError) as exc:
        raise CliError(f"{path}: {exc}") from None
    print(token)
    if expires_at is not None:
        print(f"it expires at {expires_at.isoformat(timespec='minutes')}", file=sys.stderr)
    if settings.tokens_file is None or path.resolve() != settings.tokens_file.resolve():
        print(f"stored its digest in {path}; the services read it with "
              f"WELFARE_TOKENS_FILE={path}", file=sys.stderr)
    return 0


def _expiry(args: argparse.Namespace, now: datetime) -> datetime | None:
    if args.expires_in is not None:
        if not args.expires_in > 0:
            raise CliError(f"--expires-in {args.expires_in:g}: a number of days above 0")
        return now + timedelta(days=args.expires_in)
    if args.expires is None:
        return None
    try:
        moment = datetime.fromisoformat(args.expires)
    except ValueError:
        raise CliError(f"--expires {args.expires!r}: a date (2027-06-30) or an ISO "
                       "date-time (2027-06-30T18:00+02:00) was expected") from None
    # A bare date is the start of that day; no zone given means UTC, not this machine's.
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment <= now:
        raise CliError(f"--expires {args.expires}: that is in the past; the token "
                       "would never work")
    return moment


def _list(args: argparse.Namespace) -> int:
    path = _path(args, Settings())
    tokens = _read(path)
    if not tokens:
        print(f"no tokens in {path}", file=sys.stderr)
        return 0
    now = datetime.now(UTC)
    rows = [("ROLE", "SUBJECT", "ISSUED", "EXPIRES", "DIGEST")]
    rows += [(t.principal.role.value, t.principal.subject, _when(t.issued_at),
              _expires(t, now), t.sha256[:_PREFIX_CHARS]) for t in tokens]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _expires(token: StoredToken, now: datetime) -> str:
    if token.expires_at is None:
        return "never"
    return _when(token.expires_at) + (" (expired)" if token.expired(now) else "")


def _read(path: Path) -> list[StoredToken]:
    try:
        return stored_tokens(path)
    except (OSError, ValueError, KeyError) as exc:
        raise CliError(f"{path}: not a readable tokens file: {exc}") from None


def _revoke(args: argparse.Namespace) -> int:
    if args.role and not args.subject:
        raise CliError("--role goes with --subject; a digest names one token already")
    if args.digest is not None and (len(args.digest) < _MIN_PREFIX_CHARS
                                    or not re.fullmatch(r"[0-9a-fA-F]+", args.digest)):
        raise CliError(f"--digest {args.digest!r}: at least {_MIN_PREFIX_CHARS} hex digits "
                       "from the DIGEST column of `welfare tokens list`")
    path = _path(args, Settings())
    _read(path)  # a broken file is said as such, not as "no token matches"
    try:
        removed = revoke(path, subject=args.subject, role=Role(args.role) if args.role else None,
                         digest_prefix=args.digest)
    except RevokeRefused as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"{path}: {exc}") from None
    for token in removed:
        print(f"revoked {token.principal.role.value} {token.principal.subject} "
              f"({token.sha256[:_PREFIX_CHARS]})")
    print(f"the services stop accepting {'it' if len(removed) == 1 else 'them'} when they "
          f"next read {path} (at the next request)", file=sys.stderr)
    return 0
