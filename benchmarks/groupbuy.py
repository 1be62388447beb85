"""Full-model quality on generated group-buy days (several windows, compartments, cold chain,
mixed fleet, two depots): an engine at the time limit vs the best plan found with 10x
the time, and vs plain OR-Tools at the same limit. Every plan is checked by the
independent validator. The portfolio engine uses two cores, so keep ``--jobs 1`` for it.

    python -m benchmarks.groupbuy --seeds 1 2 3 --orders 300 --time-limit 30 --engine portfolio
"""

from __future__ import annotations

import argparse
import copy
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from dispatch.day import plan_day
from dispatch.loading import load_request
from dispatch.validator import validate_plan
from scenarios.demo import demo_request


@dataclass(frozen=True)
class Run:
    seed: int
    engine: str
    limit: float
    total: float
    unserved: int
    vehicles: int
    seconds: float
    violations: tuple[str, ...]


def run(seed: int, orders: int, engine: str, limit: float) -> Run:
    doc = copy.deepcopy(demo_request(seed, orders=orders, carriers_enabled=False))
    doc["options"].update(engine=engine, time_limit_s=limit)
    request = load_request(doc)
    started = time.perf_counter()
    plan = plan_day(request)
    seconds = time.perf_counter() - started
    violations = validate_plan(request, plan.model_dump(mode="json"))
    return Run(
        seed,
        engine,
        limit,
        plan.objective.total,
        plan.kpis.unserved,
        plan.kpis.vehicles_used,
        seconds,
        tuple(str(v) for v in violations),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--engine", default="portfolio")
    parser.add_argument("--baseline", default="ortools")
    parser.add_argument(
        "--reference",
        nargs="+",
        default=["portfolio"],
        help="engines run with 10x the time; the best of every run is the reference",
    )
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    t = args.time_limit
    plan = [(s, args.engine, t) for s in args.seeds]
    plan += [(s, args.baseline, t) for s in args.seeds]
    plan += [(s, e, 10 * t) for s in args.seeds for e in args.reference]
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run, s, args.orders, e, lim) for s, e, lim in plan]
        runs = [f.result() for f in futures]
    by = {(r.seed, r.engine, r.limit): r for r in runs}
    print(
        f"{'seed':>4} {'engine':>8} {'limit':>6} {'total':>11} {'unserved':>8} "
        f"{'vehicles':>8} {'seconds':>7} {'violations':>10}"
    )
    for r in sorted(runs, key=lambda r: (r.seed, r.engine, r.limit)):
        print(
            f"{r.seed:>4} {r.engine:>8} {r.limit:>6g} {r.total:>11,.1f} {r.unserved:>8} "
            f"{r.vehicles:>8} {r.seconds:>7.1f} {len(r.violations):>10}"
        )
    print()
    print(f"{'seed':>4} {'gap to best at 10x':>19} {'ratio to ' + args.baseline + ' at 1x':>22}")
    gaps = []
    for s in args.seeds:
        best = min(r.total for r in runs if r.seed == s)
        ours = by[(s, args.engine, t)].total
        gap = 100 * (ours / best - 1)
        gaps.append(gap)
        ratio = ours / by[(s, args.baseline, t)].total
        print(f"{s:>4} {gap:>18.2f}% {ratio:>22.4f}")
    print(
        f"mean gap {sum(gaps) / len(gaps):.2f}%  worst {max(gaps):.2f}%  "
        f"violations {sum(len(r.violations) for r in runs)}"
    )
    for r in runs:
        for violation in r.violations:
            print(f"seed {r.seed} {r.engine} {r.limit:g} s: {violation}")


if __name__ == "__main__":
    main()
