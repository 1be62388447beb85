"""``dispatch forecast``: a history CSV in, the contract's forecast JSON (and a scenario) out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api.cli import main
from dispatch.forecast.history import write_history
from scenarios.history import example_history_path, generate_history


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three regions over 120 days of the generated history."""
    path = tmp_path_factory.mktemp("history") / "history.csv"
    write_history(generate_history(3, days=120, regions=["Xinyi", "Daan", "Neihu"]), path)
    return path


def test_the_forecast_is_written_in_the_contract_shape(
    history_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """day, level and a record per region; the scenario scales a stored day of the history."""
    out, scenario = tmp_path / "f.json", tmp_path / "s.yaml"
    code = main(
        ["forecast", str(history_csv), "--day", "2025-03-05", "--out", str(out), "--level", "0.9",
         "--scenario-out", str(scenario), "--scenario-base", "2025-02-26"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["day"] == "2025-03-05"
    assert doc["level"] == 0.9
    assert [r["region"] for r in doc["regions"]] == ["Xinyi", "Daan", "Neihu"]
    for r in doc["regions"]:
        assert 0 <= r["lower"] <= r["mean"] <= r["upper"]
    plan = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert plan["base"] == {"date": "2025-02-26"}
    assert set(plan["changes"][0]["demand"]["by_region"]) == {"Xinyi", "Daan", "Neihu"}
    assert "written to" in capsys.readouterr().out


def test_a_bad_history_is_an_error_naming_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, the problem on stderr, no traceback."""
    bad = tmp_path / "bad.csv"
    bad.write_text("date,region,orders\n2025-01-01,Xinyi,12\n2025-01-02,Xinyi,lots\n", "utf-8")
    code = main(["forecast", str(bad), "--day", "2025-02-01", "--out", str(tmp_path / "f.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "line 3, column orders: 'lots' is not a number" in err
    assert "Traceback" not in err
    assert not (tmp_path / "f.json").exists()


def test_an_unknown_region_is_an_error(
    history_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--region names a region the history lacks: exit 2, named."""
    code = main(
        ["forecast", str(history_csv), "--day", "2025-03-05", "--out", str(tmp_path / "f.json"),
         "--region", "Atlantis"]
    )  # fmt: skip
    assert code == 2
    assert "'Atlantis'" in capsys.readouterr().err


@pytest.mark.parametrize("level", ["0", "1", "80", "high"])
def test_a_level_outside_zero_to_one_is_refused(
    history_csv: Path, level: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--level is a fraction: 0.8, not 80."""
    with pytest.raises(SystemExit):
        main(["forecast", str(history_csv), "--day", "2025-03-05", "--level", level])
    assert "--level" in capsys.readouterr().err


@pytest.mark.slow
def test_double_11_at_the_80th_percentile_from_the_example_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's example: the shipped history, Double 11 2026, a scenario over the demo day."""
    out, scenario = tmp_path / "f.json", tmp_path / "d11.yaml"
    code = main(
        ["forecast", str(example_history_path()), "--day", "2026-11-11", "--out", str(out),
         "--scenario-out", str(scenario), "--scenario-demand", "p80"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    doc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert doc["name"] == "Double 11 2026, 80th percentile"
    assert doc["base"]["demo"]["date"] == "2026-11-11"
    forecast = json.loads(out.read_text(encoding="utf-8"))
    assert len(forecast["regions"]) == 9
    factors = doc["changes"][0]["demand"]["by_region"]
    assert all(f > 1 for f in factors.values())
