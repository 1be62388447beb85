"""The command line's own checks, before any request is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import build_parser


@pytest.mark.parametrize("value", ["0", "-5", "3601", "nan", "soon"])
def test_a_time_limit_outside_the_requests_range_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "request.json", "--time-limit", value])
    assert "--time-limit" in capsys.readouterr().err


def test_the_demo_day_is_today_unless_a_date_is_given() -> None:
    assert build_parser().parse_args(["demo"]).date is None
    assert build_parser().parse_args(["demo", "--date", "2026-11-11"]).date == "2026-11-11"


def test_a_time_limit_in_range_is_taken() -> None:
    args = build_parser().parse_args(["demo", "--time-limit", "2.5"])
    assert args.time_limit == 2.5


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--seed", "-1"),
        ("--orders", "-5"),
        ("--orders", "ten"),
        ("--orders", "0"),
        ("--date", "11/11/2026"),
    ],
)
def test_a_demo_seed_or_order_count_that_is_not_a_count_is_refused(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", flag, value])
    assert flag in capsys.readouterr().err


def test_the_demo_leaves_another_command_s_output_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing plan file is kept, and the error names it; nothing else is written."""
    out = tmp_path / "plan.json"
    out.write_text('{"mine": true}', encoding="utf-8")
    args = build_parser().parse_args(["demo", "--orders", "3", "--out", str(out)])
    assert args.func(args) == 2
    assert out.read_text(encoding="utf-8") == '{"mine": true}'
    assert not (tmp_path / "plan.request.json").exists()
    assert f"{out} exists already" in capsys.readouterr().err
