"""The command line: its own checks before any request is read, and managing people."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.cli import build_parser, main


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


def test_users_are_created_listed_and_disabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    """``dispatch users`` creates a person from a password on stdin, lists people without
    their passwords, refuses a bad or taken name, and disables a person."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["users", "create", "--name", "Mei", "--role", "dispatcher",
                 "--password-stdin"]) == 0  # fmt: skip
    assert "created dispatcher user mei" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["users", "create", "--name", "MEI", "--role", "admin", "--password-stdin"]) == 2
    assert "exists already" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "create", "--name", "lin", "--role", "admin", "--password-stdin"]) == 2
    assert "password is 5 characters long" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("mei\tdispatcher\tactive")
    assert "correct horse" not in listed
    assert main(["users", "disable", "mei"]) == 0
    assert main(["users", "disable", "nobody"]) == 2
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert "\tdisabled " in capsys.readouterr().out


def test_serve_freezes_what_it_made_before_serving(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """The garbage collector's full passes leave the modules and the app alone."""
    import gc

    import uvicorn

    frozen: list[int] = []
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: frozen.append(gc.get_freeze_count()))
    gc.unfreeze()
    try:
        assert main(["serve", "--port", "8099"]) == 0
    finally:
        gc.unfreeze()
    assert len(frozen) == 1
    assert frozen[0] > 0
