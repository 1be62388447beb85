"""The command line's own checks, before any request is read."""

from __future__ import annotations

import pytest

from api.cli import build_parser


@pytest.mark.parametrize("value", ["0", "-5", "3601", "nan", "soon"])
def test_a_time_limit_outside_the_requests_range_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "request.json", "--time-limit", value])
    assert "--time-limit" in capsys.readouterr().err


def test_a_time_limit_in_range_is_taken() -> None:
    args = build_parser().parse_args(["demo", "--time-limit", "2.5"])
    assert args.time_limit == 2.5
