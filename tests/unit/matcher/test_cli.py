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
    printed = capsys.readouterr().out
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
