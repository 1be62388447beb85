"""Who delivers what: the own fleet or a carrier, per region or per order, chosen by total cost.

Per region (``policy.outsourcing = "region"``) the own-fleet cost of a set of
regions depends on routing, so the choice is a search: one routing solve with
every stop droppable at its cheapest carrier price estimates each region's
marginal own-fleet cost; a capacitated assignment of carriers gives a start;
flipping one region at a time between own fleet and carriers, each candidate
re-solved briefly, improves it within the time limit. Per order, a routing
solve with those drop prices decides, and dropped orders go to carriers.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from dispatch.carriers import NOBODY, OWN, CarrierTable, Option, cheapest_choice, handover_note
from dispatch.grouping import Stop
from dispatch.loading import FieldError, RequestError
from dispatch.model import FleetUnit
from dispatch.plan import Outsourced, RouteOut, Unserved
from dispatch.planning import DROPPED, OwnFleetResult, ProgressFn, route_own_fleet
from dispatch.regions import UNASSIGNED, OrderRegions, assign_regions
from dispatch.request import Order, Policy, Request
from optimizer import Progress

MIN_SOLVE_S = 0.1
"""The shortest routing solve worth running."""


@dataclass(frozen=True, slots=True)
class Sourcing:
    """A day's decision: own-fleet routes, outsourced work, unserved orders, per-region reasons."""

    routes: list[RouteOut]
    outsourced: list[Outsourced]
    unserved: list[Unserved]
    late_minutes: int
    regions: list[dict[str, object]]
    engine: str = "none"
    stats: dict[str, object] = field(default_factory=dict)

    def total(self, policy: Policy) -> float:
        """Own-fleet routes + carriers + unserved and lateness penalties, as in the plan."""
        own = sum(r.cost.total for r in self.routes if r.cost is not None)
        carriers = sum(o.cost for o in self.outsourced)
        penalties = (len(self.unserved) * policy.unserved_penalty
                     + self.late_minutes * policy.late_penalty_per_minute)
        return own + carriers + penalties

    def expected_carrier_on_time(self, request: Request) -> float | None:
        """Mean on-time rate of the carriers over the outsourced orders."""
        rate = {c.id: c.on_time_rate for c in request.carriers}
        rates = [rate[o.carrier] for o in self.outsourced for _ in o.orders]
        return sum(rates) / len(rates) if rates else None


@dataclass(slots=True)
class _Day:
    """One request with its regions, carriers, pins and the clock of its time limit."""

    request: Request
    zones: OrderRegions
    table: CarrierTable
    groups: dict[str, tuple[Order, ...]]
    pins: dict[str, str]
    limit_s: float
    on_progress: ProgressFn | None = None
    started: float = field(default_factory=time.perf_counter)
    solves: int = 0

    @classmethod
    def of(cls, request: Request, limit_s: float, on_progress: ProgressFn | None) -> _Day:
        zones = assign_regions(request)
        carriers = {c.id for c in request.carriers}
        errors = [
            FieldError("", f"policy.pin.{region}", f"unknown carrier {pin!r}")
            for region, pin in request.policy.pin.items()
            if pin != OWN and pin not in carriers
        ]
        if errors:
            raise RequestError(errors)
        return cls(request, zones, CarrierTable(request, zones.region_of),
                   zones.orders_in(request.orders), dict(request.policy.pin), limit_s, on_progress)

    @property
    def penalty(self) -> float:
        return self.request.policy.unserved_penalty

    def left(self) -> float:
        return self.limit_s - (time.perf_counter() - self.started)

    def region(self, order: Order) -> str:
        return self.zones.region_of[order.id]

    def route(
        self, orders: Sequence[Order], limit_s: float,
        penalty_for: Callable[[Stop], float] | None = None,
    ) -> OwnFleetResult:
        """Own-fleet routes for ``orders`` within ``limit_s``, progress on the day's clock."""
        self.solves += 1
        offset = time.perf_counter() - self.started
        report = self.on_progress
        progress = None if report is None else _shifted(report, offset)
        return route_own_fleet(self.request, orders, time_limit_s=max(MIN_SOLVE_S, limit_s),
                               on_progress=progress, penalty_for=penalty_for)

    def own_cost(self, result: OwnFleetResult) -> float:
        """Routes, unserved and lateness penalties of an own-fleet result."""
        policy = self.request.policy
        return (result.cost + len(result.unserved) * policy.unserved_penalty
                + result.late_minutes * policy.late_penalty_per_minute)


def _shifted(report: ProgressFn, offset: float) -> ProgressFn:
    def shifted(p: Progress) -> None:
        report(Progress(offset + p.elapsed_s, p.best_cost, p.solutions))

    return shifted


def decide(
    request: Request, *, time_limit_s: float | None = None, on_progress: ProgressFn | None = None
) -> Sourcing:
    """The day's decision under ``policy.outsourcing`` within the time limit."""
    day = _Day.of(request, time_limit_s or request.options.time_limit_s, on_progress)
    mode = request.policy.outsourcing if request.carriers else "none"
    if mode == "region":
        return _RegionSearch(day).run()
    if mode == "order":
        return _by_order(day)
    return _own_only(day)


def serve_regions(
    request: Request, own: Collection[str], *, time_limit_s: float | None = None
) -> Sourcing:
    """The plan routing the ``own`` regions and giving every other region its cheapest carrier.

    Pins are kept; carriers are chosen within their ``max_orders``. This is the
    evaluation the region search itself uses, for comparisons and baselines.
    """
    day = _Day.of(request, time_limit_s or request.options.time_limit_s, None)
    search = _RegionSearch(day)
    chosen = frozenset(own) & frozenset(search.free) | search.fixed_own
    return search.sourcing(search.evaluate(chosen, day.limit_s))


def _own_only(day: _Day) -> Sourcing:
    result = day.route(day.request.orders, day.left())
    note = "outsourcing is off (policy none)" if day.table.ids else ""
    unserved = [_own_unserved(day, u, note) for u in result.unserved]
    regions: list[dict[str, object]] = [
        _region_base(day, r) | {"decision": OWN if orders else None}
        for r, orders in day.groups.items()
    ]
    return Sourcing(result.routes, [], unserved, result.late_minutes, regions, result.engine,
                    _stats(day, "none"))


def _stats(day: _Day, policy: str, **more: object) -> dict[str, object]:
    return {"policy": policy, "routing_solves": day.solves,
            "seconds": round(time.perf_counter() - day.started, 2), **more}


def _region_base(day: _Day, region: str) -> dict[str, object]:
    base: dict[str, object] = {
        "id": region,
        "name": day.zones.names[region],
        "orders": len(day.groups[region]),
        "pinned": region in day.pins,
    }
    if region == UNASSIGNED:
        base["note"] = (f"{len(day.zones.outside)} orders lie outside every region polygon: "
                        + ", ".join(day.zones.outside[:20]))
    ineligible = {c: s for c in day.table.ids
                  if (s := day.table.summary(c, day.groups[region]))}
    if ineligible:
        base["ineligible"] = ineligible
    return base


def _own_unserved(day: _Day, u: Unserved, note: str = "") -> Unserved:
    """An own-fleet unserved order, with every carrier's refusal and ``note`` added."""
    order = next(o for o in day.groups[day.zones.region_of[u.order]] if o.id == u.order)
    parts = [f"own fleet: {u.reason}" if day.table.ids else u.reason]
    parts += [p for p in (day.table.why_not(order), note) if p]
    return Unserved(order=u.order, reason="; ".join(parts), code=u.code)


def _money(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True, slots=True)
class _Eval:
    """One own/carrier assignment: its own-fleet routes, carrier choice and total cost."""

    own: frozenset[str]
    result: OwnFleetResult
    own_cost: float
    choice: dict[str, Option]
    total: float


class _RegionSearch:
    """Each region wholly own fleet or wholly one carrier, searched by re-solving flips."""

    def __init__(self, day: _Day) -> None:
        self.day = day
        pins = day.pins
        live = [r for r, orders in day.groups.items() if orders]
        self.fixed_own = frozenset(r for r in live if pins.get(r) == OWN)
        self.free = [r for r in live if r not in pins]
        self.capacity = {c: day.table.capacity(c) for c in day.table.ids}
        self.pinned = {r: self._pinned(r, pins[r]) for r in live if pins.get(r, OWN) != OWN}
        self.options = {r: self._options(r) for r in live}
        self.estimate: dict[str, float] = {}
        self.cache: dict[frozenset[str], _Eval] = {}
        self.eval_s = MIN_SOLVE_S

    def _pinned(self, region: str, carrier: str) -> tuple[list[Order], list[Order]]:
        """Orders of a region pinned to ``carrier``: taken within its capacity, and the rest."""
        taken, refused = self.day.table.split(carrier, self.day.groups[region])
        room = max(0, self.capacity[carrier])
        self.capacity[carrier] = room - min(room, len(taken))
        return taken[:room], refused + taken[room:]

    def _options(self, region: str) -> list[Option]:
        orders = self.day.groups[region]
        options = [Option(NOBODY, len(orders) * self.day.penalty)]
        for c in self.day.table.ids:
            taken, refused = self.day.table.split(c, orders)
            if taken:
                cost = self.day.table.cost(c, taken) + len(refused) * self.day.penalty
                options.append(Option(c, cost, len(taken)))
        return options

    def orders(self, own: Iterable[str]) -> list[Order]:
        return [o for r in own for o in self.day.groups[r]]

    def run(self) -> Sourcing:
        day = self.day
        if not self.free:
            return self.sourcing(self.evaluate(self.fixed_own, day.left()))
        budget = day.left()
        self._estimate(0.2 * budget)
        self.eval_s = max(MIN_SOLVE_S, 0.6 * budget / (len(self.free) + 2))
        start = cheapest_choice(
            {r: [*self.options[r], Option(OWN, self.estimate[r])] for r in self.free},
            self.capacity,
        )
        own = self.fixed_own | {r for r, o in start.items() if o.choice == OWN}
        best = self._local_search(self.evaluate(own, self.eval_s))
        spare = day.left() - 0.05 * day.limit_s
        if spare > self.eval_s:
            polished = self.evaluate(best.own, spare, cache=False)
            if polished.total < best.total:
                best = polished
        return self.sourcing(best)

    def _estimate(self, limit_s: float) -> None:
        """Marginal own-fleet cost per region: one solve, stops droppable at carrier prices."""
        day, table = self.day, self.day.table
        free = set(self.free)

        def drop_price(order: Order) -> float:
            best = table.cheapest(order) if day.region(order) in free else None
            return day.penalty if best is None else best[1]

        orders = self.orders([*self.free, *self.fixed_own])
        result = day.route(orders, limit_s, lambda s: sum(drop_price(o) for o in s.orders))
        savings = _route_savings(result, day.zones.region_of)
        dropped: defaultdict[str, float] = defaultdict(float)
        price = {o.id: drop_price(o) for o in orders}
        for u in result.unserved:
            own_fault = u.code != DROPPED.code
            region = day.zones.region_of[u.order]
            dropped[region] += day.penalty if own_fault else price[u.order]
        self.estimate = {r: savings.get(r, 0.0) + dropped[r] for r in self.free}

    def evaluate(self, own: frozenset[str], limit_s: float, *, cache: bool = True) -> _Eval:
        """Route the ``own`` regions, give the other free regions their cheapest carriers."""
        if cache and own in self.cache:
            return self.cache[own]
        result = self.day.route(self.orders(sorted(own)), limit_s)
        own_cost = self.day.own_cost(result)
        choice = cheapest_choice(
            {r: self.options[r] for r in self.free if r not in own}, self.capacity
        )
        pinned = sum(
            self.day.table.cost(self.day.pins[r], taken) + len(rest) * self.day.penalty
            for r, (taken, rest) in self.pinned.items()
        )
        total = own_cost + pinned + sum(o.cost for o in choice.values())
        found = _Eval(own, result, own_cost, choice, total)
        if cache:
            self.cache[own] = found
        return found

    def _gain(self, current: _Eval, region: str) -> float:
        """Estimated saving of flipping ``region`` between own fleet and carriers."""
        if region in current.own:
            return self.estimate[region] - min(o.cost for o in self.options[region])
        return current.choice[region].cost - self.estimate[region]

    def _local_search(self, current: _Eval) -> _Eval:
        """First-improvement flips of one region, most promising first, while time allows."""
        reserve = 0.05 * self.day.limit_s
        improved = True
        while improved:
            improved = False
            for region in sorted(self.free, key=lambda r: -self._gain(current, r)):
                if region in current.own and len(self.options[region]) == 1:
                    continue
                flipped = current.own ^ {region}
                if flipped not in self.cache and self.day.left() < self.eval_s * 1.3 + reserve:
                    return current
                candidate = self.evaluate(flipped, self.eval_s)
                if candidate.total < current.total - 0.005:
                    current, improved = candidate, True
                    break
        return current

    def _own_delta(self, own: frozenset[str], region: str) -> tuple[float, bool]:
        """Own-fleet cost of adding ``region`` to ``own``: measured, else estimated."""
        with_r, without = own | {region}, own - {region}
        if with_r in self.cache and without in self.cache:
            return self.cache[with_r].own_cost - self.cache[without].own_cost, False
        return self.estimate.get(region, 0.0), True

    def _refused(self, order: Order, region: str, carrier: str, why: str, delta: float) -> str:
        """Why an order of a region given to ``carrier`` (or to nobody) is not served."""
        table = self.day.table
        if carrier == NOBODY:
            refusals = table.why_not(order) or "no carrier with room takes it"
            return (f"{region} left unserved: own fleet +{_money(delta)} is above the "
                    f"unserved penalties; {refusals}")
        refused = table.refusal(carrier, order)
        text = (refused.text if refused is not None
                else f"max_orders {table.capacity(carrier)} reached")
        return f"{region} goes to {carrier} ({why}), but {carrier} {text}"

    def sourcing(self, best: _Eval) -> Sourcing:
        """The plan's parts and per-region explanations for an evaluated assignment."""
        day, table = self.day, self.day.table
        outsourced: list[Outsourced] = []
        unserved: list[Unserved] = []
        regions: list[dict[str, object]] = []
        for u in best.result.unserved:
            region = day.zones.region_of[u.order]
            order = next(o for o in day.groups[region] if o.id == u.order)
            takers = [c for c in table.ids if table.takes(c, order)]
            note = (f"{region} is pinned to the own fleet" if region in self.fixed_own
                    else f"{', '.join(takers)} could take it only with all of {region}"
                    if takers else "")
            unserved.append(_own_unserved(day, u, note))
        for region, orders in day.groups.items():
            info = _region_base(day, region)
            regions.append(info)
            if not orders:
                info["decision"] = None
                continue
            if region in best.own:
                delta, estimated = self._own_delta(best.own, region)
                info |= _explain(OWN, delta, [(o.choice, o.cost) for o in self.options[region]],
                                 estimated)
                continue
            pinned = region in self.pinned
            if pinned:
                carrier = day.pins[region]
                taken, rest = self.pinned[region]
                cost = table.cost(carrier, taken)
                why = "pinned to the carrier"
            else:
                option = best.choice[region]
                carrier = option.choice
                taken, rest = table.split(carrier, orders) if carrier != NOBODY else ([], [*orders])
                cost = table.cost(carrier, taken) if taken else 0.0
                why = "cheapest overall"
            delta, estimated = self._own_delta(best.own, region)
            others = [(OWN, delta), *((o.choice, o.cost) for o in self.options[region])]
            info |= _explain(carrier, cost + len(rest) * day.penalty, others, estimated)
            if taken:
                note = handover_note(table.by_id[carrier])
                reason = (f"own fleet {'+' if delta >= 0 else ''}{_money(delta)} in marginal "
                          f"route cost{' (est.)' if estimated else ''} vs {carrier} {_money(cost)}")
                if pinned:
                    reason = f"pinned to {carrier}; " + reason
                outsourced.append(Outsourced(
                    region=region, carrier=carrier, orders=[o.id for o in taken],
                    cost=round(cost, 2), reason="; ".join(p for p in (reason, note) if p)))
                info["handover"] = note
            for o in rest:
                unserved.append(Unserved(order=o.id, code="carrier_refused", reason=self._refused(
                    o, region, carrier, why, delta)))
        stats = _stats(day, "region", evaluations=len(self.cache), eval_s=round(self.eval_s, 2),
                       estimate={r: round(v, 2) for r, v in self.estimate.items()})
        return Sourcing(best.result.routes, outsourced, unserved, best.result.late_minutes,
                        regions, best.result.engine, stats)


def _explain(
    decision: str, cost: float, alternatives: Sequence[tuple[str, float]], estimated: bool
) -> dict[str, object]:
    """Decision, its cost and the second-best option with its cost."""
    info: dict[str, object] = {"decision": decision, "cost": round(cost, 2)}
    real = [(c, v) for c, v in alternatives if c != decision]
    if real:
        second, second_cost = min(real, key=lambda cv: cv[1])
        info |= {"second_best": second, "second_best_cost": round(second_cost, 2)}
    if estimated:
        info["own_cost_estimated"] = True
    return info


def _route_savings(result: OwnFleetResult, region_of: Mapping[str, str]) -> dict[str, float]:
    """Per region, what leaving its stops out of the routes saves (travel, service; no waiting)."""
    model = result.model
    if model is None:
        return {}
    node = {s.id: model.stop_node(k) for k, s in enumerate(model.stops)}
    stops = {s.id: s for s in model.stops}
    depot = {d.id: k for k, d in enumerate(model.depots)}
    units = {u.id: u for u in model.units}
    savings: defaultdict[str, float] = defaultdict(float)

    def cost(unit: FleetUnit, path: Sequence[int]) -> float:
        if not path:
            return 0.0
        v = unit.spec
        seq = [depot[v.depot], *path, depot[unit.end_depot]]
        legs = list(pairwise(seq))
        km = sum(float(model.travel.distance_km[a, b]) for a, b in legs)
        minutes = sum(float(model.travel.minutes[a, b]) for a, b in legs) / v.speed_factor
        minutes += sum(model.node_stop(n).service_minutes for n in path)
        return v.cost.fixed + v.cost.per_km * km + v.cost.per_hour * minutes / 60

    for route in result.routes:
        unit = units[route.vehicle]
        path = [(node[s.stop], region_of[stops[s.stop].orders[0].id]) for s in route.stops]
        full = cost(unit, [n for n, _ in path])
        for region in {r for _, r in path}:
            savings[region] += full - cost(unit, [n for n, r in path if r != region])
    return dict(savings)


def _by_order(day: _Day) -> Sourcing:
    """Per order: route with every stop droppable at its cheapest carrier, outsource the dropped."""
    table = day.table
    capacity = {c: table.capacity(c) for c in table.ids}
    assigned: dict[str, str] = {}
    unserved: list[Unserved] = []
    must_own: set[str] = set()
    pool: list[Order] = []
    for region, orders in day.groups.items():
        pin = day.pins.get(region)
        if pin is None or pin == OWN:
            pool += orders
            if pin == OWN:
                must_own |= {o.id for o in orders}
            continue
        for o in orders:
            refused = table.refusal(pin, o)
            if refused is None and capacity[pin] > 0:
                assigned[o.id] = pin
                capacity[pin] -= 1
            else:
                text = refused.text if refused else f"max_orders {table.capacity(pin)} reached"
                unserved.append(Unserved(order=o.id, code="carrier_refused",
                                         reason=f"{region} is pinned to {pin}, but {pin} {text}"))

    def open_carriers() -> list[str]:
        return [c for c in table.ids if capacity[c] > 0]

    def drop_price(order: Order) -> float:
        best = None if order.id in must_own else table.cheapest(order, open_carriers())
        return day.penalty if best is None else best[1]

    result: OwnFleetResult | None = None
    for _ in range(len(table.ids) + 1):
        routed = [o for o in pool if o.id not in assigned]
        result = day.route(routed, 0.6 * day.left(),
                           lambda s: sum(drop_price(o) for o in s.orders))
        left_over = _give_to_carriers(day, result, must_own, capacity, assigned)
        if not left_over:
            break
    assert result is not None
    result = _min_charges(day, result, pool, capacity, assigned)
    outsourced = _order_entries(day, assigned)
    full = [c for c in table.ids if capacity[c] == 0 and table.capacity(c) > 0]
    for u in result.unserved:
        if u.order in assigned:
            continue
        region = day.zones.region_of[u.order]
        note = (f"{region} is pinned to the own fleet" if u.order in must_own
                else f"{', '.join(full)} max_orders reached" if full else "")
        unserved.append(_own_unserved(day, u, note))
    regions = [_order_region(day, r, result, assigned) for r in day.groups]
    return Sourcing(result.routes, outsourced, unserved, result.late_minutes, regions,
                    result.engine, _stats(day, "order"))


def _give_to_carriers(
    day: _Day, result: OwnFleetResult, must_own: set[str], capacity: dict[str, int],
    assigned: dict[str, str],
) -> list[Order]:
    """Hand dropped orders to carriers with room, greatest regret first; those left without room."""
    table = day.table
    orders = {o.id: o for orders in day.groups.values() for o in orders}
    dropped = [orders[u.order] for u in result.unserved if u.order not in must_own]
    candidates: list[tuple[float, Order, list[tuple[float, str]]]] = []
    for o in dropped:
        prices = sorted((table.price(c, o), c) for c in table.ids
                        if capacity[c] > 0 and table.takes(c, o))
        if prices:
            runner_up = prices[1][0] if len(prices) > 1 else day.penalty
            candidates.append((runner_up - prices[0][0], o, prices))
    left_over: list[Order] = []
    for _, o, prices in sorted(candidates, key=lambda t: -t[0]):
        carrier = next((c for _, c in prices if capacity[c] > 0), None)
        if carrier is None:
            left_over.append(o)
        else:
            assigned[o.id] = carrier
            capacity[carrier] -= 1
    return left_over


def _min_charges(
    day: _Day, result: OwnFleetResult, pool: Sequence[Order], capacity: dict[str, int],
    assigned: dict[str, str],
) -> OwnFleetResult:
    """Move region groups below a carrier's minimum charge to a cheaper carrier or the own fleet."""
    table = day.table
    groups = _groups(day, assigned)
    pinned = {r for r, p in day.pins.items() if p != OWN}
    for (region, carrier), orders in sorted(groups.items()):
        c = table.by_id[carrier]
        if region in pinned or sum(table.price(carrier, o) for o in orders) >= (
                c.price.min_charge_per_region):
            continue
        current = table.cost(carrier, orders)
        best: tuple[float, str] = (current, carrier)
        for other in table.ids:
            if other == carrier or capacity[other] < len(orders) or not all(
                    table.takes(other, o) for o in orders):
                continue
            there = groups.get((region, other), [])
            extra = table.cost(other, [*there, *orders]) - table.cost(other, there)
            best = min(best, (extra, other))
        if best[1] != carrier:
            _move(orders, carrier, best[1], capacity, assigned, groups, region)
            continue
        if day.left() < 2 * MIN_SOLVE_S:
            continue
        ids = {o.id for o in orders}
        trial = day.route([o for o in pool if o.id not in assigned or o.id in ids],
                          0.5 * day.left())
        if day.own_cost(trial) < _own_cost_without(day, result, assigned) + current:
            for o in orders:
                del assigned[o.id]
            capacity[carrier] += len(orders)
            groups.pop((region, carrier))
            result = trial
    return result


def _own_cost_without(day: _Day, result: OwnFleetResult, assigned: Mapping[str, str]) -> float:
    """Own-fleet cost of a result whose dropped orders in ``assigned`` went to carriers."""
    outsourced = sum(1 for u in result.unserved if u.order in assigned)
    return day.own_cost(result) - outsourced * day.penalty


def _move(
    orders: Sequence[Order], source: str, target: str, capacity: dict[str, int],
    assigned: dict[str, str], groups: dict[tuple[str, str], list[Order]], region: str,
) -> None:
    for o in orders:
        assigned[o.id] = target
    capacity[source] += len(orders)
    capacity[target] -= len(orders)
    groups.setdefault((region, target), []).extend(groups.pop((region, source)))


def _groups(day: _Day, assigned: Mapping[str, str]) -> dict[tuple[str, str], list[Order]]:
    groups: dict[tuple[str, str], list[Order]] = {}
    for region, orders in day.groups.items():
        for o in orders:
            if o.id in assigned:
                groups.setdefault((region, assigned[o.id]), []).append(o)
    return groups


def _order_entries(day: _Day, assigned: Mapping[str, str]) -> list[Outsourced]:
    entries = []
    for (region, carrier), orders in _groups(day, assigned).items():
        cost = day.table.cost(carrier, orders)
        pinned = day.pins.get(region) == carrier
        reason = (f"pinned to {carrier}" if pinned else
                  f"own-fleet routing left these orders out at {carrier}'s price "
                  f"({_money(cost)} for {len(orders)})")
        note = handover_note(day.table.by_id[carrier])
        entries.append(Outsourced(region=region, carrier=carrier, orders=[o.id for o in orders],
                                  cost=round(cost, 2),
                                  reason="; ".join(p for p in (reason, note) if p)))
    return entries


def _order_region(
    day: _Day, region: str, result: OwnFleetResult, assigned: Mapping[str, str]
) -> dict[str, object]:
    orders = day.groups[region]
    info = _region_base(day, region)
    routed = set(result.served_orders)
    by = Counter(assigned[o.id] for o in orders if o.id in assigned)
    own = sum(1 for o in orders if o.id in routed)
    served = {**by, OWN: own} if own else dict(by)
    decision = (None if not orders else NOBODY if not served
                else next(iter(served)) if len(served) == 1 else "mixed")
    cost = sum(day.table.cost(c, [o for o in orders if assigned.get(o.id) == c]) for c in by)
    return info | {"decision": decision, "served_own": own, "carriers": dict(by),
                   "carrier_cost": round(cost, 2)}
