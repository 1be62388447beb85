"""How many orders we can promise: per region, the largest demand multiple served on time.

For one region at a time (the others as the day has them) the multiple ``k`` of its orders
is searched: doubled from 1 until the day is no longer served on time (every order served,
none late, the plan valid) or ``max_multiple`` is reached, then bisected (geometrically,
in whole orders) until the next count above the one kept, ``step`` (10%) more and at
least one order, is verified to fail. Each region is one task on the executor.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from optimizer.executor import Executor, open_executor
from scenarios.changes import apply_changes, order_regions
from scenarios.runner import Case, solve_case, solve_options
from scenarios.spec import ScenarioSet

Json = dict[str, Any]
STEP = 1.1
MAX_MULTIPLE = 8.0


def served_on_time(day: Json, region: str, multiple: float, solve: Json) -> Json:
    """Solve ``day`` with ``region``'s orders times ``multiple``; the figures and the plan."""
    change = {"demand": {"by_region": {region: multiple}}}
    request = apply_changes(day, [change]).request
    return solve_case(Case(f"{region} ×{multiple:g}", request), solve)


def next_count(count: int, step: float = STEP) -> int:
    """The next count tried above ``count``: ``step`` times it, and at least one order more."""
    return max(round(count * step), count + 1)


def promise_region(
    day: Json, region: str, solve: Json, max_multiple: float = MAX_MULTIPLE, step: float = STEP
) -> Json:
    """The promised multiple of ``region`` and the count above it that failed (a task).

    The search is over the region's order count ``c`` (multiple ``c / n``): ``lo`` is served
    on time (0: nothing promised), ``hi`` is not, and it ends when ``hi`` is the next count
    above ``lo``.
    """
    n = Counter(order_regions(day).values())[region]
    top = math.floor(max_multiple * n)
    seen: dict[int, bool] = {}

    def ok(count: int) -> bool:
        if count not in seen:
            found = served_on_time(day, region, count / n, solve)["figures"]
            seen[count] = bool(found["served_on_time"])
        return seen[count]

    lo, hi, c = 0, None, n
    while True:
        while hi is None and c <= top:
            if not ok(c):
                hi = c
            elif c == top:
                lo = c
                break
            else:
                lo, c = c, min(2 * c, top)
        if hi is None:
            break
        above = next_count(lo, step)
        if hi <= above:
            if hi == above or not ok(above):
                hi = above
                break
            lo, hi, c = above, None, min(2 * above, top)
            if lo >= top:
                break
            continue
        mid = max(lo + 1, min(hi - 1, round(math.sqrt(max(lo, 1) * hi))))
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return {
        "region": region,
        "base_orders": n,
        "multiple": round(lo / n, 4),
        "orders": lo,
        "refused": None if hi is None else round(hi / n, 4),
        "refused_orders": hi,
        "tried": {str(k): v for k, v in sorted(seen.items())},
    }


def promise(
    spec: ScenarioSet,
    day: Json,
    *,
    regions: list[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
) -> Json:
    """The promised multiple of every region (or those named), regions side by side."""
    if executor is None:
        with open_executor(workers=workers) as opened:
            return promise(spec, day, regions=regions, executor=opened)
    counts = Counter(order_regions(day).values())
    chosen = regions or spec.promise.get("regions") or sorted(counts)
    top = float(spec.promise.get("max_multiple", MAX_MULTIPLE))
    step = float(spec.promise.get("step", STEP))
    solve = solve_options(spec)
    handles = [
        executor.submit(promise_region, day, region, solve, top, step)
        for region in chosen
        if counts[region] > 0
    ]
    return {"regions": [h.result() for h in handles], "step": step, "max_multiple": top}
