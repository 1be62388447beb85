"""``dispatch scenario``: a bad file is answered with its problems by line, never a trace."""

from __future__ import annotations

from pathlib import Path

import pytest

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
