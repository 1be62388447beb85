"""``dispatch scenario``: a bad file is answered with its problems by line, never a trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api.cli import main


def test_a_bad_scenario_file_names_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "base: {demo: {orders: 10}}\nscenarios:\n  - name: x\n    changes:\n"
        "      - carrier_cap: {CAT: -1}\n",
        encoding="utf-8",
    )
    code = main(["scenario", "run", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert str(bad) in err
    assert "line 5" in err
    assert "scenarios[0].changes[0].carrier_cap.CAT" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "size", str(tmp_path / "none.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_run_writes_each_plans_map_beside_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.scenarios.conftest import SOLVE, tiny

    (tmp_path / "tiny.json").write_text(json.dumps(tiny()), encoding="utf-8")
    spec = {
        "base": {"request": "tiny.json"},
        "solve": SOLVE,
        "scenarios": [{"name": "slow roads", "changes": [{"travel_slower": {"factor": 1.2}}]}],
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(["scenario", "run", str(tmp_path / "s.yaml"), "--out", str(out), "--workers", "1"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "slow roads" in printed
    assert (out / "maps" / "baseline.html").is_file()
    assert (out / "maps" / "slow-roads.html").is_file()
    assert 'href="maps/slow-roads.html"' in (out / "report.html").read_text(encoding="utf-8")
