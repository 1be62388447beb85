"""Why an order or stop cannot be served by the own fleet, found before any search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dispatch.clock import format_windows
from dispatch.intake.request import Order, Request, Temperature
from dispatch.planning.compartments import order_load
from dispatch.planning.model import DayModel, FleetUnit


@dataclass(frozen=True, slots=True)
class Reason:
    """A machine-readable code with a sentence a dispatcher can act on."""

    code: str
    text: str


def _carries(unit: FleetUnit, temps: set[Temperature]) -> bool:
    cap = unit.spec.capacity
    return (Temperature.CHILLED not in temps or cap.chilled_l > 0) and (
        Temperature.FROZEN not in temps or cap.frozen_l > 0
    )


def order_reason(order: Order, units: Sequence[FleetUnit]) -> Reason | None:
    """Why no own vehicle could carry ``order`` at all (compartments, size), or None."""
    if not units:
        return Reason("no_vehicle", "no own vehicle is available")
    temps = order.temperatures()
    able = [u for u in units if _carries(u, temps)]
    if not able:
        cold = sorted(t.value for t in temps if t != Temperature.AMBIENT)
        return Reason(
            "no_compartment", f"{' and '.join(cold)} items but no vehicle with that compartment"
        )
    load = order_load(order)
    if not any(load.fits(u.spec.capacity) for u in able):
        biggest = max(u.spec.capacity.weight_kg for u in able)
        return Reason(
            "oversize",
            f"larger than any vehicle ({load.weight_kg:.0f} kg, {load.volume_l:.0f} l; "
            f"largest suitable vehicle {biggest:.0f} kg)",
        )
    return None


def stop_reason(model: DayModel, k: int, request: Request) -> Reason | None:
    """Why no single own vehicle could serve stop ``k`` even on a route of its own, or None."""
    stop = model.stops[k]
    node = model.stop_node(k)
    temps = stop.temperatures
    late = request.policy.max_late_minutes if request.policy.late_penalty_per_minute > 0 else 0.0
    depots = {d.id: d for d in model.depots}
    depot_index = {d.id: i for i, d in enumerate(model.depots)}
    window_ok = cold_ok = False
    for unit in model.units:
        if not _carries(unit, temps) or not stop.load.fits(unit.spec.capacity):
            continue
        v = unit.spec
        start_depot, end_depot = depots[v.depot], depots[unit.end_depot]
        base = model.travel.minutes
        out = base[depot_index[v.depot], node] / v.speed_factor
        back = base[node, depot_index[unit.end_depot]] / v.speed_factor
        earliest = max(v.shift.start, start_depot.open) + start_depot.loading_minutes + out
        latest_return = min(v.shift.end, end_depot.close)
        for a, b in stop.windows:
            begin = max(earliest, a)
            if begin <= b + late and begin + stop.service_minutes + back <= latest_return:
                window_ok = True
                if _cold_ok(v.max_cold_minutes.chilled, v.max_cold_minutes.frozen, temps, out):
                    cold_ok = True
                    return None
    windows = format_windows(stop.windows)
    if not window_ok:
        return Reason(
            "unreachable",
            f"no vehicle can reach {stop.id} within its window ({windows}) "
            "and return before its shift or the depot closes",
        )
    assert not cold_ok
    return Reason(
        "cold_limit",
        f"{stop.id} is farther from every suitable depot than the vehicles' cold-chain limit",
    )


def _cold_ok(
    chilled: float | None, frozen: float | None, temps: set[Temperature], out: float
) -> bool:
    if Temperature.CHILLED in temps and chilled is not None and out > chilled:
        return False
    return not (Temperature.FROZEN in temps and frozen is not None and out > frozen)
