"""A day's orders counted by platform, region and temperature class, for the dispatcher."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dispatch.errors import RequestError
from dispatch.intake.request import Request, Temperature
from dispatch.sourcing.order_regions import assign_regions


@dataclass(frozen=True, slots=True)
class OrderCounts:
    """Orders per platform, per region (id, name, count) and per temperature class.

    An order with items of several classes counts once in each; an order's platform is ""
    when its record names none.
    """

    total: int
    by_platform: tuple[tuple[str, int], ...]
    by_region: tuple[tuple[str, str, int], ...]
    by_temperature: tuple[tuple[str, int], ...]


def count_orders(request: Request) -> OrderCounts:
    """The counts of ``request``'s orders; regions come from the request's polygons (or each
    order's own ``region``), and are left out when the polygons are unusable."""
    platforms = Counter(o.platform for o in request.orders)
    temperatures = Counter(t.value for o in request.orders for t in o.temperatures())
    try:
        regions = assign_regions(request)
    except RequestError:
        by_region: tuple[tuple[str, str, int], ...] = ()
    else:
        counted = Counter(regions.region_of.values())
        by_region = tuple(
            (r, regions.names.get(r, r), counted[r]) for r in regions.ids if counted[r]
        )
    return OrderCounts(
        total=len(request.orders),
        by_platform=tuple(sorted(platforms.items())),
        by_region=by_region,
        by_temperature=tuple((t.value, temperatures[t.value]) for t in Temperature),
    )
