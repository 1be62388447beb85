"""What a re-plan is asked to do, and the check that every vehicle, order and carrier it names
exists and its time lies on the plan's day (422 naming the field, before anything is stored)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from dispatch.errors import FieldError, RequestError
from dispatch.intake.request import Order, Request

FollowUp = Literal["redeliver", "carry_over", "return"]
"""What happens to an order whose delivery failed: another try today (if a vehicle can),
tomorrow's orders, or back to the depot (it stays failed)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VehicleDown(_Model):
    vehicle: str = Field(max_length=64)
    at: AwareDatetime


def _default_follow_ups() -> dict[str, FollowUp]:
    return {"nobody": "redeliver", "refused": "return"}


class FailurePolicy(_Model):
    """The follow-up per failure reason (the driver's ``reason``), else ``default``."""

    by_reason: dict[str, FollowUp] = Field(default_factory=_default_follow_ups, max_length=50)
    default: FollowUp = "carry_over"

    def for_reason(self, reason: str | None) -> FollowUp:
        return self.by_reason.get(reason or "", self.default)


class ReplanSpec(_Model):
    """The body of ``POST /plans/{id}/replan``."""

    at: AwareDatetime
    vehicles_down: tuple[VehicleDown, ...] = Field((), max_length=500)
    add_orders: tuple[dict[str, Any], ...] = Field((), max_length=5000)
    cancel_orders: tuple[str, ...] = Field((), max_length=5000)
    carriers_down: tuple[str, ...] = Field((), max_length=100)
    keep_assignments: bool = False
    failures: FailurePolicy = FailurePolicy()
    time_limit_s: float | None = Field(None, gt=0, le=600)

    def down_at(self) -> dict[str, datetime]:
        """When each vehicle that is down stopped (the earliest if named twice)."""
        out: dict[str, datetime] = {}
        for d in self.vehicles_down:
            out[d.vehicle] = min(d.at, out.get(d.vehicle, d.at))
        return out


def read_spec(body: Mapping[str, Any]) -> ReplanSpec:
    """The typed body; RequestError naming each bad field."""
    try:
        return ReplanSpec.model_validate(body)
    except ValidationError as exc:
        errors = [
            FieldError("", ".".join(str(p) for p in e["loc"]), e["msg"])
            for e in exc.errors(include_url=False)
        ]
        raise RequestError(errors) from None


def day_start(request: Request) -> datetime:
    return datetime.combine(request.date, time(0), tzinfo=ZoneInfo(request.timezone))


def check_spec(spec: ReplanSpec, request: Request, known_orders: Sequence[str]) -> None:
    """RequestError naming every vehicle, order or carrier the spec refers to that the day
    does not have, an added order that is invalid or already there, and a time before the
    plan's day (or after it)."""
    errors: list[FieldError] = []
    start = day_start(request)
    end = start + timedelta(days=2)

    def on_day(where: str, value: datetime) -> None:
        if value < start:
            errors.append(FieldError(where, "at", f"{value.isoformat()} is before the plan's day"))
        elif value >= end:
            errors.append(FieldError(where, "at", f"{value.isoformat()} is after the plan's day"))

    on_day("", spec.at)
    units = {uid for v in request.vehicles for uid in v.unit_ids()}
    for k, down in enumerate(spec.vehicles_down):
        if down.vehicle not in units:
            errors.append(
                FieldError(f"vehicles_down[{k}]", "vehicle", f"unknown vehicle {down.vehicle!r}")
            )
        on_day(f"vehicles_down[{k}]", down.at)
    known = set(known_orders)
    for k, oid in enumerate(spec.cancel_orders):
        if oid not in known:
            errors.append(FieldError("cancel_orders", f"[{k}]", f"unknown order {oid!r}"))
    carriers = {c.id for c in request.carriers}
    for k, cid in enumerate(spec.carriers_down):
        if cid not in carriers:
            errors.append(FieldError("carriers_down", f"[{k}]", f"unknown carrier {cid!r}"))
    points = {p.id for p in request.pickup_points}
    seen: set[str] = set()
    for k, raw in enumerate(spec.add_orders):
        where = f"add_orders[{k}]"
        try:
            order = Order.model_validate(raw)
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                errors.append(FieldError(where, ".".join(str(p) for p in e["loc"]), e["msg"]))
            continue
        if order.id in known or order.id in seen:
            errors.append(FieldError(where, "id", f"order {order.id!r} is already in the day"))
        if order.pickup_point is not None and order.pickup_point not in points:
            errors.append(
                FieldError(where, "pickup_point", f"unknown pickup point {order.pickup_point!r}")
            )
        if order.pickup_point is None and order.location is None:
            errors.append(FieldError(where, "location", "needs a location or a pickup point"))
        seen.add(order.id)
    if errors:
        raise RequestError(errors)
