"""``welfare dead-letters list|show|replay``: the poison messages, for the engineer on call.

``list [--since WHEN] [--topic T] [--limit N]`` prints a table of the dead
letters (reading commits nothing: the topic is not consumed); ``show REF``
prints one with its original value decoded; ``replay REF... [--fixed-file F]``
republishes the original value, or the fixed one from F, to the original topic
with the original key. REF is the letter's offset on the dead-letter topic (the
OFFSET column), its event id, or the original event's id. Consumers drop an
event id they have already applied, so a second replay changes nothing.

Kafka is ``WELFARE_KAFKA_BOOTSTRAP`` with the services' security settings.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from schemas.topics import DEAD_LETTER, TOPICS
from services.cli.errors import CliError
from services.common.dead_letter_tools import (
    Letter,
    ReplayRefused,
    find,
    read_letters,
    readable_value,
    replay_value,
    republish,
)
from services.common.kafka import KafkaConnection
from services.common.settings import Settings

_ERROR_CHARS = 90
_AGO = re.compile(r"^(\d+(?:\.\d+)?)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dead-letters", help="list, show and replay the messages consumers set aside")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="the dead letters, oldest first, in a table")
    listing.add_argument("--since", default=None, metavar="WHEN",
                         help="only those since WHEN: an ISO date or date-time (UTC unless "
                              "it says otherwise), or an age such as 30m, 6h, 2d")
    listing.add_argument("--topic", default=None, choices=sorted(set(TOPICS) - {DEAD_LETTER}),
                         help="only those from this original topic")
    listing.add_argument("--limit", type=int, default=50, metavar="N",
                         help="the N most recent (default 50; 0 for all)")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="one dead letter with its original value decoded")
    show.add_argument("reference", metavar="OFFSET|EVENT_ID")
    show.set_defaults(handler=_show)

    replay = actions.add_parser(
        "replay", help="republish to the original topic with the original key")
    replay.add_argument("references", nargs="+", metavar="OFFSET|EVENT_ID")
    replay.add_argument("--fixed-file", type=Path, default=None, metavar="F",
                        help="publish the value in F (the poison, fixed) instead of the "
                             "original; one letter only")
    replay.set_defaults(handler=_replay)


def _connection() -> KafkaConnection:
    settings = Settings()
    if not settings.kafka_bootstrap:
        # The services would start an empty embedded broker; there are no letters there.
        raise CliError("WELFARE_KAFKA_BOOTSTRAP is not set: point it at the Kafka whose "
                       f"{DEAD_LETTER} topic you want to read")
    return KafkaConnection(settings, settings.kafka_bootstrap)


def _read(connection: KafkaConnection, **filters) -> list[Letter]:
    try:
        return asyncio.run(read_letters(connection.aiokafka_options(), **filters))
    except LookupError as exc:
        raise CliError(str(exc)) from None
    except TimeoutError:
        raise CliError(f"{DEAD_LETTER} on {connection.bootstrap}: reading did not reach the "
                       "end of the topic in time") from None
    except Exception as exc:  # noqa: BLE001 - aiokafka's connection errors, in one line
        raise CliError(f"could not read {DEAD_LETTER} from {connection.bootstrap}: "
                       f"{type(exc).__name__}: {exc}") from None


def _list(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise CliError(f"--limit {args.limit}: 0 (all) or a positive number")
    since = _since(args.since, datetime.now(UTC))
    letters = _read(_connection(), since=since, topic=args.topic)
    shown = letters[-args.limit:] if args.limit else letters
    if not letters:
        print("no dead letters" + (" matching the filters" if since or args.topic else ""),
              file=sys.stderr)
        return 0
    rows = [("OFFSET", "TIME (UTC)", "ORIGINAL TOPIC", "KEY", "ATTEMPTS", "ERROR")]
    rows += [_row(item) for item in shown]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join([*cells, row[-1]]).rstrip())
    if len(shown) < len(letters):
        print(f"(the {len(shown)} most recent of {len(letters)}; --limit 0 shows all)",
              file=sys.stderr)
    return 0


def _row(item: Letter) -> tuple[str, ...]:
    when = item.at.strftime("%Y-%m-%d %H:%M:%S")
    if item.letter is None:
        return (str(item.offset), when, "?", "?", "?", f"unreadable dead letter: "
                f"{_short(item.unreadable or '')}")
    letter = item.letter
    error = ("[value cut: not replayable as is] " if letter.original_value_truncated else "")
    return (str(item.offset), when, letter.original_topic, letter.original_key or "(none)",
            str(letter.attempts), _short(error + letter.error))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ERROR_CHARS else text[:_ERROR_CHARS - 1] + "…"


def _since(text: str | None, now: datetime) -> datetime | None:
    if text is None:
        return None
    if match := _AGO.match(text):
        return now - timedelta(**{_UNITS[match[2]]: float(match[1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--since {text!r}: an ISO date (2027-06-30), date-time "
                       "(2027-06-30T08:00) or an age (30m, 6h, 2d) was expected") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _one(letters: list[Letter], reference: str) -> Letter:
    found = find(letters, reference)
    if not found:
        raise CliError(f"no dead letter is {reference!r} (an offset from `welfare dead-letters "
                       "list`, the letter's event id or the original event's id)")
    if len(found) > 1:
        offsets = ", ".join(str(item.offset) for item in found)
        raise CliError(f"{reference!r} names {len(found)} dead letters (offsets {offsets}): "
                       "give the offset of the one you mean")
    return found[0]


def _show(args: argparse.Namespace) -> int:
    item = _one(_read(_connection()), args.reference)
    print(f"offset:           {item.offset} on {DEAD_LETTER}")
    print(f"dead-lettered at: {item.at.isoformat(timespec='seconds')}")
    if item.letter is None:
        print(f"unreadable:       {item.unreadable}")
        return 0
    letter = item.letter
    print(f"letter event id:  {letter.event_id}")
    print(f"original:         {letter.original_topic} partition {letter.original_partition} "
          f"offset {letter.original_offset}")
    key = letter.original_key if letter.original_key is not None else "(none)"
    print(f"key:              {key}")
    print(f"consumer group:   {letter.consumer_group}")
    print(f"attempts:         {letter.attempts}")
    print(f"error:            {letter.error}")
    if letter.original_value_truncated:
        print(f"value:            only the first {len(item.value)} of "
              f"{letter.original_value_bytes} bytes were kept (too large to travel whole); "
              "it cannot be replayed as it is, only fixed with --fixed-file")
    print("original value:" if not letter.original_value_truncated else
          "original value (its first bytes):")
    print(readable_value(item.value) if item.value or not letter.original_value_truncated
          else "(none of it was kept)")
    return 0


def _replay(args: argparse.Namespace) -> int:
    if args.fixed_file is not None and len(args.references) > 1:
        raise CliError("--fixed-file replaces one letter's value: give one OFFSET|EVENT_ID")
    fixed = None
    if args.fixed_file is not None:
        try:
            fixed = args.fixed_file.read_bytes()
        except OSError as exc:
            raise CliError(f"--fixed-file {args.fixed_file}: {exc.strerror or exc}") from None
    connection = _connection()
    letters = _read(connection)
    chosen = [_one(letters, reference) for reference in args.references]
    try:
        # Every value is checked before any is published: all or nothing.
        values = [replay_value(item, fixed) for item in chosen]
    except ReplayRefused as exc:
        raise CliError(str(exc)) from None
    for item, value in zip(chosen, values):
        try:
            partition, offset = asyncio.run(_publish(connection, item, value))
        except Exception as exc:  # noqa: BLE001 - aiokafka's errors, in one line
            raise CliError(f"replaying dead letter {item.offset} to "
                           f"{item.letter.original_topic} failed: {type(exc).__name__}: "
                           f"{exc}") from None
        print(f"replayed dead letter {item.offset}{' (fixed value)' if fixed else ''} to "
              f"{item.letter.original_topic} partition {partition} offset {offset}, key "
              f"{item.letter.original_key or '(none)'}")
    return 0


async def _publish(connection: KafkaConnection, item: Letter, value: bytes) -> tuple[int, int]:
    options = connection.aiokafka_options()
    try:
        return await republish(options, item, value, idempotent=connection.idempotent)
    except Exception:
        if not connection.idempotent or connection.settings.kafka_idempotent_producer:
            raise
        # As the services do at their default: a broker refusing idempotence (Tansu) gets
        # a plain producer; the consumers' dedupe on event ids makes a repeat harmless.
        print("the broker refuses idempotent producers: publishing without idempotence "
              "(WELFARE_KAFKA_IDEMPOTENT_PRODUCER=false says so)", file=sys.stderr)
        return await republish(options, item, value, idempotent=False)
