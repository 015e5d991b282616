"""The CLI for people: ``--version``, completion, options where users put them, and the
round's phase while ``--wait`` waits (plain lines when stdout is not a terminal).

The operator API here is a scripted HTTP server on loopback: the real client
polls it over TCP, and the round moves through the phases a matcher reports.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version

import pytest

from services.cli.main import build_parser, main


def test_version_is_the_installed_package(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"welfare {version('welfare-matching')}"


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_script_knows_the_commands_and_their_options(shell, capsys):
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for word in ("round", "load", "templates", "--token-file", "--dry-run", "--wait"):
        assert word in script, word


def test_token_file_and_network_are_accepted_where_a_user_puts_them(tmp_path):
    token = tmp_path / "t"
    parser = build_parser()
    before = parser.parse_args(["--token-file", str(token), "round", "start", "modena",
                                "--weeks", "2027-W24..2027-W36"])
    after = parser.parse_args(["round", "start", "modena", "--weeks", "2027-W24..2027-W36",
                               "--token-file", str(token)])
    between = parser.parse_args(["round", "--token-file", str(token), "start",
                                 "--network", "modena", "--weeks", "2027-W24..2027-W36"])
    for args in (before, after, between):
        assert args.token_file == token
    assert (before.network_given, between.network_option) == ("modena", "modena")
    load = parser.parse_args(["--token-file", str(token), "load", "rete.xlsx",
                              "--network", "modena"])
    assert load.token_file == token


def test_network_given_twice_differently_is_refused(tmp_path, capsys):
    token = tmp_path / "t"
    token.write_text("x")
    code = main(["round", "start", "modena", "--network", "bologna", "--weeks",
                 "2027-W24..2027-W36", "--token-file", str(token), "--lang", "en"])
    assert code == 2
    assert "NETWORK is given twice, as modena and as --network bologna" in capsys.readouterr().err


class ScriptedOperator(BaseHTTPRequestHandler):
    """POST starts round r-1; each GET moves it one step along ``STEPS``."""

    STEPS = [
        {"status": "requested"},
        {"status": "requested"},
        {"status": "running", "phase": "snapshot"},
        {"status": "running", "phase": "solving", "part": 1, "parts": 2},
        {"status": "running", "phase": "solving", "part": 2, "parts": 2},
        {"status": "running", "phase": "storing"},
        {"status": "failed", "failure_reason": "the solver ran out of memory"},
    ]
    seen: list[str] = []

    def _answer(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.headers["Authorization"])
        self._answer(202, {"round_id": "r-1", "status": "requested"})

    def do_GET(self) -> None:  # noqa: N802
        step = self.STEPS[min(len(self.seen) - 1, len(self.STEPS) - 1)]
        self.seen.append(self.path)
        self._answer(200, {"round_id": "r-1", "dry_run": True, "kind": "full", **step})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def operator_url(monkeypatch):
    ScriptedOperator.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedOperator)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("WELFARE_OPERATOR_URL", url)
    yield url
    server.shutdown()
    server.server_close()


def test_wait_shows_each_phase_as_plain_lines_off_a_terminal(operator_url, tmp_path, capsys):
    token = tmp_path / "operator.token"
    token.write_text("secret-token\n")
    code = main(["--token-file", str(token), "round", "start", "modena", "--weeks",
                 "2027-W24..2027-W36", "--dry-run", "--wait", "--time-limit", "30",
                 "--lang", "en"])
    out, err = capsys.readouterr()
    assert code == 1  # the round failed
    assert ScriptedOperator.seen[0] == "Bearer secret-token"
    assert "round r-1 requested" in out
    lines = [line.strip() for line in err.splitlines()]
    phases = [line.split(" (")[0] for line in lines if " of 30 " in line]
    assert phases == [
        "waiting for the matcher to take the round and for its book to hold what was sent",
        "freezing the snapshot", "solving part 1 of 2", "solving part 2 of 2",
        "storing the result", "failed"], err
    assert "\x1b[" not in err  # no terminal control codes in a log
    assert "the solver ran out of memory" in err


def test_wait_in_italian_by_default(operator_url, tmp_path, capsys, monkeypatch):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    token = tmp_path / "operator.token"
    token.write_text("secret-token\n")
    main(["round", "start", "modena", "--weeks", "2027-W24..2027-W36", "--wait",
          "--token-file", str(token)])
    err = capsys.readouterr().err
    assert "calcolo della parte 1 di 2" in err, err
