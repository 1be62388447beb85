"""Per region (``policy.outsourcing = "region"``): each region wholly own fleet or one carrier.

The own-fleet cost of a set of regions depends on routing, so the choice is a
search: one routing solve with every stop droppable at its cheapest carrier
price estimates each region's marginal own-fleet cost; a capacitated assignment
of carriers gives a start. Re-solves get a time doubled until doubling stops
paying off; the best of the start, all regions own and all a carrier can take
outsourced is then improved by a first-improvement local search (one region
flipped, two swapped, or every region of a route or of the day moved at once),
each candidate re-solved, warm from the routes of the nearest assignment solved before
(the final solves from their own earlier routes). When doubling still pays at the end of
its share, re-solves are too rough for a search and the best start gets all the time left.
Independent re-solves (the extremes, a batch of candidates, the finalists) run side by side
on the day's executor, one per worker (see ``dispatch.sourcing.search_workers``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dispatch.intake.request import OWN, Order
from dispatch.planning.feasibility import order_reason
from dispatch.planning.own_fleet import DROPPED, OwnFleetResult
from dispatch.planning.plan import Outsourced, Unserved
from dispatch.sourcing.carriers import NOBODY, Option, cheapest_choice, handover_note
from dispatch.sourcing.decision import (
    MIN_SOLVE_S,
    SPARE_SHARE,
    Day,
    Sourcing,
    money,
    own_unserved,
    region_base,
    solver_stats,
)
from dispatch.sourcing.route_costs import RouteCosts

ESTIMATE_SHARE, POLISH_SHARE = 0.15, 0.5
"""Shares of the time limit for the estimating solve and the final solves (``SPARE_SHARE`` is
kept for assembling the plan); the region search runs in between. The final solves re-solve the
search's choice and the own fleet serving everything with the rest of the time: short re-solves
favour carriers, because a bigger own-fleet problem gains more from a longer solve."""

CALIBRATION_SHARE, CONVERGED = 0.4, 0.01
"""Up to this share of the search time goes to doubling the time of a re-solve while doubling
still lowers the cost by more than ``CONVERGED``."""


@dataclass(frozen=True, slots=True)
class _Eval:
    """One own/carrier assignment: its own-fleet routes, carrier choice and total cost."""

    own: frozenset[str]
    result: OwnFleetResult
    own_cost: float
    choice: dict[str, Option]
    total: float


class RegionSearch:
    """Each region wholly own fleet or wholly one carrier, searched by re-solving flips."""

    def __init__(self, day: Day) -> None:
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
        self.final_s = 0.0

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
            self.final_s = day.left() * (1 - SPARE_SHARE)
            return self.sourcing(self.evaluate(self.fixed_own, self.final_s))
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
        extremes = self.evaluate_all([everything, everything - self.whole], self.eval_s)
        best = self._incumbent(min([best, *extremes], key=lambda e: e.total))
        if converged:
            best = self._local_search(best)
        return self.sourcing(self._polish(best, [best.own, everything]))

    def _polish(self, best: _Eval, finalists: Sequence[frozenset[str]]) -> _Eval:
        """The finalists re-solved with the time left, one per worker at once, each warm
        from its earlier routes; the cheapest of them and ``best``."""
        day, width = self.day, self.day.executor.workers
        finalists = list(dict.fromkeys(finalists))
        waves = [finalists[k : k + width] for k in range(0, len(finalists), width)]
        for k, wave in enumerate(waves):
            spare = (day.left() - SPARE_SHARE * day.limit_s) / (len(waves) - k)
            if spare <= self.eval_s:
                break
            self.final_s = max(self.final_s, spare)
            for polished in self.evaluate_all(wave, spare, cache=False):
                if polished.total < best.total:
                    best = self._incumbent(polished)
        return best

    def _incumbent(self, best: _Eval) -> _Eval:
        """``best`` is the search's answer now: a whole day plan, offered as progress."""
        self.day.offer(self.sourcing(best))
        return best

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
        costs = RouteCosts(result.model, result.routes)
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
        (found,) = self.evaluate_all([own], limit_s, cache=cache)
        return found

    def evaluate_all(
        self, owns: Sequence[frozenset[str]], limit_s: float, *, cache: bool = True
    ) -> list[_Eval]:
        """:meth:`evaluate` for each of ``owns``, the re-solves side by side on the day's
        executor, each warm from the nearest assignment solved before."""
        todo = [own for own in dict.fromkeys(owns) if not (cache and own in self.cache)]
        handles = []
        for own in todo:
            near = self._nearest(own)
            start = near.result.routes if near is not None else ()
            handles.append(self.day.submit(self.orders(sorted(own)), limit_s, start))
        done = {own: self._scored(own, h.result()) for own, h in zip(todo, handles, strict=True)}
        if cache:
            self.cache.update(done)
        return [done[own] if own in done else self.cache[own] for own in owns]

    def _scored(self, own: frozenset[str], result: OwnFleetResult) -> _Eval:
        """The assignment's total: own-fleet ``result``, pinned and cheapest carriers."""
        own_cost = self.day.own_cost(result)
        choice = cheapest_choice(
            {r: self.options[r] for r in self.free if r not in own}, self.capacity
        )
        pinned = sum(
            self.day.table.cost(self.day.pins[r], taken) + len(rest) * self.day.penalty
            for r, (taken, rest) in self.pinned.items()
        )
        total = own_cost + pinned + sum(o.cost for o in choice.values())
        return _Eval(own, result, own_cost, choice, total)

    def _nearest(self, own: frozenset[str]) -> _Eval | None:
        """The evaluated assignment closest to ``own`` (fewest regions flipped, then cheapest),
        whose routes a re-solve of ``own`` starts from."""
        return min(self.cache.values(), key=lambda e: (len(e.own ^ own), e.total), default=None)

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
        current = self._incumbent(self.evaluate(own, self.eval_s))
        while started - self.day.left() + 2 * self.eval_s <= CALIBRATION_SHARE * search_s:
            longer = self.evaluate(own, 2 * self.eval_s, cache=False)
            if longer.total >= current.total * (1 - CONVERGED):
                return current, not any(u.code == DROPPED.code for u in current.result.unserved)
            self.eval_s *= 2
            current = self.cache[own] = self._incumbent(longer)
        return current, False

    def _local_search(self, current: _Eval) -> _Eval:
        """Improvement over :meth:`_moves` while time allows: candidates re-solved in batches
        of one per worker, the cheapest that improves taken."""
        reserve = POLISH_SHARE * self.day.limit_s
        improved = True
        while improved:
            improved = False
            batch: list[frozenset[str]] = []
            moves = self._moves(current)
            for k, own in enumerate(moves):
                batch.append(own)
                fresh = sum(1 for b in batch if b not in self.cache)
                if fresh < self.day.executor.workers and k + 1 < len(moves):
                    continue
                if fresh and self.day.left() < self.eval_s * 1.3 + reserve:
                    return current
                candidate = min(self.evaluate_all(batch, self.eval_s), key=lambda e: e.total)
                batch = []
                if candidate.total < current.total - 0.005:
                    current, improved = self._incumbent(candidate), True
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
            out.append(own_unserved(self.day, u, note))
        return out

    def sourcing(self, best: _Eval) -> Sourcing:
        """The plan's parts and per-region explanations for an evaluated assignment."""
        day = self.day
        outsourced: list[Outsourced] = []
        unserved = self._own_unserved(best)
        regions: list[dict[str, object]] = []
        for region, orders in day.groups.items():
            info = region_base(day, region)
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
        stats = solver_stats(
            day,
            "region",
            evaluations=len(self.cache),
            eval_s=round(self.eval_s, 2),
            final_s=round(self.final_s, 2),
            workers=day.executor.workers,
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
        versus = f"vs {carrier} {money(cost)}" + (f" and {len(rest)} unserved" if rest else "")
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
        return f"own fleet {sign}{money(abs(self.route))} in marginal route cost{est}{lost}"


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
