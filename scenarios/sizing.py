"""Fleet sizing: the cheapest extra vehicles and carrier capacity that serve a day on time.

The offer (``offer`` in the scenario file) lists vehicle types to rent (each copies a
vehicle entry, at a day's rent paid whether it drives or not) and blocks of extra carrier
capacity (orders added to a carrier's cap, for a fee). Starting from the day as it is,
each step adds the one unit of the offer that gives the lowest total cost (the plan's
cost, penalties for unserved orders included, plus rents and fees); all candidates of a
step are solved side by side. The curve is total cost against units added; the answer is
the cheapest point whose plan serves every order on time, and the search stops one step
after it, when one more unit no longer pays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optimizer.executor import Executor, open_executor
from scenarios.changes import apply_changes
from scenarios.runner import Case, run_cases, solve_options
from scenarios.spec import FieldError, ScenarioError, ScenarioSet

Json = dict[str, Any]


def offers(spec: ScenarioSet) -> list[Json]:
    """The units sizing may add, each ``{"key", "kind", "max", "price", ...}``."""
    found = []
    for v in spec.offer.get("vehicles", []):
        found.append({**v, "key": f"vehicle {v['id']}", "kind": "vehicle", "price": v["rent"]})
    for c in spec.offer.get("carriers", []):
        key = f"carrier {c['carrier']} +{c['orders']}"
        found.append({**c, "key": key, "kind": "carrier", "price": c["fee"]})
    if not found:
        raise ScenarioError([FieldError(spec.source, "offer", "nothing on offer to size with")])
    return found


def with_units(day: Json, units: dict[str, int], offered: list[Json]) -> tuple[Json, float]:
    """``day`` with ``units`` of each offer added, and what they cost (rents and fees)."""
    changes: list[Json] = []
    price = 0.0
    for offer in offered:
        n = units.get(offer["key"], 0)
        if n == 0:
            continue
        price += n * offer["price"]
        if offer["kind"] == "vehicle":
            rent = {"id": offer["id"], "like": offer["like"], "count": n, "cost": {"fixed": 0}}
            if "depot" in offer:
                rent["depot"] = offer["depot"]
            changes.append({"rent_vehicles": [rent]})
        else:
            carrier = next(
                (c for c in day.get("carriers", []) if c["id"] == offer["carrier"]), None
            )
            if carrier is None or carrier.get("max_orders") is None:
                continue
            cap = carrier["max_orders"] + n * offer["orders"]
            changes.append({"carrier_cap": {offer["carrier"]: cap}})
    return apply_changes(day, changes, where="offer").request, price


def size_fleet(
    spec: ScenarioSet,
    day: Json,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    on_step: Callable[[Json], None] | None = None,
) -> Json:
    """The cost curve and the cheapest units that serve ``day`` on time (see the module)."""
    if executor is None:
        with open_executor(workers=workers) as opened:
            return size_fleet(spec, day, executor=opened, on_step=on_step)
    offered = offers(spec)
    solve = solve_options(spec)
    limit = int(spec.offer.get("max_extra", 8))
    units: dict[str, int] = {}
    (first,) = run_cases(executor, [Case("+0", day)], solve)
    curve = [_point(0, units, first, None)]
    best: Json | None = curve[0] if curve[0]["on_time"] else None
    for step in range(1, limit + 1):
        todo, tried = [], []
        for offer in offered:
            if units.get(offer["key"], 0) >= int(offer.get("max", limit)):
                continue
            trial = {**units, offer["key"]: units.get(offer["key"], 0) + 1}
            request, price = with_units(day, trial, offered)
            todo.append(Case(f"+{step} {offer['key']}", request, fees=price))
            tried.append((offer["key"], trial))
        if not todo:
            break
        results = run_cases(executor, todo, solve)
        k = min(range(len(results)), key=lambda i: results[i]["figures"]["total"])
        units = tried[k][1]
        point = _point(step, units, results[k], tried[k][0])
        curve.append(point)
        if on_step:
            on_step(point)
        if point["on_time"] and (best is None or point["total"] < best["total"]):
            best = point
        if best is not None and point["total"] >= curve[-2]["total"]:
            break
    return {"curve": curve, "best": best, "answer": answer(best, curve)}


def _point(step: int, units: dict[str, int], result: Json, added: str | None) -> Json:
    f = result["figures"]
    return {
        "extra": step,
        "added": added,
        "units": dict(units),
        "total": f["total"],
        "fees": f["fees"],
        "not_on_time": f["unserved"] + f["late"],
        "unserved": f["unserved"],
        "late": f["late"],
        "violations": f["violations"],
        "on_time": bool(f["served_on_time"]),
        "plan": result["plan"],
    }


def answer(best: Json | None, curve: list[Json]) -> str:
    """The sizing's answer in one sentence."""
    if best is None:
        last = curve[-1]
        return (
            f"no mix of at most {last['extra']} extra units served every order on time; "
            f"the last still left {last['not_on_time']} order(s) unserved or late"
        )
    if not best["units"]:
        return f"the fleet as it is serves every order on time (total {best['total']:,.0f})"
    mix = ", ".join(f"{n} × {key}" for key, n in best["units"].items())
    stop = (
        f"; one more unit stops paying after {best['extra']}"
        if curve[-1]["extra"] > best["extra"]
        else ""
    )
    return (
        f"add {mix} (rents and fees {best['fees']:,.0f}): every order on time, "
        f"total {best['total']:,.0f}{stop}"
    )
