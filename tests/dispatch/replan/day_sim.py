"""A small day simulator for the re-plan tests: drivers follow the newest plan version and
report departures and deliveries at the plan's times, one event id per fact."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch.live.status import LiveKind, RoadEvent
from dispatch.planning.plan import Plan


def moment(plan: Plan, minutes: float) -> datetime:
    assert plan.date is not None
    origin = datetime.combine(plan.date, time(0), tzinfo=ZoneInfo(plan.timezone))
    return origin + timedelta(minutes=minutes)


def drive(
    plan: Plan, loading: float, since: float, until: float, *, skip: Iterable[str] = (),
    fail: dict[str, str] | None = None,
) -> list[RoadEvent]:  # fmt: skip
    """The events of the plan's routes that happen in (``since``, ``until``] minutes; the
    vehicles in ``skip`` report nothing; orders in ``fail`` fail with that reason."""
    fail = fail or {}
    out: list[RoadEvent] = []
    stopped = set(skip)
    for r in plan.routes:
        if r.vehicle in stopped:
            continue
        leave = r.start + loading
        if not any(s.done for s in r.stops) and since < leave <= until:
            out.append(_event(plan, f"{r.vehicle}-dep", r.vehicle, LiveKind.DEPARTED, leave))
        for s in r.stops:
            if s.done is not None or not since < s.departure <= until:
                continue
            failed = tuple(o for o in s.orders if o in fail)
            good = tuple(o for o in s.orders if o not in fail)
            if good:
                out.append(_event(plan, f"{r.vehicle}-{s.stop}-ok", r.vehicle,
                                  LiveKind.DELIVERED, s.departure, s.stop, good))  # fmt: skip
            for o in failed:
                out.append(_event(plan, f"{r.vehicle}-{s.stop}-{o}-no", r.vehicle,
                                  LiveKind.FAILED, s.departure, s.stop, (o,), fail[o]))  # fmt: skip
    return out


def _event(
    plan: Plan, eid: str, vehicle: str, kind: LiveKind, minutes: float, stop: str | None = None,
    orders: tuple[str, ...] = (), reason: str | None = None,
) -> RoadEvent:  # fmt: skip
    at = moment(plan, minutes)
    return RoadEvent(eid, vehicle, kind, at, at.astimezone(UTC), stop, orders, reason)
