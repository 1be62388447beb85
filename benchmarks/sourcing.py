"""Own fleet vs carriers per region: the decision against every own/carrier assignment.

python -m benchmarks.sourcing [--regions 8] [--orders 64] [--vans 3] [--seeds 10]
    [--time-limit 8] [--eval-limit 0.3] [--jobs 2] [--demo-limit 30] [--demo-engine E]
    [--no-demo] [--side-by-side auto|yes|no]

For each seed, a generated day with R regions is decided once (``plan_day``) and
every one of the 2^R own/carrier assignments is evaluated with the same solver
and ``--eval-limit`` per solve; the gap is the decision's total over the best of
them. The demo day is then decided and compared with the own fleet doing all of it
and with every region a carrier can take whole outsourced to its cheapest carrier.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from time import perf_counter
from typing import Any

from dispatch.intake.loading import load_request
from dispatch.intake.request import Request
from dispatch.planning.day import plan_day
from dispatch.planning.own_fleet import route_own_fleet
from dispatch.planning.validator import validate_plan
from dispatch.sourcing.carriers import CarrierTable
from dispatch.sourcing.decide import serve_regions
from dispatch.sourcing.decision import warm_up
from dispatch.sourcing.order_regions import assign_regions
from dispatch.sourcing.search_workers import SEARCH_WORKERS
from optimizer.executor import Executor, Inline, Pool
from scenarios.sourcing_day import sourcing_day

Json = dict[str, Any]


def region_ids(request: Request) -> list[str]:
    """Regions that hold orders, in request order."""
    zones = assign_regions(request)
    return [r for r, orders in zones.orders_in(request.orders).items() if orders]


def assignment_cost(request: Request, own: tuple[str, ...], limit_s: float) -> float:
    """Total cost of routing the ``own`` regions and outsourcing the rest."""
    return serve_regions(request, own, time_limit_s=limit_s).total(request)


def best_assignment(request: Request, limit_s: float, jobs: int) -> tuple[float, tuple[str, ...]]:
    """The cheapest of all 2^R own/carrier assignments, each solved within ``limit_s``."""
    ids = region_ids(request)
    subsets = [c for k in range(len(ids) + 1) for c in combinations(ids, k)]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            costs = list(
                pool.map(
                    assignment_cost,
                    [request] * len(subsets),
                    subsets,
                    [limit_s] * len(subsets),
                    chunksize=8,
                )
            )
    else:
        costs = [assignment_cost(request, s, limit_s) for s in subsets]
    best = min(range(len(subsets)), key=costs.__getitem__)
    return costs[best], subsets[best]


@dataclass(frozen=True, slots=True)
class SeedResult:
    """The decision against the best assignment on one generated day."""

    seed: int
    decision: float
    best: float
    decision_s: float
    own_only_s: float
    violations: int

    @property
    def gap(self) -> float:
        return (self.decision - self.best) / self.best


def run_seed(seed: int, args: argparse.Namespace, executor: Executor | None = None) -> SeedResult:
    request = load_request(
        sourcing_day(
            seed,
            regions=args.regions,
            orders=args.orders,
            vans=args.vans,
            time_limit_s=args.time_limit,
        )
    )
    started = perf_counter()
    plan = plan_day(request, executor=executor)
    decision_s = perf_counter() - started
    started = perf_counter()
    route_own_fleet(request)
    own_only_s = perf_counter() - started
    violations = validate_plan(request, plan.model_dump(mode="json"))
    best, _ = best_assignment(request, args.eval_limit, args.jobs)
    return SeedResult(seed, plan.objective.total, best, decision_s, own_only_s, len(violations))


def demo(limit_s: float, engine: str | None) -> None:
    """The demo day: the decision against all own fleet and all regions a carrier can take."""
    from scenarios.demo import demo_request

    doc = demo_request()
    if engine:
        doc["options"]["engine"] = engine
    request = load_request(doc)
    ids = region_ids(request)
    started = perf_counter()
    plan = plan_day(request, time_limit_s=limit_s)
    seconds = perf_counter() - started
    violations = validate_plan(request, plan.model_dump(mode="json"))
    own = serve_regions(request, ids, time_limit_s=limit_s)
    kept = uncarried(request)
    whole = serve_regions(request, kept, time_limit_s=limit_s)
    every = serve_regions(request, (), time_limit_s=limit_s)
    print(
        f"\ndemo day: {len(request.orders)} orders, {len(ids)} regions, "
        f"engine {request.options.engine}, {limit_s:g} s per plan"
    )
    print(
        f"  decision            {plan.objective.total:10,.0f}  in {seconds:.1f} s; outsourced "
        f"{[(o.region, o.carrier, len(o.orders)) for o in plan.outsourced]}, "
        f"{len(plan.unserved)} unserved, {len(violations)} violations"
    )
    for name, other, note in (
        ("all own fleet", own, ""),
        ("all outsourced", whole, f"regions no carrier takes whole stay own: {kept}"),
        ("every region out", every, "refused orders unserved"),
    ):
        print(
            f"  {name:<18}  {other.total(request):10,.0f}  {len(other.unserved)} unserved; {note}"
        )


def uncarried(request: Request) -> list[str]:
    """Regions that no single carrier may take whole."""
    zones = assign_regions(request)
    table = CarrierTable(request, zones.region_of)
    return [
        r
        for r, orders in zones.orders_in(request.orders).items()
        if orders and all(table.split(c, orders)[1] for c in table.ids)
    ]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    results = []
    print(
        f"R = {args.regions}, {args.orders} orders, {args.vans} vans; decision limit "
        f"{args.time_limit:g} s, each of 2^{args.regions} assignments {args.eval_limit:g} s"
    )
    print(f"{'seed':>4} {'decision':>10} {'best':>10} {'gap':>7} {'time':>6} {'own':>6} viol")
    with side_by_side(args.side_by_side) as executor:
        for seed in range(args.seeds):
            results.append(run_seed(seed, args, executor))
            print_seed(results[-1])
    print_summary(results)
    if args.demo:
        demo(args.demo_limit, args.demo_engine)
    return 0


@contextmanager
def side_by_side(mode: str) -> Iterator[Executor | None]:
    """Where the decision's re-solves run: as the search chooses (``auto``: side by side
    only with an idle core, which this benchmark's own evaluations leave seldom), in this
    process (``no``), or on a pool of two started processes (``yes``)."""
    if mode == "auto":
        yield None
    elif mode == "no":
        yield Inline()
    else:
        pool = Pool(SEARCH_WORKERS)
        try:
            for handle in [pool.submit(warm_up) for _ in range(pool.workers)]:
                handle.result()
            yield pool
        finally:
            pool.close()


def print_seed(r: SeedResult) -> None:
    print(
        f"{r.seed:>4} {r.decision:>10,.0f} {r.best:>10,.0f} {r.gap:>7.2%} "
        f"{r.decision_s:>5.1f}s {r.own_only_s:>5.1f}s {r.violations:>4}",
        flush=True,
    )


def print_summary(results: list[SeedResult]) -> None:
    if results:
        within = sum(1 for r in results if r.gap <= 0.01)
        ratio = sum(r.decision_s for r in results) / sum(r.own_only_s for r in results)
        print(
            f"within 1% of the best assignment: {within}/{len(results)} seeds; "
            f"decision time / own-fleet-only time: {ratio:.2f}"
        )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.sourcing", description=__doc__)
    p.add_argument("--regions", type=int, default=8)
    p.add_argument("--orders", type=int, default=64)
    p.add_argument("--vans", type=int, default=3)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--time-limit", type=float, default=8.0, help="decision limit (s)")
    p.add_argument("--eval-limit", type=float, default=0.3, help="limit per assignment (s)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--demo-limit", type=float, default=30.0)
    p.add_argument(
        "--demo-engine", choices=["portfolio", "ortools", "pyvrp", "hybrid"], default=None
    )
    p.add_argument("--no-demo", dest="demo", action="store_false")
    p.add_argument(
        "--side-by-side",
        choices=["auto", "yes", "no"],
        default="auto",
        help="the decision's re-solves: as the search chooses, on two started processes, "
        "or in this process",
    )
    return p


if __name__ == "__main__":
    sys.exit(main())
