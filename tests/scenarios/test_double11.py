"""The Double 11 example end to end from the command line, every plan checked again here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from api.cli import main
from dispatch import load_request, validate_plan
from scenarios.base import base_request
from scenarios.report import slug
from scenarios.spec import read_scenarios
from scenarios.study import case_requests

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).parents[2] / "scenarios" / "examples" / "double11.yaml"


def test_double11_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "d11"
    code = main(
        ["scenario", "run", str(EXAMPLE), "--out", str(out), "--time-limit", "1",
         "--workers", "2", "--no-maps"]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "fleet sizing" in printed
    assert "promise Xinyi" in printed
    for name in ("comparison.csv", "comparison.json", "report.html", "assets/chart.umd.min.js"):
        assert (out / name).is_file(), name
    rows = list(csv.DictReader((out / "comparison.csv").open(encoding="utf-8")))
    assert len(rows) == 1 + 4 + 4 * 3
    spec = read_scenarios(EXAMPLE)
    requests = case_requests(spec, base_request(spec))
    assert len(requests) == len(rows)
    for name, request in requests.items():
        plan = json.loads((out / "plans" / f"{slug(name)}.json").read_text(encoding="utf-8"))
        assert validate_plan(load_request(request), plan) == [], name
    summary = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert len(summary["risk"]) == 4
    assert [c["contingency"] for c in summary["contingency_ranking"]]
    assert summary["sizing"]["curve"][0]["extra"] == 0
    assert {p["region"] for p in summary["promise"]["regions"]} == {
        "Xinyi", "Daan", "Zhongshan", "Banqiao",
    }  # fmt: skip
