"""Dispatch: group-buy orders in, a day's plan out, the plan day followed live.

The stages, each a subpackage; imports point one way, from a stage to the ones before it::

    intake/    request models, loading with every error named, order imports
       │
       ▼
    sourcing/  carriers, the region of every order, per-region search, per-order choice
    planning/  stops, loads, the optimizer's model, own-fleet routing, assembly of the
       │       plan, the independent validator; the use cases plan_day and plan_request
       ▼
    store/     the network, orders, jobs, plans, driver links, events, keys and audit
       │
       ▼
    live/      driver links, events, the day's status and predicted arrivals

``forecast/`` forecasts a day's orders per region from their history. ``errors``,
``clock`` and ``text`` are the vocabulary every stage shares.

The names below are the surface the command line, the API and the scenarios use most;
each is imported on first use, so importing :mod:`dispatch` stays cheap (the searches'
helper processes import the main module again).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dispatch.errors import (
        ConflictError,
        DispatchError,
        FieldError,
        InputError,
        NotFoundError,
        RequestError,
        TooLargeError,
        UnsupportedOptionError,
    )
    from dispatch.intake.imports import import_orders, read_orders
    from dispatch.intake.loading import load_request, read_request
    from dispatch.intake.request import Request
    from dispatch.live.events import record_road_event
    from dispatch.live.predict import day_status
    from dispatch.planning.day import Planned, plan_day, plan_request
    from dispatch.planning.plan import Plan
    from dispatch.planning.stored_job import run_planning_job, stored_request
    from dispatch.planning.validator import Violation, validate_plan
    from dispatch.store import Store

_HOMES = {
    "ConflictError": "dispatch.errors",
    "DispatchError": "dispatch.errors",
    "FieldError": "dispatch.errors",
    "InputError": "dispatch.errors",
    "NotFoundError": "dispatch.errors",
    "RequestError": "dispatch.errors",
    "TooLargeError": "dispatch.errors",
    "UnsupportedOptionError": "dispatch.errors",
    "Request": "dispatch.intake.request",
    "load_request": "dispatch.intake.loading",
    "read_request": "dispatch.intake.loading",
    "import_orders": "dispatch.intake.imports",
    "read_orders": "dispatch.intake.imports",
    "Plan": "dispatch.planning.plan",
    "Planned": "dispatch.planning.day",
    "plan_day": "dispatch.planning.day",
    "plan_request": "dispatch.planning.day",
    "Violation": "dispatch.planning.validator",
    "validate_plan": "dispatch.planning.validator",
    "run_planning_job": "dispatch.planning.stored_job",
    "stored_request": "dispatch.planning.stored_job",
    "Store": "dispatch.store",
    "record_road_event": "dispatch.live.events",
    "day_status": "dispatch.live.predict",
}

__all__ = [
    "ConflictError",
    "DispatchError",
    "FieldError",
    "InputError",
    "NotFoundError",
    "Plan",
    "Planned",
    "Request",
    "RequestError",
    "Store",
    "TooLargeError",
    "UnsupportedOptionError",
    "Violation",
    "day_status",
    "import_orders",
    "load_request",
    "plan_day",
    "plan_request",
    "read_orders",
    "read_request",
    "record_road_event",
    "run_planning_job",
    "stored_request",
    "validate_plan",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'dispatch' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
