"""The report folder: CSV, JSON, plan files, and a page whose only scripts are files beside it."""

from __future__ import annotations

import csv
import json
import re
from html import unescape
from pathlib import Path

import pytest

from scenarios.report import comparison_table
from tests.scenarios.report_data import HOSTILE, tiny_result

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return tiny_result(str(tmp_path_factory.mktemp("report")))


def test_outputs_are_written(result: dict[str, object]) -> None:
    folder = Path(str(result["report"])).parent
    rows = list(csv.DictReader((folder / "comparison.csv").open(encoding="utf-8")))
    assert [r["scenario"] for r in rows][:3] == ["baseline", "peak ×2", HOSTILE]
    assert all(r["valid"] == "yes" for r in rows)
    assert "own_share:Songde" in rows[0]
    summary = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    assert [r["scenario"] for r in summary["risk"]] == ["peak ×2", HOSTILE]
    assert summary["contingency_ranking"][0]["contingency"] == "rented reefer"
    plans = sorted(p.name for p in (folder / "plans").iterdir())
    assert "baseline.json" in plans
    assert len(plans) == 5
    assert (folder / "assets" / "chart.umd.min.js").stat().st_size > 100_000


def test_the_page_has_a_policy_and_no_inline_script(result: dict[str, object]) -> None:
    html = Path(str(result["report"])).read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None
    assert "script-src 'self';" in unescape(policy.group(1))
    assert "default-src 'none'" in unescape(policy.group(1))
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, body in scripts:
        assert 'type="application/json"' in attributes or (body == "" and "src=" in attributes)
    assert HOSTILE not in html
    assert "&lt;img src=x" in html
    assert "\\u003cimg src=x" in html


def test_the_table_lists_every_case(result: dict[str, object]) -> None:
    lines = comparison_table(result).splitlines()
    assert lines[0].startswith("scenario")
    assert len(lines) == 1 + 1 + 2 + 2
