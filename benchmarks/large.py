"""Large generated Taipei-area days: 1,000 to 10,000 stops, several depots, compartments and
cold-chain limits, the same day for the same seed and size.

About one stop in twenty-five is a pickup point receiving several orders, the rest are
homes (a few with two orders); windows, baskets and the fleet follow the demo day's
proportions, the fleet scaled to about one vehicle per sixteen stops over four depots.

    python -m benchmarks.large generate --stops 5000 --seed 1 --out out/large-5000.json
    python -m benchmarks.large profile --stops 1000 2000 5000 --time-limit 20
    python -m benchmarks.large bench --stops 1000 5000 10000     # 120/300/600 s, 10x whole
    python -m benchmarks.large throughput --workers 1 2 --scenarios 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks.large_days import large_request

# ---------------------------------------------------------------- measuring


@dataclass
class Peak:
    """Peak resident memory of this process and its children, sampled by a thread."""

    interval_s: float = 0.1
    peak_mb: float = 0.0
    phase_peaks: dict[str, float] = field(default_factory=dict)
    phase: str = "start"
    _stop: threading.Event = field(default_factory=threading.Event)

    def rss_mb(self) -> float:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / 2**20

    def run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def sample(self) -> None:
        rss = self.rss_mb()
        self.peak_mb = max(self.peak_mb, rss)
        self.phase_peaks[self.phase] = max(self.phase_peaks.get(self.phase, 0.0), rss)

    @contextlib.contextmanager
    def watching(self) -> Iterator[Peak]:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self.sample()


@dataclass
class Phases:
    """Wall time per named phase, and the memory peak seen while each ran."""

    peak: Peak
    seconds: dict[str, float] = field(default_factory=dict)
    stats: dict[str, dict[str, float]] = field(default_factory=dict)

    def wrap(self, module: Any, name: str, label: str | None = None) -> None:
        """Replace ``module.name`` by a timed version that marks its phase for the sampler
        (and samples at its end when it ran longer than the sampler's interval: a phase
        called per stop would otherwise spend seconds reading /proc)."""
        original: Callable[..., Any] = getattr(module, name)
        key = label or name

        def timed(*args: Any, **kwargs: Any) -> Any:
            outer, self.peak.phase = self.peak.phase, key
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
                stats = getattr(result, "stats", None)
                if isinstance(stats, dict):
                    self.stats[key] = {k: round(v, 2) for k, v in stats.items()}
                return result
            finally:
                took = time.perf_counter() - started
                self.seconds[key] = self.seconds.get(key, 0.0) + took
                if took >= self.peak.interval_s:
                    self.peak.sample()
                self.peak.phase = outer

        setattr(module, name, timed)


@dataclass
class Case:
    """One planned large day."""

    stops: int
    seed: int
    engine: str
    time_limit_s: float
    wall_s: float = 0.0
    peak_mb: float = 0.0
    cost: float = 0.0
    vehicles: int = 0
    routed_stops: int = 0
    unserved: int = 0
    violations: int = 0
    refused: str = ""
    phases_s: dict[str, float] = field(default_factory=dict)
    phase_peak_mb: dict[str, float] = field(default_factory=dict)
    solver: dict[str, Any] = field(default_factory=dict)


def plan_case(
    stops: int,
    seed: int,
    engine: str,
    time_limit_s: float,
    *,
    validate: bool = True,
    decompose: bool | None = None,
) -> Case:
    """Plan the generated day of ``stops`` stops in this process, timing each phase."""
    from dispatch.intake import loading
    from dispatch.planning import day, model, validator
    from dispatch.planning import own_fleet as planning

    case = Case(stops, seed, engine, time_limit_s)
    if decompose is not None:
        planning.LARGE_DAY_STOPS = 1 if decompose else 10**9
    with Peak().watching() as peak:
        phases = Phases(peak)
        phases.wrap(planning, "group_orders")
        phases.wrap(planning, "build_model")
        phases.wrap(planning, "stop_reason")
        phases.wrap(planning, "solve")
        phases.wrap(planning.decompose, "solve", "solve_parts")
        phases.wrap(planning, "_routes", "routes_out")
        phases.wrap(model, "travel_matrix")
        phases.wrap(day, "assemble_plan")
        doc = large_request(stops, seed, time_limit_s=time_limit_s)
        doc["options"]["engine"] = engine
        started = time.perf_counter()
        request = loading.load_request(doc)
        phases.seconds["load_request"] = time.perf_counter() - started
        try:
            plan = day.plan_day(request)
        except loading.RequestError as error:
            case.refused = str(error)
            case.wall_s = time.perf_counter() - started
            case.peak_mb = peak.peak_mb
            return case
        case.wall_s = time.perf_counter() - started
        case.peak_mb = peak.peak_mb
        dumped = plan.model_dump(mode="json")
        if validate:
            case.violations = len(validator.validate_plan(request, dumped))
    case.cost = plan.objective.total
    case.vehicles = plan.kpis.vehicles_used
    case.unserved = plan.kpis.unserved
    case.routed_stops = sum(len(r.stops) for r in plan.routes)
    case.phases_s = {k: round(v, 2) for k, v in phases.seconds.items()}
    case.phase_peak_mb = {k: round(v) for k, v in peak.phase_peaks.items()}
    case.solver = {k: v for k, v in plan.solver.items() if isinstance(v, int | float | str)}
    case.solver |= phases.stats
    return case


def run_isolated(**kwargs: Any) -> Case:
    """``plan_case`` in a fresh process, so that each case's memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_plan_case, kwargs).result()


def _plan_case(kwargs: dict[str, Any]) -> Case:
    return plan_case(**kwargs)


def print_case(case: Case) -> None:
    print(json.dumps(asdict(case), ensure_ascii=False), flush=True)


DEFAULT_LIMITS = {1000: 120.0, 5000: 300.0, 10000: 600.0}
"""The time limits of the issue's targets; other sizes get a tenth of a second per stop."""


def bench(
    sizes: list[int], seed: int, engine: str, limit: float | None, reference: float
) -> list[tuple[Case, Case | None]]:
    """Each size planned by default (in parts from ``LARGE_DAY_STOPS``), and for sizes up
    to 5,000 also whole with ``reference`` times the time; one fresh process per plan."""
    results = []
    for stops in sizes:
        t = limit or DEFAULT_LIMITS.get(stops, stops / 10)
        case = run_isolated(stops=stops, seed=seed, engine=engine, time_limit_s=t)
        print_case(case)
        whole = None
        if reference > 0 and stops <= 5000:
            whole = run_isolated(
                stops=stops,
                seed=seed,
                engine=engine,
                time_limit_s=reference * t,
                decompose=False,
            )
            print_case(whole)
        results.append((case, whole))
    return results


def print_table(results: list[tuple[Case, Case | None]]) -> None:
    print(
        f"{'stops':>6} {'limit s':>7} {'wall s':>7} {'peak MB':>8} {'cost':>11} {'vehicles':>8} "
        f"{'unserved':>8} {'violations':>10} {'whole cost':>11} {'whole s':>8} {'gap':>7}"
    )
    for case, whole in results:
        gap = (
            "" if whole is None or not whole.cost else f"{100 * (case.cost / whole.cost - 1):+.2f}%"
        )
        print(
            f"{case.stops:>6} {case.time_limit_s:>7g} {case.wall_s:>7.1f} {case.peak_mb:>8.0f} "
            f"{case.cost:>11,.0f} {case.vehicles:>8} {case.unserved:>8} {case.violations:>10} "
            f"{'' if whole is None else f'{whole.cost:,.0f}':>11} "
            f"{'' if whole is None else f'{whole.wall_s:.0f}':>8} {gap:>7}"
        )


def scenario(seed: int, orders: int, limit: float, engine: str) -> float:
    """One scenario: the demo day of ``seed`` planned; its total cost."""
    from dispatch.intake.loading import load_request
    from dispatch.planning.day import plan_day
    from scenarios.demo import demo_request

    doc = demo_request(seed, orders=orders, carriers_enabled=False)
    doc["options"].update(time_limit_s=limit, engine=engine)
    return plan_day(load_request(doc)).objective.total


def throughput(workers: int, scenarios: int, orders: int, limit: float) -> float:
    """Scenarios planned per minute on a Dask LocalCluster of ``workers`` single-threaded
    worker processes (one solve per core: the hybrid engine)."""
    from distributed import LocalCluster

    from optimizer.executor import open_executor, run_all

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        open_executor(scheduler=cluster.scheduler_address) as executor,
    ):
        run_all(executor, scenario, [(0, 20, 1.0, "hybrid")] * workers)
        started = time.perf_counter()
        run_all(executor, scenario, [(k, orders, limit, "hybrid") for k in range(scenarios)])
        return 60.0 * scenarios / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write one generated day as JSON")
    generate.add_argument("--stops", type=int, required=True)
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--out", type=Path, required=True)
    for name in ("profile", "bench"):
        command = commands.add_parser(name)
        command.add_argument("--stops", type=int, nargs="+", default=[1000, 5000, 10000])
        command.add_argument("--seed", type=int, default=1)
        command.add_argument("--engine", default="portfolio")
        command.add_argument(
            "--time-limit", type=float, default=None, help="default: 120/300/600 s by size"
        )
        command.add_argument("--reference", type=float, default=10.0, help="whole-day time ×")
        command.add_argument("--no-validate", action="store_true")
        command.add_argument(
            "--decompose",
            choices=("auto", "yes", "no"),
            default="auto",
            help="solve in parts: by size (auto), always, or never",
        )
    rate = commands.add_parser("throughput", help="scenarios per minute on 1 and 2 Dask workers")
    rate.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    rate.add_argument("--scenarios", type=int, default=8)
    rate.add_argument("--orders", type=int, default=300)
    rate.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    if args.command == "generate":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(large_request(args.stops, args.seed), ensure_ascii=False))
        return
    if args.command == "throughput":
        for workers in args.workers:
            rate = throughput(workers, args.scenarios, args.orders, args.time_limit)
            print(f"{workers} Dask worker(s): {rate:.2f} scenarios per minute", flush=True)
        return
    if args.command == "bench":
        print_table(bench(args.stops, args.seed, args.engine, args.time_limit, args.reference))
        return
    for stops in args.stops:
        case = run_isolated(
            stops=stops,
            seed=args.seed,
            engine=args.engine,
            time_limit_s=args.time_limit or DEFAULT_LIMITS.get(stops, stops / 10),
            validate=not args.no_validate,
            decompose={"auto": None, "yes": True, "no": False}[args.decompose],
        )
        print_case(case)


if __name__ == "__main__":
    main()
