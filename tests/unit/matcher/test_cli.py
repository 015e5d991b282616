"""``welfare solve``: a good file, a bad file, a replay."""

from __future__ import annotations

import json

from schemas.result import RoundResult
from services.cli.main import main
from tests.support.checker import check
from tests.unit.matcher.rounds import line, offer, snapshot


def write_round(tmp_path):
    snap = snapshot([line("a", "f1", 5), line("b", "f2", 5), line("c", "f3", 5),
                     line("d", "f3", 2, tags=("accessible",))],
                    [offer("camp", 20, min_group=15)])
    path = tmp_path / "round.json"
    path.write_text(snap.model_dump_json(indent=2))
    return snap, path


def test_solve_prints_a_summary_and_writes_the_result(tmp_path, capsys):
    snap, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    assert main(["solve", str(path), "--time-limit", "20", "--gap", "0", "--out", str(out),
                 "--lang", "en"]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    # Where the solve is, on stderr (plain lines: not a terminal), stage by stage.
    stages = [line.strip().split(" (")[0] for line in captured.err.splitlines()]
    assert stages[0] == "preparing the round: lines, offers, markets and parts"
    assert any(s.startswith("solving part 1 of ") for s in stages)
    assert stages[-2:] == ["working out the contracts and why the rest is not served",
                           "writing the result"]
    assert "the best possible plan" in printed
    assert "coverage: 15 of the 17 unit-weeks asked for" in printed
    assert ("no provider in the area offers what the line requires (e.g. accessible): 2 units"
            in printed)
    assert "camp (Childcare during school closures): tier 0" in printed
    result = RoundResult.model_validate_json(out.read_text())
    assert result.timings is None and check(snap, result) == []
    assert set(json.loads((tmp_path / "result.timings.json").read_text())) == {
        "build_s", "solve_s", "total_s"}


def test_a_bad_snapshot_gets_one_line_naming_the_field(tmp_path, capsys):
    _, path = write_round(tmp_path)
    data = json.loads(path.read_text())
    data["demand_lines"][1]["municipality"] = "Carpi"
    path.write_text(json.dumps(data))
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "demand_lines.1.municipality" in err


def test_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nowhere.json"), "--lang", "en"]) == 2
    assert "cannot read the snapshot" in capsys.readouterr().err


def test_italian_is_the_default(tmp_path, capsys, monkeypatch):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    _, path = write_round(tmp_path)
    assert main(["solve", str(path), "--gap", "0", "--out", str(tmp_path / "r.json")]) == 0
    printed = capsys.readouterr().out
    assert "il miglior piano possibile" in printed
    assert "copertura: 15 delle 17 unità-settimana richieste (88,2%)" in printed
    assert main(["solve", str(tmp_path / "nowhere.json")]) == 2
    assert "impossibile leggere l'istantanea del round" in capsys.readouterr().err


def test_replay_matches_and_refuses_another_snapshot(tmp_path, capsys):
    snap, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    assert main(["solve", str(path), "--seed", "3", "--gap", "0", "--out", str(out)]) == 0
    assert main(["solve", str(path), "--replay", str(out), "--lang", "en"]) == 0
    assert "replay: match" in capsys.readouterr().out
    other = snap.model_copy(update={"round_id": "round-2"})
    other_path = tmp_path / "other.json"
    other_path.write_text(other.model_dump_json())
    assert main(["solve", str(other_path), "--replay", str(out), "--lang", "en"]) == 2
    assert "input hash differs" in capsys.readouterr().err


def test_replay_reports_a_mismatch(tmp_path, capsys):
    _, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    assert main(["solve", str(path), "--gap", "0", "--out", str(out)]) == 0
    out.write_text(out.read_text().replace('"units": 5', '"units": 4', 1))
    assert main(["solve", str(path), "--replay", str(out), "--lang", "en"]) == 1
    assert "replay: MISMATCH" in capsys.readouterr().out


def test_a_round_that_cannot_be_proven_in_time_is_feasible_with_a_note(tmp_path, capsys):
    # Issue 11, from the command line: a short limit, gap 0, a round with tight
    # budgets and minimum groups; the plan comes back checked, and says why it stopped.
    from tests.unit.matcher.rounds import random_round

    snap = random_round(0, lines=60, offers=12, firms=6, relative_gap=0.0)
    path, out = tmp_path / "round.json", tmp_path / "result.json"
    path.write_text(snap.model_dump_json())
    assert main(["solve", str(path), "--time-limit", "0.5", "--out", str(out),
                 "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    result = RoundResult.model_validate_json(out.read_text())
    assert result.status.value == "feasible" and check(snap, result) == []
    assert "the time limit came before the gap was proven" in result.message
    assert "note from the optimiser: the time limit came before the gap was proven" in printed


def test_as_its_own_process_the_limit_counts_from_the_process_start(tmp_path, capsys,
                                                                     monkeypatch):
    # main() without argv is the console script: the limit counts from when the
    # process started (here: made to look long ago), so no time is left for the search.
    import time

    import services.cli.main as cli
    import services.cli.process_clock as process_clock

    _, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    monkeypatch.setattr(process_clock, "process_start", lambda: time.perf_counter() - 100.0)
    exits = []
    monkeypatch.setattr(cli, "_exit_at_once", exits.append)  # (it would end pytest)
    monkeypatch.setattr("sys.argv", ["welfare", "solve", str(path), "--time-limit", "20",
                                     "--gap", "0", "--out", str(out), "--lang", "en"])
    assert cli.main() == 0 and exits == [0]
    result = RoundResult.model_validate_json(out.read_text())
    assert result.status.value == "feasible" and "time limit" in result.message
    capsys.readouterr()
    # Called with a list (tests, other code), the same limit counts from the call.
    assert main(["solve", str(path), "--time-limit", "20", "--gap", "0", "--out", str(out),
                 "--lang", "en"]) == 0
    assert RoundResult.model_validate_json(out.read_text()).status.value == "optimal"


def test_only_the_command_asked_for_is_imported():
    from services.cli.main import _command_module

    assert _command_module(["solve", "round.json"]) == "services.cli.solve_cmd"
    assert _command_module(["--token-file", "solve", "solve", "x"]) == "services.cli.solve_cmd"
    assert _command_module(["--version"]) is None
    assert _command_module(["completion", "bash"]) is None  # (needs every command)


def test_the_process_age_is_read_from_proc(tmp_path):
    import os
    import time

    from services.cli.process_clock import process_age

    ticks = os.sysconf("SC_CLK_TCK")
    started = int((time.clock_gettime(time.CLOCK_BOOTTIME) - 5.0) * ticks)
    fields = ["S"] + ["0"] * 18 + [str(started)] + ["0"] * 30  # fields 3..52
    stat = tmp_path / "stat"
    stat.write_text(f"4242 (a (strange) name) {' '.join(fields)}\n")
    assert 4.9 <= process_age(str(stat)) <= 60.0
    stat.write_text("4242 (x) S 1 2\n")
    assert process_age(str(stat)) is None  # unreadable: the caller falls back
    age = process_age()  # (None once pytest has run longer than OLDEST_S)
    assert age is None or age >= 0.0


def _tampered(out, **changes):
    """The recorded result with some fields changed (the input hash kept), as text."""
    data = json.loads(out.read_text())
    data.update(changes)
    return RoundResult.model_validate(data).to_file_json()


def test_replay_of_a_time_limited_solve_says_why_and_by_how_much(tmp_path, capsys):
    # Issue 11 item 7: the recorded solve ended by its time limit with a worse plan
    # than the replay finds (a slower machine): the replay says the limit ended the
    # search, prints both results' coverage, objective and gap, and exits 0, since
    # each plan is within the other's proven bound.
    _, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    assert main(["solve", str(path), "--gap", "0", "--out", str(out)]) == 0
    best = RoundResult.model_validate_json(out.read_text())
    worse = best.objective + 0.01 * abs(best.objective)
    totals = best.totals.model_copy(update={"weighted_coverage": 0.5, "served_unit_weeks": 9})
    out.write_text(_tampered(out, status="feasible", objective=worse,
                             gap=(worse - best.bound) / abs(worse),
                             totals=totals.model_dump(mode="json")))
    assert main(["solve", str(path), "--replay", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "replay: MISMATCH" in printed
    assert "the recorded solve ended by its time limit (" in printed
    assert "  recorded: stopped at the time limit; priority-weighted coverage 50.00% (9 of 17" \
        in printed
    assert ("  replayed: proven best; priority-weighted coverage 88.24% (15 of 17 unit-weeks)"
            in printed)
    assert "gap 1.010%" in printed and "gap 0.000%" in printed
    assert ("replayed less recorded: priority-weighted coverage 38.24 points, 6 unit-weeks; "
            "objective -" in printed)
    assert "(1.010% of the recorded one; lower is better)" in printed
    assert "replay: differs only as far as the time limit allows" in printed
    # The same in Italian, the default language.
    assert main(["solve", str(path), "--replay", str(out), "--lang", "it"]) == 0
    printed = capsys.readouterr().out
    assert "il calcolo registrato si è fermato al suo limite di tempo (" in printed
    assert "registrato: fermato al limite di tempo; copertura pesata per priorità 50,00%" \
        in printed
    assert "riproduzione: diversa solo quanto il limite di tempo consente" in printed


def test_replay_refuses_results_that_contradict_each_others_bound(tmp_path, capsys):
    # A time-limited record whose bound is above the plan the replay finds: one of the
    # two is wrong, which no time limit explains.
    _, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    assert main(["solve", str(path), "--gap", "0", "--out", str(out)]) == 0
    best = RoundResult.model_validate_json(out.read_text())
    above = best.objective + 0.01 * abs(best.objective)
    out.write_text(_tampered(out, status="feasible", objective=above + 1.0, bound=above))
    assert main(["solve", str(path), "--replay", str(out), "--lang", "en"]) == 1
    printed = capsys.readouterr().out
    assert "the recorded solve ended by its time limit" in printed
    assert "contradict each other's proven bound: not explained by the time limit" in printed


def test_a_proven_record_that_replays_differently_is_a_mismatch(tmp_path, capsys):
    # The record ended by proof: any difference is a failure, and no time limit is blamed.
    _, path = write_round(tmp_path)
    out = tmp_path / "result.json"
    assert main(["solve", str(path), "--gap", "0", "--out", str(out)]) == 0
    best = RoundResult.model_validate_json(out.read_text())
    out.write_text(_tampered(out, objective=best.objective + 1.0))
    assert main(["solve", str(path), "--replay", str(out), "--lang", "en"]) == 1
    printed = capsys.readouterr().out
    assert "replay: MISMATCH" in printed and "time limit" not in printed.split("replay:")[-1]
