"""Full-model quality on generated group-buy days (several windows, compartments, cold chain,
mixed fleet, two depots): an engine at the time limit vs the best plan found with 10x
the time, and vs plain OR-Tools at the same limit. Every plan is checked by the
independent validator. One 30 s solve moves by several per cent from solver seed to solver
seed, so ``--repeats`` runs the engine and the baseline with that many solver seeds per day.
The portfolio engine uses two cores, so keep ``--jobs 1`` for it.

A 10x plan moves between runs by as much as the plans it judges, so the best plan found so
far for each day is kept in ``groupbuy_best/`` (``--record`` adds better ones), checked again
by the validator on every run, and each run is also measured against it.

    python -m benchmarks.groupbuy --seeds 1 2 3 --orders 300 --time-limit 30 --repeats 3
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from statistics import mean
from typing import Any

from dispatch.intake.loading import load_request
from dispatch.planning.day import plan_request
from dispatch.planning.validator import validate_plan
from scenarios.demo import demo_request

BEST_KNOWN = Path(__file__).with_name("groupbuy_best")
"""The best plan found so far per generated day and order count, one gzipped JSON each."""
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
    plan: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.engine} {self.limit:g} s seed {self.seed}"


def best_valid(runs: list[Run], day: int) -> Run | None:
    """The day's cheapest plan that breaks no rule."""
    valid = [r for r in runs if r.day == day and not r.violations and r.plan]
    return min(valid, key=lambda r: r.total, default=None)


@dataclass(frozen=True)
class Known:
    """A stored best plan that the validator accepts for its day as generated now."""

    total: float
    found: str


def day_request(day: int, orders: int) -> dict[str, Any]:
    """The generated day ``day`` with ``orders`` orders, own fleet only."""
    return copy.deepcopy(demo_request(day, orders=orders, carriers_enabled=False))


def run(day: int, orders: int, engine: str, limit: float, seed: int = 0) -> Run:
    doc = day_request(day, orders)
    doc["options"].update(engine=engine, time_limit_s=limit, seed=seed)
    planned = plan_request(doc)
    request, plan, seconds = planned.request, planned.plan, planned.seconds
    dumped = plan.document()
    violations = validate_plan(request, dumped)
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
        dumped,
    )


def known_path(directory: Path, day: int, orders: int) -> Path:
    return directory / f"day{day}-orders{orders}.json.gz"


def load_known(directory: Path, day: int, orders: int) -> Known | None:
    """The stored best plan of the day, if there is one and the validator accepts it for the
    day as generated now; a plan it refuses is reported and left out."""
    path = known_path(directory, day, orders)
    if not path.exists():
        return None
    try:
        record = json.loads(gzip.decompress(path.read_bytes()))
        plan, found = record["plan"], str(record["found"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"{path}: ignored, not a stored plan ({error!r})")
        return None
    violations = validate_plan(load_request(day_request(day, orders)), plan)
    if violations:
        print(f"{path}: ignored, the validator refuses it for day {day}: {violations[0]}")
        return None
    return Known(float(plan["objective"]["total"]), found)


def record_best(directory: Path, runs: list[Run], orders: int, known: dict[int, Known]) -> None:
    """Store each day's cheapest valid plan of ``runs`` where it beats the stored one."""
    for day in sorted({r.day for r in runs}):
        best = best_valid(runs, day)
        if best is None or (day in known and known[day].total <= best.total):
            continue
        found = best.label
        record = {"day": day, "orders": orders, "found": found, "plan": best.plan}
        path = known_path(directory, day, orders)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps(record, sort_keys=True).encode(), mtime=0))
        known[day] = Known(best.total, found)
        print(f"day {day}: best known is now {best.total:,.1f} ({found}), written to {path}")


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
    parser.add_argument(
        "--best-known",
        type=Path,
        default=BEST_KNOWN,
        help="directory of the best plans found so far, one per day and order count",
    )
    parser.add_argument(
        "--record", action="store_true", help="store each day's plan that beats the best known"
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
    known = {
        d: k for d in args.seeds if (k := load_known(args.best_known, d, args.orders)) is not None
    }
    print_runs(runs)
    print_gaps(runs, args.seeds, args.engine, args.baseline, t)
    print_known(runs, args.seeds, args.engine, t, known)
    if args.record:
        record_best(args.best_known, runs, args.orders, known)


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
            print(f"day {r.day} {r.label}: {violation}")


def print_known(
    runs: list[Run], days: list[int], engine: str, limit: float, known: dict[int, Known]
) -> None:
    """The engine's runs at ``limit`` against the cheaper of the stored best plan and this
    run's best valid plan, a reference that does not move with one run's luck."""
    print()
    print(f"{'day':>4} {'best known':>11} {'mean gap':>9} {'max gap':>8}  found by")
    gaps: list[float] = []
    for d in days:
        ours = [r.total for r in runs if (r.day, r.engine, r.limit) == (d, engine, limit)]
        here, reference = best_valid(runs, d), known.get(d)
        if here is not None and (reference is None or here.total < reference.total):
            reference = Known(here.total, f"{here.label}, this run")
        if reference is None:
            print(f"{d:>4} {'none':>11}  (no valid plan)")
            continue
        day_gaps = [100 * (total / reference.total - 1) for total in ours]
        gaps += day_gaps
        print(
            f"{d:>4} {reference.total:>11,.1f} {mean(day_gaps):>8.2f}% {max(day_gaps):>7.2f}%  "
            f"{reference.found}"
        )
    if gaps:
        print(
            f"over {len(gaps)} runs, against the best known: mean gap {mean(gaps):.2f}%  "
            f"worst {max(gaps):.2f}%"
        )


if __name__ == "__main__":
    main()
