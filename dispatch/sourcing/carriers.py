"""Third-party carriers: which orders each may take and why not, what it charges, who takes what.

Prices follow the contract: per order, per kg and a cold surcharge for an order
with chilled or frozen goods, at least ``min_charge_per_region`` for each region
a carrier takes, plus ``(1 - on_time_rate) × carrier_late_penalty_per_order``
per order as the expected cost of its lateness.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dispatch.clock import format_clock
from dispatch.intake.request import Carrier, Order, Policy, Request, Temperature

NOBODY = "none"
"""The option of leaving a region's orders unserved."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a carrier cannot take an order: a code and a clause ("does not handle frozen goods")."""

    code: str
    text: str


def last_window_end(request: Request, order: Order) -> int | None:
    """End of the last window the order is delivered in (its pickup point's, else its own)."""
    windows = order.time_windows
    if order.pickup_point is not None:
        windows = next(p.time_windows for p in request.pickup_points if p.id == order.pickup_point)
    return max((w.end for w in windows), default=None)


def serves(carrier: Carrier, region: str) -> bool:
    return "*" in carrier.regions or region in carrier.regions


def refusal(carrier: Carrier, order: Order, region: str, window_end: int | None) -> Refusal | None:
    """Why ``carrier`` cannot take ``order`` in ``region`` on its own, or None when it can."""
    if carrier.max_orders == 0:
        return Refusal("down", "takes no orders (max_orders 0)")
    if not serves(carrier, region):
        return Refusal("region", f"does not serve {region}")
    missing = sorted(t.value for t in order.temperatures() - set(carrier.handles.temperatures))
    if missing:
        return Refusal("temperature", f"does not handle {' or '.join(missing)} goods")
    items = [i for i in order.items if i.qty > 0]
    if not carrier.handles.fragile and any(i.fragile for i in items):
        return Refusal("fragile", "does not handle fragile goods")
    if not carrier.handles.bulky and any(i.bulky for i in items):
        return Refusal("bulky", "does not handle bulky goods")
    by = carrier.delivers_by
    if by is not None and window_end is not None and by > window_end:
        return Refusal(
            "delivers_by",
            f"delivers by {format_clock(by)}, after the window ends at {format_clock(window_end)}",
        )
    return None


def charge(carrier: Carrier, order: Order) -> float:
    """The carrier's charge for one order, before any minimum charge."""
    p = carrier.price
    cold = (
        p.cold_surcharge_per_order
        if order.temperatures() & {Temperature.CHILLED, Temperature.FROZEN}
        else 0.0
    )
    return p.per_order + p.per_kg * order.weight() + cold


def expected_lateness(carrier: Carrier, policy: Policy) -> float:
    """Expected cost of the carrier's lateness per order."""
    return (1.0 - policy.on_time_rate(carrier)) * policy.carrier_late_penalty_per_order


def price(carrier: Carrier, order: Order, policy: Policy) -> float:
    """Marginal cost of one more order for a carrier already above its minimum charge."""
    return charge(carrier, order) + expected_lateness(carrier, policy)


def region_cost(carrier: Carrier, orders: Sequence[Order], policy: Policy) -> float:
    """Cost of ``carrier`` taking ``orders`` of one region, minimum charge and lateness included."""
    if not orders:
        return 0.0
    charges = sum(charge(carrier, o) for o in orders)
    return max(charges, carrier.price.min_charge_per_region) + len(orders) * expected_lateness(
        carrier, policy
    )


def handover_note(carrier: Carrier) -> str:
    """The handover cut-off as a clause; goods loaded in the morning meet it."""
    if carrier.handover_by is None:
        return ""
    return f"handover at the depot by {format_clock(carrier.handover_by)}"


class CarrierTable:
    """Every carrier's refusals and prices for the orders of one day."""

    def __init__(self, request: Request, region_of: Mapping[str, str]) -> None:
        self.request = request
        self.region_of = region_of
        self.by_id = {c.id: c for c in request.carriers}
        ends = {o.id: last_window_end(request, o) for o in request.orders}
        self._refusals = {
            (c.id, o.id): r
            for c in request.carriers
            for o in request.orders
            if (r := refusal(c, o, region_of[o.id], ends[o.id])) is not None
        }

    @property
    def ids(self) -> list[str]:
        return list(self.by_id)

    def refusal(self, carrier: str, order: Order) -> Refusal | None:
        return self._refusals.get((carrier, order.id))

    def takes(self, carrier: str, order: Order) -> bool:
        return (carrier, order.id) not in self._refusals

    def split(self, carrier: str, orders: Iterable[Order]) -> tuple[list[Order], list[Order]]:
        """The orders ``carrier`` may take, and the ones it refuses."""
        taken: list[Order] = []
        refused: list[Order] = []
        for o in orders:
            (taken if self.takes(carrier, o) else refused).append(o)
        return taken, refused

    def price(self, carrier: str, order: Order) -> float:
        return price(self.by_id[carrier], order, self.request.policy)

    def cost(self, carrier: str, orders: Sequence[Order]) -> float:
        return region_cost(self.by_id[carrier], orders, self.request.policy)

    def cheapest(
        self, order: Order, among: Iterable[str] | None = None
    ) -> tuple[str, float] | None:
        """The carrier with the lowest marginal price for ``order`` that may take it."""
        prices = [
            (self.price(c, order), c)
            for c in (self.ids if among is None else among)
            if self.takes(c, order)
        ]
        if not prices:
            return None
        best, carrier = min(prices)
        return carrier, best

    def capacity(self, carrier: str) -> int:
        limit = self.by_id[carrier].max_orders
        return len(self.request.orders) if limit is None else limit

    def why_not(self, order: Order) -> str:
        """Each refusing carrier's clause for ``order``, carriers with the same clause together."""
        by_text: dict[str, list[str]] = {}
        for c in self.ids:
            r = self.refusal(c, order)
            if r is not None:
                by_text.setdefault(r.text, []).append(c)
        return "; ".join(f"{', '.join(cs)} {text}" for text, cs in by_text.items())

    def summary(self, carrier: str, orders: Sequence[Order]) -> str | None:
        """Why ``carrier`` refuses (some of) ``orders``, counted by cause; None if it takes all."""
        causes = Counter(
            _generic(self.by_id[carrier], r.code, r.text)
            for o in orders
            if (r := self.refusal(carrier, o)) is not None
        )
        if not causes:
            return None
        if len(causes) == 1 and sum(causes.values()) == len(orders):
            return next(iter(causes))
        parts = ", ".join(f"{text} ({n})" for text, n in causes.most_common())
        return f"refuses {sum(causes.values())} of {len(orders)} orders: {parts}"


def _generic(carrier: Carrier, code: str, text: str) -> str:
    if code == "delivers_by" and carrier.delivers_by is not None:
        return f"delivers by {format_clock(carrier.delivers_by)}, after the windows end"
    return text


@dataclass(frozen=True, slots=True)
class Option:
    """A way to serve a region (``own``, a carrier or ``none``), its cost and capacity used."""

    choice: str
    cost: float
    load: int = 0


def cheapest_choice(
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[str, int],
    *,
    node_limit: int = 200_000,
) -> dict[str, Option]:
    """The cheapest option per region with each carrier's total load within its capacity.

    Branch and bound over regions, most regret first; every region needs an option
    of load 0 or of a choice without a capacity, so a feasible answer always exists.
    The best answer found within ``node_limit`` nodes is returned.
    """
    regions = sorted(options, key=lambda r: -_regret(options[r]))
    ranked = [sorted(options[r], key=lambda o: o.cost) for r in regions]
    floor = [0.0] * (len(regions) + 1)
    for k in range(len(regions) - 1, -1, -1):
        floor[k] = floor[k + 1] + ranked[k][0].cost
    left = dict(capacity)
    picked: list[Option] = []
    best: list[Option] = []
    best_cost = math.inf
    nodes = 0

    def dive(k: int, cost: float) -> None:
        nonlocal best, best_cost, nodes
        if cost + floor[k] >= best_cost - 1e-9:
            return
        if k == len(regions):
            best, best_cost = list(picked), cost
            return
        for option in ranked[k]:
            nodes += 1
            if nodes > node_limit and best:
                return
            room = left.get(option.choice)
            if room is not None and option.load > room:
                continue
            if room is not None:
                left[option.choice] = room - option.load
            picked.append(option)
            dive(k + 1, cost + option.cost)
            picked.pop()
            if room is not None:
                left[option.choice] = room

    dive(0, 0.0)
    if len(best) != len(regions):
        raise ValueError("some region has no option within the carriers' capacities")
    return dict(zip(regions, best, strict=True))


def _regret(options: Sequence[Option]) -> float:
    costs = sorted(o.cost for o in options)
    return costs[1] - costs[0] if len(costs) > 1 else math.inf
