"""Poison records without a broker: the reason in words, the dead letter's size,
the headers FastStream could not read, and what a refused StartRound still names."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from schemas.rounds import CommitRound
from schemas.topics import DEAD_LETTER, DEMAND, ROUND_COMMANDS, decode, encode
from services.common.consumer import GUARDED, guarded, why_unreadable
from services.common.dead_letters import (
    DEAD_LETTER_MAX_BYTES,
    dead_letter_for,
    dead_letter_headers,
    emptied,
)
from services.matcher.service_layer.refused import MAX_COMMAND_BYTES, refused_round
from tests.unit.matcher_service import builders as b


def record(value: bytes | None, topic: str = DEMAND, headers=(), key: bytes | None = b"f1"):
    return ConsumerRecord(topic=topic, partition=2, offset=41, timestamp=0, timestamp_type=0,
                          key=key, value=value, checksum=None, serialized_key_size=0,
                          serialized_value_size=0, headers=tuple(headers))


def reason(value: bytes | None, topic: str = DEMAND) -> str:
    try:
        if not value:
            raise ValueError("empty")
        value.decode()
        decode(topic, value)
    except (ValueError, ValidationError) as exc:
        return why_unreadable(topic, value, exc)
    raise AssertionError("the value was a valid event")


def test_each_kind_of_poison_gets_its_reason_in_words():
    assert "nested too deeply" in reason(b"[" * 1500)
    assert reason(b"").startswith("the record has no value")
    assert reason(None).startswith("the record has no value")
    assert reason(b"\xff\xfe{}") == ("the value is not UTF-8 text (byte 0xff at position 0 is "
                                     "invalid); a JSON event was expected")
    assert "Invalid JSON" in reason(b"not json at all")
    assert reason(b"[1, 2, 3]") == (f"the value is not an event of {DEMAND}: "
                                    "Input should be an object")
    assert why_unreadable("welfare.unknown.v1", b"{}", KeyError("welfare.unknown.v1")) == (
        "unknown topic 'welfare.unknown.v1': this consumer has no schema for it")
    # A field still comes first, as before.
    invalid = json.loads(encode(b.firm("f1")))
    invalid["firm"]["employees"] = -3
    assert reason(json.dumps(invalid).encode()).startswith("firm.employees: Input should be")


def test_a_small_value_is_kept_whole():
    letter = dead_letter_for(record(b"{oops"), "g", "bad", 1)
    assert base64.b64decode(letter.original_value_b64) == b"{oops"
    assert (letter.original_value_truncated, letter.original_value_bytes) == (False, 5)
    assert letter.entity_id == f"{DEMAND}:2:41" and letter.original_key == "f1"
    headers = dead_letter_headers(letter)
    assert headers["dlq-original-value-truncated"] == "false"
    assert headers["dlq-original-value-bytes"] == "5"


def test_a_value_too_large_to_copy_whole_is_cut_to_a_prefix_that_fits():
    value = b'{"padding": "' + b"x" * 900_000 + b'"}'
    letter = dead_letter_for(record(value), "g", "too big " * 1000, 1)
    size = len(encode(letter))
    assert size <= DEAD_LETTER_MAX_BYTES
    assert size > DEAD_LETTER_MAX_BYTES - 8  # as much as fits, not an arbitrary cut
    kept = base64.b64decode(letter.original_value_b64)
    assert value.startswith(kept) and len(kept) < len(value)
    assert (letter.original_value_truncated, letter.original_value_bytes) == (True, len(value))
    assert len(letter.error) == 4000
    headers = dead_letter_headers(letter)
    assert headers["dlq-original-value-truncated"] == "true"
    assert headers["dlq-original-value-bytes"] == str(len(value))
    assert len(headers["dlq-error"]) == 500
    # The same record dead-letters under the same id, truncated or not.
    assert letter.event_id == dead_letter_for(record(b"x"), "g", "e", 1).event_id
    last_resort = emptied(letter)
    assert last_resort.original_value_b64 == "" and last_resort.original_value_truncated


def test_a_binary_key_travels_as_base64_and_a_huge_one_in_part():
    assert dead_letter_for(record(b"{}", key=b"\xff"), "g", "e", 1).original_key == "/w=="
    assert len(dead_letter_for(record(b"{}", key=b"k" * 5000), "g", "e", 1).original_key) == 1024


async def test_headers_faststream_cannot_decode_are_made_readable_before_it_parses():
    seen = []

    async def strict_parser(raw):  # what FastStream's parser does with every header value
        seen.append({name: value.decode() for name, value in raw.headers})
        return raw

    poisoned = record(b"{}", headers=[("trace", b"\xff\x00"), ("empty", None),
                                      ("content-type", b"application/json")])
    parsed = await GUARDED["parser"](poisoned, strict_parser)
    assert seen == [{"trace": "\ufffd\x00", "empty": "", "content-type": "application/json"}]
    assert (parsed.topic, parsed.offset, parsed.value) == (DEMAND, 41, b"{}")
    clean = record(b"{}", headers=[("content-type", b"application/json")])
    assert await GUARDED["parser"](clean, strict_parser) is clean


async def test_the_body_reaches_the_guard_as_bytes_whatever_the_content_type():
    class Message:
        body = b"[" * 1500
        content_type = "application/json"

    assert await GUARDED["decoder"](Message()) == b"[" * 1500


def _command(**changes) -> bytes:
    command = json.loads(encode(b.start_round("r9")))
    command.update(changes)
    return json.dumps(command).encode()


def test_a_refused_command_still_names_its_round_when_it_can():
    fallback = uuid.uuid4()
    raw = _command(dry_run=False).replace(b'"cost_weight": 1.0', b'"cost_weight": 1e309')
    assert b"1e309" in raw
    found = refused_round(raw, fallback)
    assert (found.round_id, found.network_id, found.first_week, found.last_week) == (
        "r9", "modena", "2027-W24", "2027-W36")
    assert found.dry_run is False and found.requested_by == "operator"
    assert found.command_event_id == json.loads(raw)["event_id"]
    odd = refused_round(_command(first_week="soon", dry_run="yes", event_id=7,
                                 requested_by=["x"]), fallback)
    assert (odd.first_week, odd.dry_run, odd.requested_by) == ("", True, "operator")
    assert odd.command_event_id == str(fallback)


def test_a_refused_commit_names_a_committed_round_not_a_dry_run():
    commit = json.loads(encode(CommitRound(network_id="modena", entity_version=1,
                                           round_id="c9", dry_run_id="r9")))
    commit["requested_by"] = ["not", "a", "name"]
    found = refused_round(json.dumps(commit).encode(), uuid.uuid4())
    assert (found.round_id, found.dry_run, found.requested_by) == ("c9", False, "operator")


def test_a_refused_command_that_names_no_readable_round_is_left_alone():
    fallback = uuid.uuid4()
    assert refused_round(b"[" * 1500, fallback) is None
    assert refused_round(b"\xff\xfe", fallback) is None
    assert refused_round(b"[1, 2]", fallback) is None
    assert refused_round(_command(round_id=None), fallback) is None
    assert refused_round(_command(network_id="not a network!"), fallback) is None
    assert refused_round(_command(round_id=5), fallback) is None
    padded = _command(requested_by="x" * MAX_COMMAND_BYTES)
    assert refused_round(padded, fallback) is None


class Sent:
    """A stand-in for the dead-letter producer: records, or refuses, what it is given."""

    def __init__(self, *refusals: BaseException) -> None:
        self.letters: list = []
        self.refusals = list(refusals)

    async def __call__(self, topic, key, value, headers):
        if self.refusals:
            raise self.refusals.pop(0)
        self.letters.append((topic, decode(topic, value), headers))


class Message:
    def __init__(self, raw) -> None:
        self.raw_message = raw


async def test_a_handler_that_keeps_failing_is_dead_lettered_and_answered_for():
    answered = []

    async def handler(event):
        raise RecursionError("maximum recursion depth exceeded " + "x" * 5000)

    async def answer(value, letter):
        answered.append((value, letter.error))

    sent = Sent()
    on_record = guarded(handler, group="g", publish=sent, max_attempts=2, retry_delay_s=0,
                        on_dead_lettered=answer)
    value = encode(b.start_round("r9"))
    await on_record(Message(record(value, topic=ROUND_COMMANDS)))
    [(topic, letter, headers)] = sent.letters
    assert topic == DEAD_LETTER and letter.attempts == 2
    assert letter.error.startswith("RecursionError: maximum recursion depth exceeded")
    assert len(letter.error) < 1100  # the exception's text is cut, not the whole input
    assert answered == [(value, letter.error)]


async def test_a_letter_the_broker_finds_too_large_goes_out_without_the_value():
    sent = Sent(MessageSizeTooLargeError())
    on_record = guarded(_never_called, group="g", publish=sent)
    await on_record(Message(record(b"[" * 1500)))
    [(_, letter, headers)] = sent.letters
    assert letter.original_value_b64 == "" and letter.original_value_truncated
    assert headers["dlq-original-value-bytes"] == "1500"


async def test_when_dead_lettering_fails_the_record_is_left_for_redelivery(caplog):
    on_record = guarded(_never_called, group="g", publish=Sent(ConnectionError("no broker")))
    with pytest.raises(ConnectionError):
        await on_record(Message(record(b"")))
    assert "could not dead-letter welfare.demand.v1:2:41" in caplog.text


async def test_answering_for_a_letter_never_holds_the_partition(caplog):
    async def answer(value, letter):
        raise OSError("database away")

    sent = Sent()
    on_record = guarded(_never_called, group="g", publish=sent, max_attempts=2,
                        retry_delay_s=0, on_dead_lettered=answer)
    await on_record(Message(record(b"not json")))  # returns: the offset will be committed
    assert len(sent.letters) == 1
    assert "gave up answering for dead letter welfare.demand.v1:2:41" in caplog.text


async def _never_called(event):
    raise AssertionError("a poison record reached the handler")
