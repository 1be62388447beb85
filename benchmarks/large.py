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
import math
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from scenarios.demo import demo_regions

Json = dict[str, Any]

DISTRICTS: tuple[tuple[str, float, float, float, float], ...] = (
    # name, lat, lon, spread (km), share of the stops
    ("Xinyi", 25.033, 121.567, 1.2, 1.2),
    ("Daan", 25.027, 121.540, 1.1, 1.4),
    ("Zhongshan", 25.064, 121.533, 1.1, 1.0),
    ("Neihu", 25.080, 121.590, 1.4, 1.1),
    ("Songshan", 25.052, 121.575, 0.9, 0.8),
    ("Wanhua", 25.033, 121.498, 0.8, 0.6),
    ("Banqiao", 25.012, 121.460, 1.4, 1.3),
    ("Zhonghe", 24.998, 121.500, 1.0, 1.0),
    ("Yonghe", 25.006, 121.518, 0.7, 0.7),
    ("Xindian", 24.962, 121.537, 1.5, 0.8),
    ("Sanchong", 25.063, 121.487, 1.0, 0.9),
    ("Beitou", 25.125, 121.500, 1.6, 0.6),
    ("Tamsui", 25.168, 121.445, 1.6, 0.5),
    ("Xinzhuang", 25.036, 121.445, 1.2, 0.9),
    ("Tucheng", 24.980, 121.445, 1.0, 0.6),
)
DEPOTS: tuple[tuple[str, str, float, float], ...] = (
    ("DC-N", "內湖物流中心", 25.078, 121.575),
    ("DC-S", "土城物流中心", 25.000, 121.450),
    ("DC-W", "五股物流中心", 25.085, 121.440),
    ("DC-E", "新店物流中心", 24.975, 121.540),
)
POINT_WINDOWS = (
    (("09:00", "12:00"),),
    (("10:00", "13:00"), ("15:00", "19:00")),
    (("08:30", "11:30"),),
    (("13:00", "17:00"),),
    (("09:30", "12:30"), ("16:00", "20:00")),
    (("14:00", "18:00"),),
)
CATALOGUE = (
    # sku, weight kg, volume l, temperature, popularity
    ("milk-1l", 1.05, 1.1, "chilled", 3.0),
    ("eggs-10", 0.65, 1.6, "chilled", 2.5),
    ("tofu", 0.45, 0.5, "chilled", 1.0),
    ("dumplings-frozen", 1.1, 1.8, "frozen", 3.0),
    ("shrimp-frozen", 0.7, 1.0, "frozen", 2.0),
    ("rice-5kg", 5.0, 6.5, "ambient", 1.5),
    ("toilet-paper", 2.4, 24.0, "ambient", 2.0),
    ("fruit-box", 3.0, 9.0, "ambient", 1.5),
    ("snacks", 0.9, 4.0, "ambient", 2.5),
    ("oil-2l", 1.9, 2.2, "ambient", 1.0),
)
COLD_LIMITS = {"chilled": 240, "frozen": 180}
KINDS: dict[str, Json] = {
    "ambient-van": {
        "capacity": {"weight_kg": 800, "volume_l": 6000},
        "cost": {"fixed": 1200, "per_km": 8, "per_hour": 250},
        "speed_factor": 1.05,
    },
    "reefer-van": {
        "capacity": {"weight_kg": 650, "volume_l": 4500, "chilled_l": 2400, "frozen_l": 1200},
        "max_cold_minutes": COLD_LIMITS,
        "cost": {"fixed": 1700, "per_km": 10, "per_hour": 300},
        "speed_factor": 1.0,
    },
    "truck": {
        "capacity": {"weight_kg": 1500, "volume_l": 10000, "chilled_l": 4000, "frozen_l": 2000},
        "max_cold_minutes": COLD_LIMITS,
        "cost": {"fixed": 2200, "per_km": 12, "per_hour": 350},
        "speed_factor": 0.9,
    },
}
FLEET_MIX = (
    # kind, share of the vehicles, shift
    ("ambient-van", 0.3, ("10:00", "22:00")),
    ("reefer-van", 0.45, ("07:00", "19:00")),
    ("reefer-van", 0.1, ("11:00", "22:00")),
    ("truck", 0.15, ("07:00", "19:00")),
)
STOPS_PER_VEHICLE = 16
POINT_SHARE = 0.04
"""Share of the stops that are pickup points; each receives ``POINT_ORDERS`` orders on average."""
POINT_ORDERS = 8
COLD_SHARE = 0.45
"""Share of the orders with chilled or frozen items."""


def large_request(stops: int, seed: int = 1, *, time_limit_s: float = 60.0) -> Json:
    """A request document of about ``stops`` stops (pickup points and homes), own fleet only."""
    rng = np.random.default_rng([seed, stops])
    shares = np.array([d[4] for d in DISTRICTS])
    points_n = max(1, round(POINT_SHARE * stops))
    homes_n = stops - points_n
    points = [_point(rng, k, _district(rng, shares)) for k in range(points_n)]
    orders: list[Json] = []
    for point in points:
        for _ in range(max(1, int(rng.poisson(POINT_ORDERS)))):
            orders.append(_point_order(rng, point))
    for _ in range(homes_n):
        home = _home(rng, _district(rng, shares))
        for _ in range(2 if rng.random() < 0.08 else 1):
            orders.append({**home, "service_minutes": int(rng.integers(2, 5))})
    for k, order in enumerate(orders):
        order["id"] = f"L{seed}-{k + 1:06d}"
        order["items"] = _items(rng)
    order_by = rng.permutation(len(orders))
    return {
        "date": "2025-11-11",
        "timezone": "Asia/Taipei",
        "travel": {"metric": "haversine", "speed_kmh": 28, "circuity": 1.3},
        "depots": [
            {
                "id": did,
                "name": name,
                "location": {"lat": lat, "lon": lon},
                "open": "06:00",
                "close": "22:00",
                "loading_minutes": 20,
            }
            for did, name, lat, lon in DEPOTS
        ],
        "vehicles": _fleet(stops),
        "orders": [orders[k] for k in order_by.tolist()],
        "pickup_points": points,
        "regions": demo_regions(),
        "carriers": [],
        "policy": {
            "unserved_penalty": 5000,
            "late_penalty_per_minute": 0,
            "outsourcing": "none",
        },
        "options": {"time_limit_s": time_limit_s, "seed": 0},
    }


def _district(rng: np.random.Generator, shares: np.ndarray) -> tuple[str, float, float, float]:
    name, lat, lon, spread, _ = DISTRICTS[int(rng.choice(len(DISTRICTS), p=shares / shares.sum()))]
    return name, lat, lon, spread


def _near(rng: np.random.Generator, lat: float, lon: float, spread_km: float) -> Json:
    dy, dx = rng.normal(0.0, spread_km, size=2)
    return {
        "lat": round(lat + dy / 111.0, 6),
        "lon": round(lon + dx / (111.0 * math.cos(math.radians(lat))), 6),
    }


def _windows(windows: tuple[tuple[str, str], ...]) -> list[Json]:
    return [{"start": a, "end": b} for a, b in windows]


def _point(rng: np.random.Generator, k: int, district: tuple[str, float, float, float]) -> Json:
    name, lat, lon, spread = district
    windows = POINT_WINDOWS[int(rng.integers(len(POINT_WINDOWS)))]
    return {
        "id": f"PP-{k + 1:05d}",
        "name": f"{name} pickup {k + 1}",
        "location": _near(rng, lat, lon, spread),
        "time_windows": _windows(windows),
        "service_minutes": int(rng.integers(5, 11)),
    }


def _point_order(rng: np.random.Generator, point: Json) -> Json:
    return {
        "pickup_point": point["id"],
        "location": dict(point["location"]),
        "time_windows": [dict(w) for w in point["time_windows"]],
        "service_minutes": int(rng.choice((1, 2), p=(0.7, 0.3))),
    }


def _home(rng: np.random.Generator, district: tuple[str, float, float, float]) -> Json:
    _, lat, lon, spread = district
    hours = int(rng.integers(2, 5))
    start = int(rng.integers(9, 21 - hours + 1))
    return {
        "location": _near(rng, lat, lon, 0.8 * spread),
        "time_windows": _windows(((f"{start:02d}:00", f"{start + hours:02d}:00"),)),
    }


def _items(rng: np.random.Generator) -> list[Json]:
    cold = rng.random() < COLD_SHARE
    pool = [s for s in CATALOGUE if cold or s[3] == "ambient"]
    weights = np.array([s[4] for s in pool])
    lines = int(rng.choice((1, 2, 3), p=(0.45, 0.35, 0.2)))
    picked = rng.choice(
        len(pool), size=min(lines, len(pool)), replace=False, p=weights / weights.sum()
    )
    return [
        {
            "sku": pool[k][0],
            "qty": int(rng.choice((1, 2, 3), p=(0.6, 0.3, 0.1))),
            "weight_kg": pool[k][1],
            "volume_l": pool[k][2],
            "temperature": pool[k][3],
        }
        for k in picked.tolist()
    ]


def _fleet(stops: int) -> list[Json]:
    total = max(len(DEPOTS) * len(FLEET_MIX), round(stops / STOPS_PER_VEHICLE))
    per_depot = total / len(DEPOTS)
    vehicles = []
    for did, *_ in DEPOTS:
        for k, (kind, share, (start, end)) in enumerate(FLEET_MIX):
            vehicles.append(
                {
                    "id": f"{did[3:]}-{kind.upper()}-{k}",
                    "kind": kind,
                    "depot": did,
                    "count": max(1, round(share * per_depot)),
                    "shift": {"start": start, "end": end},
                    **json.loads(json.dumps(KINDS[kind])),
                }
            )
    return vehicles


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
        """Replace ``module.name`` by a timed version that marks its phase for the sampler."""
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
                self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started
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
