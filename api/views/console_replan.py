"""The console's re-plan: the form's choices and defaults for a plan, the form read back as
the body of ``POST /plans/{id}/replan`` (each bad field named), the plan's versions and what
a re-plan changed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from api.views.driver_page import _clock as _clock_text
from dispatch.errors import FieldError, RequestError
from dispatch.planning.plan import Plan
from dispatch.store.models import PlanRecord

DEFAULT_TIME_LIMIT_S = 10
MAX_TIME_LIMIT_S = 600
MAX_CANCELLED = 5000
LOCAL_TIME = "%Y-%m-%dT%H:%M"


def default_at(now: datetime, day: date, zone: str) -> str:
    """``now`` in the plan's zone for a ``datetime-local`` field, kept on the plan's day."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    first = datetime.combine(day, time(0), tzinfo=tz)
    last = datetime.combine(day, time(23, 59), tzinfo=tz)
    return min(max(local, first), last).strftime(LOCAL_TIME)


def carrier_ids(request: Mapping[str, Any]) -> list[str]:
    """The carriers of the plan's request, by id."""
    return [
        str(c["id"]) for c in request.get("carriers") or () if isinstance(c, dict) and c.get("id")
    ]


def form_view(
    plan: Plan, request: Mapping[str, Any], day: date, now: datetime,
    values: Mapping[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The form's choices (the plan's vehicles, the request's carriers) and its values: those
    posted, else the defaults (``at`` now by the service's clock)."""
    values = values or {}
    vehicles = [r.vehicle for r in plan.routes]
    return {
        "vehicles": [
            {"k": k, "vehicle": v, "checked": values.get(f"down_{k}") == v,
             "at": values.get(f"down_at_{k}", "")}
            for k, v in enumerate(vehicles)
        ],
        "carriers": [
            {"k": k, "carrier": c, "checked": values.get(f"carrier_{k}") == c}
            for k, c in enumerate(carrier_ids(request))
        ],
        "at": values.get("at") or default_at(now, day, plan.timezone),
        "cancel_orders": values.get("cancel_orders", ""),
        "keep_assignments": values.get("keep_assignments") == "true",
        "time_limit_s": values.get("time_limit_s") or str(DEFAULT_TIME_LIMIT_S),
    }  # fmt: skip


def _local(value: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.strptime(value.strip(), LOCAL_TIME)
    except ValueError:
        return None
    return parsed.replace(tzinfo=tz)


def _clock(value: str, day: date, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        return None
    return datetime.combine(day, parsed.replace(second=0, microsecond=0), tzinfo=tz)


def _numbered(values: Mapping[str, str], prefix: str) -> list[tuple[int, str]]:
    """The checked boxes ``<prefix><k>`` in their order, with their values."""
    found = []
    for key, value in values.items():
        match = re.fullmatch(rf"{prefix}(\d{{1,4}})", key)
        if match and value:
            found.append((int(match.group(1)), value))
    return sorted(found)


def replan_body(values: Mapping[str, str], zone: str) -> dict[str, Any]:
    """The body of ``POST /plans/{id}/replan`` the form asks for; RequestError naming each
    form field that cannot be read (the day's own checks follow on the body)."""
    tz = ZoneInfo(zone)
    errors: list[FieldError] = []
    at = _local(values.get("at", ""), tz)
    if at is None:
        errors.append(FieldError("form", "at", "is not a date and time (YYYY-MM-DDTHH:MM)"))
    down = []
    for k, vehicle in _numbered(values, "down_"):
        raw = values.get(f"down_at_{k}", "").strip()
        when = at if not raw else _clock(raw, at.date() if at else date.min, tz)
        if raw and when is None:
            errors.append(FieldError("form", f"down_at_{k}", "is not a time (HH:MM)"))
        elif when is not None:
            down.append({"vehicle": vehicle, "at": when.isoformat()})
    cancel = [o for o in re.split(r"[\s,;、，]+", values.get("cancel_orders", "")) if o]
    if len(cancel) > MAX_CANCELLED:
        errors.append(FieldError("form", "cancel_orders", f"at most {MAX_CANCELLED} orders"))
    try:
        seconds = float(values.get("time_limit_s") or DEFAULT_TIME_LIMIT_S)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= MAX_TIME_LIMIT_S:
        errors.append(
            FieldError("form", "time_limit_s", f"must be a number from 1 to {MAX_TIME_LIMIT_S}")
        )
    if errors or at is None:
        raise RequestError(errors)
    return {
        "at": at.isoformat(),
        "vehicles_down": down,
        "cancel_orders": cancel,
        "carriers_down": [c for _, c in _numbered(values, "carrier_")],
        "keep_assignments": values.get("keep_assignments") == "true",
        "time_limit_s": seconds,
    }


def versions_view(versions: Sequence[PlanRecord], shown: int) -> list[dict[str, Any]]:
    """The day's versions, oldest first, the one shown marked."""
    return [
        {
            "id": v.id,
            "created": v.created_at.strftime("%Y-%m-%d %H:%M"),
            "cost": v.total_cost,
            "state": "superseded" if v.superseded_by
            else "published" if v.published_at else "draft",
            "shown": v.id == shown,
        }
        for v in versions
    ]  # fmt: skip


def changes_view(plan: Plan) -> dict[str, Any] | None:
    """What the re-plan that made ``plan`` changed, with its time in the plan's zone."""
    if plan.changes is None:
        return None
    at = plan.replanned_at
    arrivals = [
        {"stop": a.stop, "vehicle": a.vehicle, "before": _clock_text(a.before),
         "after": _clock_text(a.after), "minutes": a.minutes}
        for a in plan.changes.arrivals_moved
    ]  # fmt: skip
    return {
        "at": at.astimezone(ZoneInfo(plan.timezone)).strftime("%Y-%m-%d %H:%M") if at else "",
        "previous": plan.previous_plan_id,
        "changes": plan.changes,
        "arrivals": arrivals,
    }
