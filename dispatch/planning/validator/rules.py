"""What every part of the validator shares: a violation, the base of its checkers, and the
tolerance of compared times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dispatch.intake.request import Request

TOLERANCE_MIN = 1.0 + 1.0 / 60
"""Plan times are rounded to the minute, so two times compared may be a minute apart, and
the model rounds travel, service and loading up to the second: one minute and one second."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where in the plan, and what."""

    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message}"


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class Rules:
    """What every checker holds: the request, the plan, and the violations found so far."""

    def __init__(self, request: Request, plan: Mapping[str, Any]) -> None:
        self.req = request
        self.plan = plan
        self.out: list[Violation] = []
        self.orders = {o.id: o for o in request.orders}
        self.points = {p.id: p for p in request.pickup_points}

    def fail(self, where: str, rule: str, message: str) -> None:
        self.out.append(Violation(where, rule, message))
