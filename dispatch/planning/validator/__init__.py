"""An independent plan checker: recomputes times, loads, cold-chain ages and costs from the request.

It shares no code with the planner beyond the request models and the clock
format of the contract; its travel times come from its own formulas, or, for the
``road`` and ``osrm`` metrics, from its own call of the geo provider (the road
network of the request's extract, or the OSRM server) for every place of the request.

The own-fleet rules are in :mod:`~dispatch.planning.validator.routes`, the carriers' in
:mod:`~dispatch.planning.validator.carriers`, its travel measures in
:mod:`~dispatch.planning.validator.travel`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch.intake.request import Request
from dispatch.planning.validator.carriers import CarrierChecker
from dispatch.planning.validator.replan import validate_replan
from dispatch.planning.validator.routes import RouteChecker
from dispatch.planning.validator.rules import Violation

__all__ = ["Violation", "validate_plan", "validate_replan"]


def validate_plan(request: Request, plan: Mapping[str, Any]) -> list[Violation]:
    """Every rule of the contract the plan breaks; empty when it is valid."""
    return RouteChecker(request, plan).run() + CarrierChecker(request, plan).run()
