"""Who delivers what: the own fleet or a carrier, per region or per order, chosen by total cost.

The per-region search is in ``dispatch.sourcing.region_search``, the per-order choice in
``dispatch.sourcing.order_choice``, the day both work on in ``dispatch.sourcing.decision``.
"""

from __future__ import annotations

from collections.abc import Collection

from dispatch.intake.request import OWN, Request
from dispatch.planning.progress import ProgressFn
from dispatch.sourcing.decision import (
    Day,
    Sourcing,
    own_unserved,
    region_base,
    solver_stats,
)
from dispatch.sourcing.order_choice import by_order
from dispatch.sourcing.region_search import RegionSearch
from dispatch.sourcing.search_workers import search_executor
from optimizer.executor import Executor

__all__ = ["Sourcing", "decide", "serve_regions"]


def decide(
    request: Request,
    *,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    on_progress: ProgressFn | None = None,
    executor: Executor | None = None,
) -> Sourcing:
    """The day's decision under ``policy.outsourcing`` within the time limit.

    ``iterations`` bounds each routing search besides the time; ``on_progress`` hears of
    each cheaper whole day plan found (see :mod:`dispatch.planning.progress`). The region
    search's re-solves run on ``executor``, by default on :func:`search_executor`.
    """
    day = Day.of(request, request.options.limit(time_limit_s), on_progress, iterations)
    mode = request.policy.outsourcing if request.carriers else "none"
    if mode == "region":
        with search_executor(day.limit_s, executor) as day.executor:
            decision = RegionSearch(day).run()
    elif mode == "order":
        decision = by_order(day)
    else:
        decision = _own_only(day)
    day.offer(decision)
    return decision


def serve_regions(
    request: Request, own: Collection[str], *, time_limit_s: float | None = None
) -> Sourcing:
    """The plan routing the ``own`` regions and giving every other region its cheapest carrier.

    Pins are kept, regions no carrier may take stay with the own fleet, and carriers
    are chosen within their ``max_orders``: the evaluation the region search uses.
    """
    day = Day.of(request, request.options.limit(time_limit_s), None)
    search = RegionSearch(day)
    chosen = frozenset(own) & frozenset(search.free) | search.fixed_own
    return search.sourcing(search.evaluate(chosen, day.limit_s))


def _own_only(day: Day) -> Sourcing:
    result = day.route(day.request.orders, day.left(), whole_day=True)
    note = "outsourcing is off (policy none)" if day.table.ids else ""
    unserved = [own_unserved(day, u, note) for u in result.unserved]
    regions: list[dict[str, object]] = [
        region_base(day, r) | {"decision": OWN if orders else None}
        for r, orders in day.groups.items()
    ]
    return Sourcing(
        result.routes,
        [],
        unserved,
        result.late_minutes,
        regions,
        result.engine,
        solver_stats(day, "none"),
    )
