"""Who delivers what: the own fleet or a carrier, per region or per order, chosen by total cost.

Per region (``policy.outsourcing = "region"``) the own-fleet cost of a set of
regions depends on routing, so the choice is a search: one routing solve with
every stop droppable at its cheapest carrier price estimates each region's
marginal own-fleet cost; a capacitated assignment of carriers gives a start.
Re-solves get a time doubled until doubling stops paying off; the best of the
start, all regions own and all a carrier can take outsourced is then improved
by a first-improvement local search (one region flipped, two swapped, or every
region of a route or of the day moved at once), each candidate re-solved. When
doubling still pays at the end of its share, re-solves are too rough for a
search and the best start gets all the time left.

Per order, a routing solve with those drop prices decides, dropped orders go to
carriers with room, and groups under a carrier's minimum charge move where they
cost less.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise

from dispatch.carriers import (
    NOBODY,
    OWN,
    CarrierTable,
    Option,
    charge,
    cheapest_choice,
    handover_note,
)
from dispatch.feasibility import order_reason
from dispatch.grouping import Stop
from dispatch.loading import FieldError, RequestError
from dispatch.model import DayModel, FleetUnit, fleet
from dispatch.plan import Outsourced, RouteOut, Unserved
from dispatch.planning import DROPPED, OwnFleetResult, ProgressFn, route_own_fleet
from dispatch.regions import UNASSIGNED, OrderRegions, assign_regions
from dispatch.request import Order, Policy, Request
from optimizer import Progress

MIN_SOLVE_S = 0.1
"""The shortest routing solve worth running."""

ESTIMATE_SHARE, POLISH_SHARE, SPARE_SHARE = 0.15, 0.5, 0.03
"""Shares of the time limit for the estimating solve, the final solves, and assembling the plan;
the region search runs in between. The final solves re-solve the search's choice and the own
fleet serving everything with the rest of the time: short re-solves favour carriers, because
a bigger own-fleet problem gains more from a longer solve."""

CALIBRATION_SHARE, CONVERGED = 0.4, 0.01
"""Up to this share of the search time goes to doubling the time of a re-solve while doubling
still lowers the cost by more than ``CONVERGED``."""


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
        penalties = (
            len(self.unserved) * policy.unserved_penalty
            + self.late_minutes * policy.late_penalty_per_minute
        )
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
        return cls(
            request,
            zones,
            CarrierTable(request, zones.region_of),
            zones.orders_in(request.orders),
            dict(request.policy.pin),
            limit_s,
            on_progress,
        )

    @property
    def units(self) -> list[FleetUnit]:
        return fleet(self.request)

    @property
    def penalty(self) -> float:
        return self.request.policy.unserved_penalty

    def left(self) -> float:
        return self.limit_s - (time.perf_counter() - self.started)

    def region(self, order: Order) -> str:
        return self.zones.region_of[order.id]

    def route(
        self,
        orders: Sequence[Order],
        limit_s: float,
        penalty_for: Callable[[Stop], float] | None = None,
    ) -> OwnFleetResult:
        """Own-fleet routes for ``orders`` within ``limit_s``, progress on the day's clock."""
        self.solves += 1
        offset = time.perf_counter() - self.started
        report = self.on_progress
        progress = None if report is None else _shifted(report, offset)
        return route_own_fleet(
            self.request,
            orders,
            time_limit_s=max(MIN_SOLVE_S, limit_s),
            on_progress=progress,
            penalty_for=penalty_for,
        )

    def own_cost(self, result: OwnFleetResult) -> float:
        """Routes, unserved and lateness penalties of an own-fleet result."""
        policy = self.request.policy
        return (
            result.cost
            + len(result.unserved) * policy.unserved_penalty
            + result.late_minutes * policy.late_penalty_per_minute
        )


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

    Pins are kept, regions no carrier may take stay with the own fleet, and carriers
    are chosen within their ``max_orders``: the evaluation the region search uses.
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
    return Sourcing(
        result.routes,
        [],
        unserved,
        result.late_minutes,
        regions,
        result.engine,
        _stats(day, "none"),
    )


def _stats(day: _Day, policy: str, **more: object) -> dict[str, object]:
    return {
        "policy": policy,
        "routing_solves": day.solves,
        "seconds": round(time.perf_counter() - day.started, 2),
        **more,
    }


def _region_base(day: _Day, region: str) -> dict[str, object]:
    base: dict[str, object] = {
        "id": region,
        "name": day.zones.names[region],
        "orders": len(day.groups[region]),
        "pinned": region in day.pins,
    }
    if region == UNASSIGNED:
        base["note"] = (
            f"{len(day.zones.outside)} orders lie outside every region polygon: "
            + ", ".join(day.zones.outside[:20])
        )
    ineligible = {c: s for c in day.table.ids if (s := day.table.summary(c, day.groups[region]))}
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
        self.capacity = {c: day.table.capacity(c) for c in day.table.ids}
        self.pinned = {r: self._pinned(r, pins[r]) for r in live if pins.get(r, OWN) != OWN}
        self.options = {r: self._options(r) for r in live}
        self.fixed_own = frozenset(
            r for r in live if pins.get(r) == OWN or (r not in pins and len(self.options[r]) == 1)
        )
        self.free = [r for r in live if r not in pins and r not in self.fixed_own]
        self.whole = frozenset(
            r
            for r in self.free
            if any(o.load == len(day.groups[r]) for o in self.options[r] if o.choice != NOBODY)
        )
        self.estimate: dict[str, float] = {}
        self.unfit: dict[str, int] = {}
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
            return self.sourcing(self.evaluate(self.fixed_own, day.left() * (1 - SPARE_SHARE)))
        budget = day.left()
        self._estimate(ESTIMATE_SHARE * budget)
        search = 1 - ESTIMATE_SHARE - POLISH_SHARE
        self.eval_s = max(MIN_SOLVE_S, search * budget / (2 * len(self.free) + 2))
        start = cheapest_choice(
            {r: [*self.options[r], Option(OWN, self.estimate[r])] for r in self.free},
            self.capacity,
        )
        own = self.fixed_own | {r for r, o in start.items() if o.choice == OWN}
        best, converged = self._calibrate(own, search * budget)
        everything = self.fixed_own | frozenset(self.free)
        extremes = [self.evaluate(e, self.eval_s) for e in (everything, everything - self.whole)]
        best = min([best, *extremes], key=lambda e: e.total)
        if converged:
            best = self._local_search(best)
        finalists = list(dict.fromkeys([best.own, everything]))
        for k, own in enumerate(finalists):
            spare = (day.left() - SPARE_SHARE * day.limit_s) / (len(finalists) - k)
            if spare > self.eval_s:
                polished = self.evaluate(own, spare, cache=False)
                if polished.total < best.total:
                    best = polished
        return self.sourcing(best)

    def _estimate(self, limit_s: float) -> None:
        """Marginal own-fleet cost per region: one solve, stops droppable at their region's
        cheapest carrier cost per order."""
        day = self.day
        free = set(self.free)
        known = free | self.fixed_own

        per_order = {
            r: min((o.cost for o in self.options[r] if o.choice != NOBODY), default=math.inf)
            / len(day.groups[r])
            for r in free
        }

        def drop_price(order: Order) -> float:
            """A carrier's cost per order for the whole region, or the unserved penalty."""
            return min(per_order.get(day.region(order), math.inf), day.penalty)

        orders = self.orders([*self.free, *self.fixed_own])
        result = day.route(orders, limit_s, lambda s: sum(drop_price(o) for o in s.orders))
        unfit = Counter(
            day.zones.region_of[u.order] for u in result.unserved if u.code != DROPPED.code
        )
        self.unfit = {r: unfit[r] for r in known}
        self.estimate = {r: unfit[r] * day.penalty for r in known}
        if result.model is None:
            return
        costs = _RouteCosts(result.model, result.routes)
        region = {n: day.region(costs.model.node_stop(n).orders[0]) for n in costs.nodes}
        for r, saving in costs.removal_savings(region).items():
            if r in known:
                self.estimate[r] += saving
        dropped: defaultdict[str, list[int]] = defaultdict(list)
        for n in costs.dropped():
            dropped[region[n]].append(n)
        for r, nodes in dropped.items():
            if r in known:
                prices = [drop_price(o) for n in nodes for o in costs.model.node_stop(n).orders]
                insert = min(sum(costs.insertion(n) for n in nodes), costs.tour(nodes))
                self.estimate[r] += max(sum(p for p in prices if p < day.penalty), insert)

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

    def _moves(self, current: _Eval) -> list[frozenset[str]]:
        """Own-region sets near ``current``: single flips, the best swaps of an own region for
        an outsourced one, the best 2, 3, ... regions added or removed together, every region
        a carrier can take whole to carriers, every region to the own fleet, and the regions of
        each route to carriers; by estimated gain, smaller moves first among equals."""
        gain = {r: self._gain(current, r) for r in self.free}
        ranked = sorted(self.free, key=lambda r: -gain[r])
        adds = [r for r in ranked if r not in current.own]
        drops = [r for r in ranked if r in current.own]
        pairs = sorted(
            ((a, d) for a in adds for d in drops), key=lambda p: -gain[p[0]] - gain[p[1]]
        )
        region_of = self.day.zones.region_of
        moves = [current.own ^ {r} for r in ranked]
        moves += [current.own - {d} | {a} for a, d in pairs[: len(self.free)]]
        moves += [current.own | set(adds[:k]) for k in range(2, len(adds) + 1)]
        moves += [current.own - set(drops[:k]) for k in range(2, len(drops) + 1)]
        moves += [current.own - self.whole, self.fixed_own | frozenset(self.free)]
        moves += [
            current.own - {region_of[o] for s in route.stops for o in s.orders} | self.fixed_own
            for route in current.result.routes
        ]
        unique = set(moves) - {current.own}

        def rank(own: frozenset[str]) -> tuple[float, int]:
            changed = own ^ current.own
            return -sum(gain[r] for r in changed), len(changed)

        return sorted(unique, key=rank)

    def _calibrate(self, own: frozenset[str], search_s: float) -> tuple[_Eval, bool]:
        """Evaluate ``own``, doubling the re-solve time while that still pays; and whether it
        stopped paying within the time allowed with every order routed (re-solves then
        compare reliably enough to search)."""
        started = self.day.left()
        current = self.evaluate(own, self.eval_s)
        while started - self.day.left() + 2 * self.eval_s <= CALIBRATION_SHARE * search_s:
            longer = self.evaluate(own, 2 * self.eval_s, cache=False)
            if longer.total >= current.total * (1 - CONVERGED):
                return current, not any(u.code == DROPPED.code for u in current.result.unserved)
            self.eval_s *= 2
            current = self.cache[own] = longer
        return current, False

    def _local_search(self, current: _Eval) -> _Eval:
        """First improvement over :meth:`_moves`, each candidate re-solved, while time allows."""
        reserve = POLISH_SHARE * self.day.limit_s
        improved = True
        while improved:
            improved = False
            for own in self._moves(current):
                if own not in self.cache and self.day.left() < self.eval_s * 1.3 + reserve:
                    return current
                candidate = self.evaluate(own, self.eval_s)
                if candidate.total < current.total - 0.005:
                    current, improved = candidate, True
                    break
        return current

    def _own_delta(self, own: frozenset[str], region: str) -> _Delta:
        """What ``region`` adds to the own fleet's routes and unserved orders next to ``own``."""
        with_r, without = own | {region}, own - {region}
        if with_r in self.cache and without in self.cache:
            a, b = self.cache[with_r], self.cache[without]
            lost = len(a.result.unserved) - len(b.result.unserved)
            route = a.own_cost - b.own_cost - lost * self.day.penalty
            return _Delta(route, lost, self.day.penalty, estimated=False)
        unfit = self.unfit.get(region, 0)
        route = self.estimate.get(region, 0.0) - unfit * self.day.penalty
        return _Delta(route, unfit, self.day.penalty, estimated=True)

    def _refused(self, order: Order, region: str, carrier: str, why: str) -> str:
        """Why an order of a region given to ``carrier`` (or to nobody) is not served."""
        table = self.day.table
        if carrier == NOBODY:
            refusals = table.why_not(order) or "no carrier with room takes it"
            return f"{region} left unserved: cheaper than the own fleet; {refusals}"
        refused = table.refusal(carrier, order)
        text = (
            refused.text if refused is not None else f"max_orders {table.capacity(carrier)} reached"
        )
        own = order_reason(order, self.day.units)
        fleet_note = (
            f"own fleet: {own.text}"
            if own is not None
            else f"the own fleet could carry it only with all of {region}"
        )
        return f"{region} goes to {carrier} ({why}), but {carrier} {text}; {fleet_note}"

    def _own_unserved(self, best: _Eval) -> list[Unserved]:
        table, out = self.day.table, []
        for u in best.result.unserved:
            region = self.day.zones.region_of[u.order]
            order = next(o for o in self.day.groups[region] if o.id == u.order)
            takers = [c for c in table.ids if table.takes(c, order)]
            note = (
                f"{region} is pinned to the own fleet"
                if self.day.pins.get(region) == OWN
                else f"{', '.join(takers)} could take it only with all of {region}"
                if takers
                else ""
            )
            out.append(_own_unserved(self.day, u, note))
        return out

    def sourcing(self, best: _Eval) -> Sourcing:
        """The plan's parts and per-region explanations for an evaluated assignment."""
        day = self.day
        outsourced: list[Outsourced] = []
        unserved = self._own_unserved(best)
        regions: list[dict[str, object]] = []
        for region, orders in day.groups.items():
            info = _region_base(day, region)
            regions.append(info)
            if not orders:
                info["decision"] = None
                continue
            delta = self._own_delta(best.own, region)
            alternatives = [(o.choice, o.cost) for o in self.options[region]]
            if region in best.own:
                info |= _explain(OWN, delta.total, alternatives, delta.estimated)
                continue
            entry, rest, why = self._carrier_part(best, region, delta)
            carrier = entry.carrier if entry else NOBODY
            cost = (entry.cost if entry else 0.0) + len(rest) * day.penalty
            info |= _explain(carrier, cost, [(OWN, delta.total), *alternatives], delta.estimated)
            if entry is not None:
                outsourced.append(entry)
                info["handover"] = handover_note(day.table.by_id[carrier])
            unserved += [
                Unserved(
                    order=o.id,
                    code="carrier_refused",
                    reason=self._refused(o, region, carrier, why),
                )
                for o in rest
            ]
        stats = _stats(
            day,
            "region",
            evaluations=len(self.cache),
            eval_s=round(self.eval_s, 2),
            estimate={r: round(v, 2) for r, v in self.estimate.items()},
        )
        return Sourcing(
            best.result.routes,
            outsourced,
            unserved,
            best.result.late_minutes,
            regions,
            best.result.engine,
            stats,
        )

    def _carrier_part(
        self, best: _Eval, region: str, delta: _Delta
    ) -> tuple[Outsourced | None, list[Order], str]:
        """The outsourced entry of a region not routed, its orders left over, and why so."""
        table, orders = self.day.table, self.day.groups[region]
        if region in self.pinned:
            carrier, why = self.day.pins[region], "pinned to the carrier"
            taken, rest = self.pinned[region]
        else:
            carrier, why = best.choice[region].choice, "cheapest overall"
            taken, rest = table.split(carrier, orders) if carrier != NOBODY else ([], [*orders])
        if not taken:
            return None, rest, why
        cost = table.cost(carrier, taken)
        versus = f"vs {carrier} {_money(cost)}" + (f" and {len(rest)} unserved" if rest else "")
        parts = [
            "pinned to " + carrier if region in self.pinned else "",
            f"{delta.text()} {versus}",
            handover_note(table.by_id[carrier]),
        ]
        reason = "; ".join(p for p in parts if p)
        return (
            Outsourced(
                region=region,
                carrier=carrier,
                orders=[o.id for o in taken],
                cost=round(cost, 2),
                reason=reason,
            ),
            rest,
            why,
        )


@dataclass(frozen=True, slots=True)
class _Delta:
    """What a region adds to the own fleet: route cost and unserved orders (or an estimate)."""

    route: float
    unserved: int
    penalty: float
    estimated: bool

    @property
    def total(self) -> float:
        return self.route + self.unserved * self.penalty

    def text(self) -> str:
        sign = "+" if self.route >= 0 else "-"
        est = " (est.)" if self.estimated else ""
        lost = f" and {self.unserved} unserved" if self.unserved > 0 else ""
        return f"own fleet {sign}{_money(abs(self.route))} in marginal route cost{est}{lost}"


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


class _RouteCosts:
    """Travel, service and fixed cost of paths in a solve's model, waiting left out."""

    def __init__(self, model: DayModel, routes: Sequence[RouteOut]) -> None:
        self.model = model
        node = {s.id: model.stop_node(k) for k, s in enumerate(model.stops)}
        units = {u.id: u for u in model.units}
        self.depot = {d.id: k for k, d in enumerate(model.depots)}
        self.routes = [(units[r.vehicle], [node[s.stop] for s in r.stops]) for r in routes]
        self.nodes = list(node.values())

    def leg(self, unit: FleetUnit, a: int, b: int) -> float:
        v, travel = unit.spec, self.model.travel
        hours = float(travel.minutes[a, b]) / v.speed_factor / 60
        return v.cost.per_km * float(travel.distance_km[a, b]) + v.cost.per_hour * hours

    def service(self, unit: FleetUnit, n: int) -> float:
        return unit.spec.cost.per_hour * self.model.node_stop(n).service_minutes / 60

    def path(self, unit: FleetUnit, nodes: Sequence[int]) -> float:
        """A route through ``nodes`` in order, fixed cost included; 0 when empty."""
        if not nodes:
            return 0.0
        seq = [self.depot[unit.spec.depot], *nodes, self.depot[unit.end_depot]]
        return (
            unit.spec.cost.fixed
            + sum(self.leg(unit, a, b) for a, b in pairwise(seq))
            + sum(self.service(unit, n) for n in nodes)
        )

    def removal_savings(self, region: Mapping[int, str]) -> dict[str, float]:
        """Per region, what leaving its stops out of the routes saves."""
        savings: defaultdict[str, float] = defaultdict(float)
        for unit, path in self.routes:
            full = self.path(unit, path)
            for r in {region[n] for n in path}:
                savings[r] += full - self.path(unit, [n for n in path if region[n] != r])
        return dict(savings)

    def dropped(self) -> list[int]:
        routed = {n for _, path in self.routes for n in path}
        return [n for n in self.nodes if n not in routed]

    def insertion(self, n: int) -> float:
        """Cheapest insertion of stop ``n`` into a route, windows and capacities left out."""
        best = math.inf
        for unit, path in self.routes:
            seq = [self.depot[unit.spec.depot], *path, self.depot[unit.end_depot]]
            detour = min(
                self.leg(unit, a, n) + self.leg(unit, n, b) - self.leg(unit, a, b)
                for a, b in pairwise(seq)
            )
            best = min(best, detour + self.service(unit, n))
        return best

    def tour(self, nodes: Sequence[int]) -> float:
        """A new route through ``nodes`` by nearest neighbour, with the cheapest vehicle."""
        best = math.inf
        for unit in {u.spec.id: u for u in self.model.units}.values():
            here, left, order = self.depot[unit.spec.depot], set(nodes), []
            while left:
                here = min(left, key=partial(self.leg, unit, here))
                order.append(here)
                left.remove(here)
            best = min(best, self.path(unit, order))
        return best


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
                unserved.append(
                    Unserved(
                        order=o.id,
                        code="carrier_refused",
                        reason=f"{region} is pinned to {pin}, but {pin} {text}",
                    )
                )

    def open_carriers() -> list[str]:
        return [c for c in table.ids if capacity[c] > 0]

    def drop_price(order: Order) -> float:
        best = None if order.id in must_own else table.cheapest(order, open_carriers())
        return day.penalty if best is None else best[1]

    result: OwnFleetResult | None = None
    limits = [c.max_orders for c in table.by_id.values() if c.max_orders is not None]
    minimums = any(c.price.min_charge_per_region > 0 for c in table.by_id.values())
    share = 0.6 if minimums or (limits and sum(limits) < len(pool)) else 0.95
    for _ in range(len(table.ids) + 1):
        routed = [o for o in pool if o.id not in assigned]
        result = day.route(
            routed, share * day.left(), lambda s: sum(drop_price(o) for o in s.orders)
        )
        left_over = _give_to_carriers(day, result, must_own, capacity, assigned)
        if not left_over:
            break
    assert result is not None
    result = _min_charges(day, result, pool, capacity, assigned)
    spare = day.left() - SPARE_SHARE * day.limit_s
    if spare > MIN_SOLVE_S:
        polished = day.route([o for o in pool if o.id not in assigned], spare)
        if day.own_cost(polished) < _own_cost_without(day, result, assigned):
            result = polished
    outsourced = _order_entries(day, assigned)
    full = [c for c in table.ids if capacity[c] == 0 and table.capacity(c) > 0]
    for u in result.unserved:
        if u.order in assigned:
            continue
        region = day.zones.region_of[u.order]
        note = (
            f"{region} is pinned to the own fleet"
            if u.order in must_own
            else f"{', '.join(full)} max_orders reached"
            if full
            else ""
        )
        unserved.append(_own_unserved(day, u, note))
    regions = [_order_region(day, r, result, assigned) for r in day.groups]
    return Sourcing(
        result.routes,
        outsourced,
        unserved,
        result.late_minutes,
        regions,
        result.engine,
        _stats(day, "order"),
    )


def _give_to_carriers(
    day: _Day,
    result: OwnFleetResult,
    must_own: set[str],
    capacity: dict[str, int],
    assigned: dict[str, str],
) -> list[Order]:
    """Hand dropped orders to carriers with room, greatest regret first; those left without room."""
    table = day.table
    orders = {o.id: o for orders in day.groups.values() for o in orders}
    dropped = [orders[u.order] for u in result.unserved if u.order not in must_own]
    candidates: list[tuple[float, Order, list[tuple[float, str]]]] = []
    for o in dropped:
        prices = sorted(
            (table.price(c, o), c) for c in table.ids if capacity[c] > 0 and table.takes(c, o)
        )
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
    day: _Day,
    result: OwnFleetResult,
    pool: Sequence[Order],
    capacity: dict[str, int],
    assigned: dict[str, str],
) -> OwnFleetResult:
    """Move region groups below a carrier's minimum charge to a cheaper carrier or the own fleet."""
    table = day.table
    groups = _groups(day, assigned)
    pinned = {r for r, p in day.pins.items() if p != OWN}
    for (region, carrier), orders in sorted(groups.items()):
        c = table.by_id[carrier]
        if region in pinned or sum(charge(c, o) for o in orders) >= c.price.min_charge_per_region:
            continue
        current = table.cost(carrier, orders)
        best: tuple[float, str] = (current, carrier)
        for other in table.ids:
            if (
                other == carrier
                or capacity[other] < len(orders)
                or not all(table.takes(other, o) for o in orders)
            ):
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
        trial = day.route(
            [o for o in pool if o.id not in assigned or o.id in ids], 0.5 * day.left()
        )
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
    orders: Sequence[Order],
    source: str,
    target: str,
    capacity: dict[str, int],
    assigned: dict[str, str],
    groups: dict[tuple[str, str], list[Order]],
    region: str,
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
        reason = (
            f"pinned to {carrier}"
            if pinned
            else f"own-fleet routing left these orders out at {carrier}'s price "
            f"({_money(cost)} for {len(orders)})"
        )
        note = handover_note(day.table.by_id[carrier])
        entries.append(
            Outsourced(
                region=region,
                carrier=carrier,
                orders=[o.id for o in orders],
                cost=round(cost, 2),
                reason="; ".join(p for p in (reason, note) if p),
            )
        )
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
    decision = (
        None
        if not orders
        else NOBODY
        if not served
        else next(iter(served))
        if len(served) == 1
        else "mixed"
    )
    cost = sum(day.table.cost(c, [o for o in orders if assigned.get(o.id) == c]) for c in by)
    return info | {
        "decision": decision,
        "served_own": own,
        "carriers": dict(by),
        "carrier_cost": round(cost, 2),
    }
