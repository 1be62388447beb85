"""Full-model quality on generated group-buy days (several windows, compartments, cold chain,
mixed fleet, two depots): an engine at the time limit vs the best plan found with 10x
the time, and vs plain OR-Tools at the same limit. Every plan is checked by the
independent validator. One 30 s solve moves by several per cent from solver seed to solver
seed, so ``--repeats`` runs the engine and the baseline with that many solver seeds per day.
The portfolio engine uses two cores, so keep ``--jobs 1`` for it.

    python -m benchmarks.groupbuy --seeds 1 2 3 --orders 300 --time-limit 30 --repeats 3
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from statistics import mean

from dispatch.day import plan_day
from dispatch.loading import load_request
from dispatch.validator import validate_plan
from scenarios.demo import demo_request

Settings = tuple[tuple[str, float], ...]
INHERITED = "GROUPBUY_SET"
"""Environment variable carrying ``--set`` to every process of a run: forked workers keep the
parent's state, but a spawned one (the portfolio's partner) re-imports this module."""


def apply(settings: Settings) -> None:
    """Set optimizer constants (``optimizer.pyvrp_engine.START_PENALTY``) in this process."""
    for name, value in settings:
        module_name, attribute = name.rpartition(".")[::2]
        try:
            module = import_module(module_name) if module_name.startswith("optimizer.") else None
        except ModuleNotFoundError:
            module = None
        if module is None or not isinstance(getattr(module, attribute, None), int | float):
            raise SystemExit(f"--set {name}: not a number constant of an optimizer module")
        setattr(module, attribute, type(getattr(module, attribute))(value))


def setting(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    return name, float(value)


def inherited() -> Settings:
    """The settings a parent process passed down in ``INHERITED``."""
    return tuple(setting(item) for item in os.environ.get(INHERITED, "").split() if item)


apply(inherited())


@dataclass(frozen=True)
class Run:
    day: int
    engine: str
    limit: float
    seed: int
    total: float
    unserved: int
    vehicles: int
    seconds: float
    violations: tuple[str, ...]


def run(day: int, orders: int, engine: str, limit: float, seed: int = 0) -> Run:
    doc = copy.deepcopy(demo_request(day, orders=orders, carriers_enabled=False))
    doc["options"].update(engine=engine, time_limit_s=limit, seed=seed)
    request = load_request(doc)
    started = time.perf_counter()
    plan = plan_day(request)
    seconds = time.perf_counter() - started
    violations = validate_plan(request, plan.model_dump(mode="json"))
    return Run(
        day,
        engine,
        limit,
        seed,
        plan.objective.total,
        plan.kpis.unserved,
        plan.kpis.vehicles_used,
        seconds,
        tuple(str(v) for v in violations),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="generated days")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--engine", default="portfolio")
    parser.add_argument("--baseline", default="ortools")
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="solver seeds 0.. for the engine and the baseline at the time limit, per day",
    )
    parser.add_argument(
        "--reference",
        nargs="*",
        default=["portfolio"],
        help="engines run with 10x the time (none: skip); the best of every run is the reference",
    )
    parser.add_argument(
        "--set",
        type=setting,
        action="append",
        default=[],
        metavar="MODULE.NAME=VALUE",
        help="an optimizer constant for every run, e.g. optimizer.pyvrp_engine.START_PENALTY=1",
    )
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    os.environ[INHERITED] = " ".join(f"{name}={value!r}" for name, value in args.set)
    apply(inherited())
    t = args.time_limit
    solver_seeds = range(args.repeats)
    plan = [
        (d, e, t, k) for d in args.seeds for e in (args.engine, args.baseline) for k in solver_seeds
    ]
    plan += [(d, e, 10 * t, 0) for d in args.seeds for e in args.reference]
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run, d, args.orders, e, lim, k) for d, e, lim, k in plan]
        runs = [f.result() for f in futures]
    print_runs(runs)
    print_gaps(runs, args.seeds, args.engine, args.baseline, t)


def print_runs(runs: list[Run]) -> None:
    print(
        f"{'day':>4} {'engine':>9} {'limit':>6} {'seed':>4} {'total':>11} {'unserved':>8} "
        f"{'vehicles':>8} {'seconds':>7} {'violations':>10}"
    )
    for r in sorted(runs, key=lambda r: (r.day, r.engine, r.limit, r.seed)):
        print(
            f"{r.day:>4} {r.engine:>9} {r.limit:>6g} {r.seed:>4} {r.total:>11,.1f} "
            f"{r.unserved:>8} {r.vehicles:>8} {r.seconds:>7.1f} {len(r.violations):>10}"
        )
    print()


def print_gaps(runs: list[Run], days: list[int], engine: str, baseline: str, limit: float) -> None:
    """Per day, the engine's runs at ``limit`` against the day's best plan and against the
    baseline run with the same solver seed; then the figures over every run."""
    print(
        f"{'day':>4} {'best':>11} {'mean gap':>9} {'min gap':>8} {'max gap':>8} "
        f"{'mean ratio to ' + baseline:>24} {'worse than ' + baseline:>20}"
    )
    gaps: list[float] = []
    ratios: list[float] = []
    for d in days:
        best = min(r.total for r in runs if r.day == d)
        ours = {r.seed: r.total for r in runs if (r.day, r.engine, r.limit) == (d, engine, limit)}
        base = {r.seed: r.total for r in runs if (r.day, r.engine, r.limit) == (d, baseline, limit)}
        day_gaps = [100 * (total / best - 1) for total in ours.values()]
        day_ratios = [ours[k] / base[k] for k in ours]
        gaps += day_gaps
        ratios += day_ratios
        print(
            f"{d:>4} {best:>11,.1f} {mean(day_gaps):>8.2f}% {min(day_gaps):>7.2f}% "
            f"{max(day_gaps):>7.2f}% {mean(day_ratios):>24.4f} "
            f"{sum(q > 1 for q in day_ratios):>17} / {len(day_ratios)}"
        )
    print(
        f"over {len(gaps)} runs: mean gap {mean(gaps):.2f}%  worst {max(gaps):.2f}%  "
        f"mean ratio to {baseline} {mean(ratios):.4f}  worse than {baseline} "
        f"{sum(q > 1 for q in ratios)}  violations {sum(len(r.violations) for r in runs)}"
    )
    for r in runs:
        for violation in r.violations:
            print(f"day {r.day} {r.engine} {r.limit:g} s seed {r.seed}: {violation}")


if __name__ == "__main__":
    main()
