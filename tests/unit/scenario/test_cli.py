"""``welfare scenario generate``: files, determinism, validation, errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from schemas.capacity import CapacityOffer, ProviderProfile
from schemas.demand import DemandLine, FirmProfile
from schemas.snapshot import RoundSnapshot
from services.cli.main import main
from services.scenario.writer import FILES, OFFER_COLUMNS, SURVEY_COLUMNS


def run(tmp_path, name, *extra, seed="5"):
    out = tmp_path / name
    code = main(["scenario", "generate", "--network", "modena", "--seed", seed, "--out",
                 str(out), *extra])
    assert code == 0
    return out


def test_writes_every_file_and_they_validate(tmp_path, capsys):
    out = run(tmp_path, "a")
    printed = capsys.readouterr().out
    assert "50 firms of 13 ATECO sectors" in printed and "65 offers" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)

    network = json.loads((out / "network.json").read_text())
    firms = [FirmProfile.model_validate(f) for f in network["firms"]]
    [ProviderProfile.model_validate(p) for p in network["providers"]]
    assert len(firms) == 50 and network["network_id"] == "modena"

    lines = json.loads((out / "demand_lines.json").read_text())
    assert all(DemandLine.model_validate(item["line"]) for item in lines)
    offers = json.loads((out / "offers.json").read_text())
    assert len(offers) == 65
    assert all(CapacityOffer.model_validate(item["offer"]) for item in offers)

    text = (out / "snapshot.json").read_text()
    snapshot = RoundSnapshot.model_validate_json(text)
    assert json.loads(text) == json.loads(snapshot.model_dump_json())  # nothing lost or added
    assert len(snapshot.demand_lines) == len(lines)
    for item, line in zip(lines, snapshot.demand_lines):
        assert item == {"firm_id": line.firm_id, "line": line.model_dump(mode="json",
                                                                          exclude={"firm_id"})}
    sites = {s["firm_id"]: s["municipality"] for s in network["firm_sites"]}
    assert set(sites) == {f.firm_id for f in firms}
    assert (snapshot.first_week, snapshot.last_week) == ("2027-W24", "2027-W36")
    assert f"exactly {len(lines)} demand lines" in printed


def test_csv_files(tmp_path):
    out = run(tmp_path, "a")
    with open(out / "offers.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == OFFER_COLUMNS and len(rows) == 65
    offers = {i["offer"]["offer_id"]: i["offer"]
              for i in json.loads((out / "offers.json").read_text())}
    for row in rows:
        offer = offers[row["offer_id"]]
        assert row["municipalities"].split(";") == offer["municipalities"]
        tiers = [t.split(":") for t in row["price_tiers"].split(";")]
        assert [[str(t["min_volume"]), t["unit_price_eur"]] for t in offer["price_tiers"]] == tiers
    with open(out / "survey.csv", newline="") as f:
        survey = list(csv.DictReader(f))
    assert tuple(survey[0]) == SURVEY_COLUMNS and survey
    assert {row["single_parent"] for row in survey} <= {"true", "false"}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a, b = run(tmp_path, "a"), run(tmp_path, "b")
    c = run(tmp_path, "c", seed="6")
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "demand_lines.json").read_bytes() != (c / "demand_lines.json").read_bytes()


def test_scaled_and_windowed(tmp_path, capsys):
    out = run(tmp_path, "k", "--demand-lines", "1000", "--first-week", "2027-W26",
              "--last-week", "2027-W34")
    assert "exactly 1000 demand lines" in capsys.readouterr().out
    snapshot = RoundSnapshot.model_validate_json((out / "snapshot.json").read_text())
    assert len(snapshot.demand_lines) == 1000
    assert snapshot.first_week == "2027-W26"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--network", "milano"], "unknown network 'milano'"),
        (["--network", "modena", "--demand-lines", "10"], "at least"),
        (["--network", "modena", "--first-week", "2027-W40"], "before it starts"),
        (["--network", "modena", "--last-week", "2027-W60"], "does not exist"),
    ],
)
def test_user_errors_are_one_line(tmp_path, capsys, args, message):
    code = main(["scenario", "generate", "--seed", "1", "--out", str(tmp_path / "x"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("welfare: error:") and message in err


def test_same_bytes_in_another_process_with_another_hash_seed(tmp_path):
    # Nothing may depend on set or dict hashing order: run in two processes.
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-m", "services.cli.main", "scenario", "generate", "--network",
             "modena", "--seed", "8", "--out", str(out)],
            check=True, env=env, capture_output=True,
        )
        outs.append(out)
    for name in FILES:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
