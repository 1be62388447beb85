"""The stored best plans of the group-buy benchmark: recorded, re-checked, never replaced
by a dearer plan."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.groupbuy import (
    Known,
    Run,
    known_path,
    load_known,
    print_known,
    record_best,
    run,
)

DAY, ORDERS = 4, 12


@pytest.fixture(scope="module")
def solved() -> Run:
    found = run(DAY, ORDERS, "ortools", 1.0)
    assert not found.violations
    return found


def test_a_recorded_plan_is_the_best_known_of_its_day(solved: Run, tmp_path: Path) -> None:
    known: dict[int, Known] = {}
    record_best(tmp_path, [solved], ORDERS, known)
    assert known == {DAY: Known(solved.total, "ortools 1 s seed 0")}
    assert load_known(tmp_path, DAY, ORDERS) == known[DAY]
    assert load_known(tmp_path, DAY, ORDERS + 1) is None


def test_a_dearer_plan_leaves_the_best_known_alone(solved: Run, tmp_path: Path) -> None:
    known = {DAY: Known(solved.total - 1, "earlier")}
    record_best(tmp_path, [solved], ORDERS, known)
    assert not known_path(tmp_path, DAY, ORDERS).exists()
    assert known[DAY].found == "earlier"


def test_a_plan_with_a_broken_rule_is_never_recorded(solved: Run, tmp_path: Path) -> None:
    record_best(tmp_path, [replace(solved, violations=("late",))], ORDERS, {})
    assert not known_path(tmp_path, DAY, ORDERS).exists()


@pytest.mark.parametrize("other_day", [False, True])
def test_a_stored_plan_the_validator_refuses_is_left_out(
    solved: Run, tmp_path: Path, other_day: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    record_best(tmp_path, [solved], ORDERS, {})
    path = known_path(tmp_path, DAY, ORDERS)
    record = json.loads(gzip.decompress(path.read_bytes()))
    if other_day:
        path = path.rename(known_path(tmp_path, DAY + 1, ORDERS))
    else:
        record["plan"]["objective"]["total"] -= 100
        record["plan"]["objective"]["own_fleet"] -= 100
        path.write_bytes(gzip.compress(json.dumps(record).encode()))
    assert load_known(tmp_path, DAY + other_day, ORDERS) is None
    assert "ignored, the validator refuses it" in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"{}"), gzip.compress(b"[1]")])
def test_a_file_that_is_no_stored_plan_is_left_out(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    known_path(tmp_path, DAY, ORDERS).write_bytes(content)
    assert load_known(tmp_path, DAY, ORDERS) is None
    assert "ignored, not a stored plan" in capsys.readouterr().out


def test_the_reference_is_the_cheaper_of_the_stored_and_this_runs_valid_plans(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ours = Run(DAY, "portfolio", 30, 0, 110.0, 0, 2, 30.0, (), {"routes": []})
    broken = replace(ours, engine="ortools", total=88.0, violations=("late",))
    print_known([ours, broken], [DAY], "portfolio", 30, {})
    assert f"{DAY} 110.0 0.00% 0.00% portfolio 30 s seed 0, this run" in _words(capsys)
    print_known([ours, broken], [DAY], "portfolio", 30, {DAY: Known(100.0, "earlier")})
    assert f"{DAY} 100.0 10.00% 10.00% earlier" in _words(capsys)


def _words(capsys: pytest.CaptureFixture[str]) -> str:
    return " ".join(capsys.readouterr().out.split())
