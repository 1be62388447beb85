"""The validator's rules for outsourced work: carrier, region (its own point-in-polygon), goods,
cap, cost, pins and splits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shapely import make_valid
from shapely.geometry import Point, Polygon, shape

from dispatch.clock import format_clock
from dispatch.intake.request import Carrier, Order, Request, Temperature
from dispatch.planning.validator.rules import Rules, Violation


class CarrierChecker(Rules):
    """Outsourced work: carrier, region (own point-in-polygon), goods, cap, cost, pins, splits."""

    def __init__(self, request: Request, plan: Mapping[str, Any]) -> None:
        super().__init__(request, plan)
        self.carriers = {c.id: c for c in request.carriers}
        self.polygons = [
            (str((f.get("properties") or {}).get("id", f.get("id"))), _polygon(f.get("geometry")))
            for f in (request.regions or {}).get("features", [])
        ]

    def region(self, order: Order) -> str:
        if order.region:
            return order.region
        if self.req.regions is None:
            return "all"
        loc = self.points[order.pickup_point].location if order.pickup_point else order.location
        assert loc is not None
        x = loc.lon if loc.lon is not None else loc.x
        y = loc.lat if loc.lat is not None else loc.y
        point = Point(x, y)
        return next((rid for rid, poly in self.polygons if poly.covers(point)), "unassigned")

    def last_end(self, order: Order) -> int | None:
        windows = order.time_windows
        if order.pickup_point is not None:
            windows = self.points[order.pickup_point].time_windows
        return max((w.end for w in windows), default=None)

    def run(self) -> list[Violation]:
        entries = self.plan.get("outsourced") or []
        policy = self.req.policy
        if entries and policy.outsourcing == "none":
            self.fail("outsourced", "policy", "outsourcing is off (policy none)")
        servers: dict[str, set[str]] = {}
        for route in self.plan.get("routes") or []:
            for stop in route.get("stops") or []:
                for oid in stop.get("orders") or []:
                    if oid in self.orders:
                        servers.setdefault(self.region(self.orders[oid]), set()).add("own fleet")
        taken: dict[str, int] = {}
        pairs: set[tuple[str, str]] = set()
        for k, entry in enumerate(entries):
            where = f"outsourced[{k}]"
            cid, region = entry.get("carrier"), entry.get("region")
            carrier = self.carriers.get(cid) if isinstance(cid, str) else None
            if carrier is None:
                self.fail(where, "carrier", f"unknown carrier {cid!r}")
                continue
            if (region, cid) in pairs:
                self.fail(where, "carrier", f"a second entry for {cid} in region {region}")
            pairs.add((region, cid))
            orders = [self.orders[o] for o in entry.get("orders") or [] if o in self.orders]
            taken[cid] = taken.get(cid, 0) + len(orders)
            for o in orders:
                actual = self.order(f"{where} order {o.id}", o, carrier, region)
                servers.setdefault(actual, set()).add(cid)
            self.cost(where, entry, carrier, orders)
        for cid, n in taken.items():
            limit = self.carriers[cid].max_orders
            if limit is not None and n > limit:
                self.fail("outsourced", "capacity", f"{cid} takes {n} orders, max_orders {limit}")
        if policy.outsourcing != "none":
            self.pins(servers)
        if policy.outsourcing == "region":
            for region, who in servers.items():
                if len(who) > 1:
                    self.fail(
                        "outsourced",
                        "region_split",
                        f"region {region} is split between {', '.join(sorted(who))}",
                    )
        total = sum(e.get("cost", 0) for e in entries if isinstance(e.get("cost"), int | float))
        reported = (self.plan.get("objective") or {}).get("carriers")
        if isinstance(reported, int | float) and abs(reported - total) > 0.01 * (len(entries) + 1):
            self.fail("objective", "cost", f"carriers {reported}, entries sum to {total:.2f}")
        return self.out

    def order(self, where: str, order: Order, carrier: Carrier, region: Any) -> str:
        """Check one outsourced order; its region as recomputed here."""
        actual = self.region(order)
        if actual != region:
            self.fail(where, "region", f"lies in region {actual}, not {region}")
        if "*" not in carrier.regions and actual not in carrier.regions:
            self.fail(where, "carrier", f"{carrier.id} does not serve region {actual}")
        items = [i for i in order.items if i.qty > 0]
        for temperature in sorted(
            {i.temperature for i in items} - set(carrier.handles.temperatures)
        ):
            self.fail(where, "carrier", f"{carrier.id} does not carry {temperature.value} goods")
        if any(i.fragile for i in items) and not carrier.handles.fragile:
            self.fail(where, "carrier", f"{carrier.id} does not carry fragile goods")
        if any(i.bulky for i in items) and not carrier.handles.bulky:
            self.fail(where, "carrier", f"{carrier.id} does not carry bulky goods")
        end = self.last_end(order)
        if carrier.delivers_by is not None and end is not None and carrier.delivers_by > end:
            self.fail(
                where,
                "carrier",
                f"{carrier.id} delivers by "
                f"{format_clock(carrier.delivers_by)}, after the window ends "
                f"{format_clock(end)}",
            )
        return actual

    def cost(
        self, where: str, entry: Mapping[str, Any], carrier: Carrier, orders: Sequence[Order]
    ) -> None:
        p = carrier.price
        charges = 0.0
        for o in orders:
            items = [i for i in o.items if i.qty > 0]
            cold = any(i.temperature != Temperature.AMBIENT for i in items)
            weight = sum(i.qty * i.weight_kg for i in items)
            charges += p.per_order + p.per_kg * weight + (p.cold_surcharge_per_order if cold else 0)
        policy = self.req.policy
        late = (1 - policy.on_time_rate(carrier)) * policy.carrier_late_penalty_per_order
        expected = max(charges, p.min_charge_per_region if orders else 0) + late * len(orders)
        cost = entry.get("cost")
        if not isinstance(cost, int | float) or abs(cost - expected) > 0.01 + 0.005:
            self.fail(where, "cost", f"cost {cost}, recomputed {expected:.2f}")

    def pins(self, servers: Mapping[str, set[str]]) -> None:
        for region, pin in self.req.policy.pin.items():
            wrong = servers.get(region, set()) - {"own fleet" if pin == "own" else pin}
            if wrong:
                self.fail(
                    "outsourced",
                    "pin",
                    f"region {region} is pinned to {pin} but served by {', '.join(sorted(wrong))}",
                )


def _polygon(geometry: Any) -> Any:
    """The geometry as a valid shapely shape (an empty one when missing)."""
    if not geometry:
        return Polygon()
    shp = shape(geometry)
    return shp if shp.is_valid else make_valid(shp)
