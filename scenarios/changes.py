"""Scenario changes applied to a deep copy of a request document (the base is never touched).

Each change type is one function ``(request, args, rng) -> notes`` on the copy; the
schema (``scenarios/schema/scenario.schema.json``) documents what each one means. Draws
(copied, added or moved orders) come from a generator seeded by the change's ``seed``
(default 0), so a scenario is the same day every time.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dispatch.clock import MAX_MINUTES, format_clock, parse_clock
from dispatch.errors import FieldError
from dispatch.intake.loading import load_request
from dispatch.intake.request import Temperature
from dispatch.sourcing.order_regions import assign_regions
from scenarios.spec import ScenarioError

Json = dict[str, Any]
KM_PER_DEGREE = 111.32
COLDEST = (Temperature.FROZEN.value, Temperature.CHILLED.value, Temperature.AMBIENT.value)


@dataclass(frozen=True, slots=True)
class Applied:
    """A scenario's request, the orders it moved to the day before, and what was done."""

    request: Json
    moved: int
    notes: tuple[str, ...]


class _ChangeError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def apply_changes(base: Json, changes: Sequence[Json], *, where: str = "scenario") -> Applied:
    """``changes`` applied in order to a deep copy of ``base``."""
    request = copy.deepcopy(base)
    notes: list[str] = []
    moved = 0
    for k, change in enumerate(changes):
        ((kind, args),) = change.items()
        rng = np.random.default_rng(args.get("seed", 0) if isinstance(args, dict) else 0)
        try:
            if kind == "earlier_start":
                before = len(request.get("orders", []))
                notes += _earlier_start(request, args, rng)
                moved += before - len(request.get("orders", []))
            else:
                notes += CHANGES[kind](request, args, rng)
        except _ChangeError as bad:
            field = f"changes[{k}].{kind}" + (f".{bad.field}" if bad.field else "")
            raise ScenarioError([FieldError(where, field, bad.message)]) from None
    return Applied(request, moved, tuple(notes))


def order_regions(request: Json) -> dict[str, str]:
    """The region of every order of a request document."""
    return dict(assign_regions(load_request(request)).region_of)


def temperature_class(order: Json) -> str:
    """An order's class: its coldest item's temperature (frozen, chilled, else ambient)."""
    temps = {i.get("temperature", "ambient") for i in order.get("items", []) if i.get("qty", 1)}
    return next((t for t in COLDEST if t in temps), Temperature.AMBIENT.value)


def _demand(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    orders: list[Json] = request.get("orders", [])
    regions = order_regions(request) if "by_region" in args else {}
    known = set(regions.values())
    for r in args.get("by_region", {}):
        if r not in known:
            raise _ChangeError(f"by_region.{r}", f"no order of the day is in region {r!r}")
    factors = []
    for order in orders:
        k = float(args.get("factor", 1.0))
        k *= args.get("by_region", {}).get(regions.get(order["id"], ""), 1.0)
        k *= args.get("by_platform", {}).get(order.get("platform", ""), 1.0)
        k *= args.get("by_temperature", {}).get(temperature_class(order), 1.0)
        factors.append(k)
    groups: dict[float, list[int]] = defaultdict(list)
    for i, k in enumerate(factors):
        groups[k].append(i)
    copies = [1] * len(orders)
    for k, members in sorted(groups.items()):
        whole = math.floor(k)
        extra = round(k * len(members)) - whole * len(members)
        chosen = set(rng.choice(members, size=extra, replace=False).tolist()) if extra else set()
        for i in members:
            copies[i] = whole + (1 if i in chosen else 0)
    out: list[Json] = []
    taken = {o["id"] for o in orders}
    for order, n in zip(orders, copies, strict=True):
        out.extend(_copy_order(order, j, taken) for j in range(1, n + 1))
    request["orders"] = out
    return [f"demand: {len(orders)} orders became {len(out)}"]


def _copy_order(order: Json, j: int, taken: set[str]) -> Json:
    if j == 1:
        return order
    twin = copy.deepcopy(order)
    twin["id"] = _fresh(f"{order['id']}~{j}", taken)
    return twin


def _extra_orders(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    orders: list[Json] = request.get("orders", [])
    pool = orders
    if "region" in args:
        regions = order_regions(request)
        pool = [o for o in orders if regions.get(o["id"]) == args["region"]]
        if not pool:
            raise _ChangeError("region", f"no order of the day is in region {args['region']!r}")
    if not pool:
        raise _ChangeError("", "the day has no order to draw new ones like")
    spread = float(args.get("spread_km", 0.5))
    seed = int(args.get("seed", 0))
    taken = {o["id"] for o in orders}
    for n, pick in enumerate(rng.integers(0, len(pool), size=int(args["count"]))):
        order = copy.deepcopy(pool[int(pick)])
        order["id"] = _fresh(f"X{seed}-{n + 1}", taken)
        for key in ("customer", "address", "notes"):
            order.pop(key, None)
        if order.get("location") and not order.get("pickup_point"):
            order["location"] = _moved(order["location"], spread, rng)
        orders.append(order)
    request["orders"] = orders
    return [f"extra_orders: {args['count']} orders added"]


def _fresh(oid: str, taken: set[str]) -> str:
    while oid in taken:
        oid += "x"
    taken.add(oid)
    return oid


def _moved(location: Json, km: float, rng: np.random.Generator) -> Json:
    angle, dist = rng.uniform(0, 2 * math.pi), km * math.sqrt(rng.uniform())
    if "lat" in location:
        lat = location["lat"] + dist * math.sin(angle) / KM_PER_DEGREE
        lon = location["lon"] + dist * math.cos(angle) / (
            KM_PER_DEGREE * max(math.cos(math.radians(location["lat"])), 0.01)
        )
        return {"lat": round(lat, 6), "lon": round(lon, 6)}
    return {
        "x": location["x"] + dist * math.cos(angle),
        "y": location["y"] + dist * math.sin(angle),
    }


def _earlier_start(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    orders: list[Json] = request.get("orders", [])
    n = round(float(args["share"]) * len(orders))
    gone = set(rng.choice(len(orders), size=n, replace=False).tolist()) if n else set()
    request["orders"] = [o for i, o in enumerate(orders) if i not in gone]
    return [f"earlier_start: {n} orders delivered the day before"]


def _vehicle(request: Json, ref: str, field: str) -> Json:
    vehicles: list[Json] = request.get("vehicles", [])
    found = next((v for v in vehicles if v["id"] == ref), None)
    found = found or next((v for v in vehicles if v.get("kind") == ref), None)
    if found is None:
        raise _ChangeError(field, f"no vehicle entry or kind {ref!r}")
    return found


def _vehicles_unavailable(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    notes = []
    for vid, out in args.items():
        entry = next((v for v in request.get("vehicles", []) if v["id"] == vid), None)
        if entry is None:
            raise _ChangeError(vid, f"no vehicle entry {vid!r}")
        have = int(entry.get("count", 1))
        entry["count"] = 0 if out == "all" else max(have - int(out), 0)
        notes.append(f"vehicles_unavailable: {vid} {have} → {entry['count']}")
    return notes


def _rent_vehicles(request: Json, args: list[Json], rng: np.random.Generator) -> list[str]:
    taken = {v["id"] for v in request.get("vehicles", [])}
    for k, spec in enumerate(args):
        if spec["id"] in taken:
            raise _ChangeError(f"[{k}].id", f"vehicle id {spec['id']!r} is already used")
        vehicle = copy.deepcopy(_vehicle(request, spec["like"], f"[{k}].like"))
        vehicle.update(id=spec["id"], count=int(spec.get("count", 1)))
        if "depot" in spec:
            vehicle["depot"] = spec["depot"]
        vehicle["cost"] = {**vehicle.get("cost", {}), **spec.get("cost", {})}
        request["vehicles"].append(vehicle)
        taken.add(spec["id"])
    return [f"rent_vehicles: {sum(int(s.get('count', 1)) for s in args)} vehicle(s) added"]


def _carrier(request: Json, cid: str, field: str) -> Json:
    found = next((c for c in request.get("carriers", []) if c["id"] == cid), None)
    if found is None:
        raise _ChangeError(field, f"no carrier {cid!r}")
    return found


def _carrier_down(request: Json, args: list[str], rng: np.random.Generator) -> list[str]:
    for k, cid in enumerate(args):
        _carrier(request, cid, f"[{k}]")["max_orders"] = 0
    policy = request.get("policy") or {}
    if policy.get("pin"):
        policy["pin"] = {r: c for r, c in policy["pin"].items() if c not in args}
    return [f"carrier_down: {', '.join(args)}"]


def _carrier_cap(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    for cid, cap in args.items():
        _carrier(request, cid, cid)["max_orders"] = int(cap)
    return [f"carrier_cap: {cid} ≤ {cap}" for cid, cap in args.items()]


def _backup_carrier(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    if any(c["id"] == args["id"] for c in request.get("carriers", [])):
        raise _ChangeError("id", f"carrier id {args['id']!r} is already used")
    carrier = copy.deepcopy(_carrier(request, args["like"], "like"))
    factor = float(args.get("price_factor", 1.0))
    carrier["id"] = args["id"]
    carrier["name"] = f"{carrier.get('name', args['like'])} (backup)"
    carrier["price"] = {k: round(v * factor, 4) for k, v in carrier.get("price", {}).items()}
    if "max_orders" in args:
        carrier["max_orders"] = int(args["max_orders"])
    request["carriers"].append(carrier)
    return [f"backup_carrier: {args['id']} like {args['like']} at ×{factor:g}"]


def _travel_slower(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    factor = float(args["factor"])
    band = None
    if "from" in args or "to" in args:
        band = (parse_clock(args.get("from", "00:00")), parse_clock(args.get("to", "24:00")))
        if band[1] <= band[0]:
            raise _ChangeError("to", "the band must end after it starts")
    for vehicle in request.get("vehicles", []):
        shift = vehicle.get("shift") or {}
        start, end = _clock(shift, "start", 0), _clock(shift, "end", 24 * 60)
        share = 1.0
        if band is not None:
            overlap = max(0, min(end, band[1]) - max(start, band[0]))
            share = overlap / (end - start) if end > start else 0.0
        slower = 1 + (factor - 1) * share
        vehicle["speed_factor"] = round(max(vehicle.get("speed_factor", 1.0) / slower, 0.1), 4)
    span = "" if band is None else f" {format_clock(band[0])}–{format_clock(band[1])}"
    return [f"travel_slower: ×{factor:g}{span}"]


def _windows_tightened(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    cut, side = float(args["minutes"]), args.get("side", "both")
    keep = float(args.get("keep_minutes", 30))
    count = 0
    for record in [*request.get("orders", []), *request.get("pickup_points", [])]:
        for window in record.get("time_windows", []):
            start, end = parse_clock(window["start"]), parse_clock(window["end"])
            room = max(end - start - keep, 0)
            early = cut if side in ("start", "both") else 0
            late = cut if side in ("end", "both") else 0
            scale = min(1.0, room / (early + late)) if early + late else 0.0
            window["start"] = format_clock(start + math.floor(early * scale))
            window["end"] = format_clock(end - math.floor(late * scale))
            count += 1
    return [f"windows_tightened: {count} windows by up to {cut:g} min ({side})"]


def _shifts_extended(request: Json, args: Json, rng: np.random.Generator) -> list[str]:
    names = args.get("vehicles")
    ids = {v["id"] for v in request.get("vehicles", [])}
    for k, vid in enumerate(names or []):
        if vid not in ids:
            raise _ChangeError(f"vehicles[{k}]", f"no vehicle entry {vid!r}")
    for vehicle in request.get("vehicles", []):
        if names is not None and vehicle["id"] not in names:
            continue
        shift = vehicle.setdefault("shift", {})
        start = _clock(shift, "start", 0) - float(args.get("start_earlier", 0))
        end = _clock(shift, "end", 24 * 60) + float(args.get("end_later", 0))
        shift["start"] = format_clock(max(start, 0))
        shift["end"] = format_clock(min(end, MAX_MINUTES - 1))
    return ["shifts_extended"]


def _clock(record: Json, key: str, default: int) -> int:
    value = record.get(key)
    return default if value is None else parse_clock(value)


CHANGES: dict[str, Callable[[Json, Any, np.random.Generator], list[str]]] = {
    "demand": _demand,
    "extra_orders": _extra_orders,
    "earlier_start": _earlier_start,
    "vehicles_unavailable": _vehicles_unavailable,
    "rent_vehicles": _rent_vehicles,
    "carrier_down": _carrier_down,
    "carrier_cap": _carrier_cap,
    "backup_carrier": _backup_carrier,
    "travel_slower": _travel_slower,
    "windows_tightened": _windows_tightened,
    "shifts_extended": _shifts_extended,
}
"""Every change type by its key in a scenario file."""
