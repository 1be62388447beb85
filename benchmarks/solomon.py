"""Solve VRPTW benchmark instances (Solomon, Gehring & Homberger) and compare with the BKS.

python -m benchmarks.solomon DIR --time-limit 5 --out OUTDIR [--engine hybrid]
    [--instances C101,R202] [--jobs 1] [--seed 0]

Every solution is re-checked and its distance recomputed by ``benchmarks.verify``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass
from importlib.util import find_spec
from pathlib import Path
from statistics import mean
from time import perf_counter, process_time

from benchmarks import verify
from benchmarks.instance import SCALE, read, read_bks, write_solution
from benchmarks.solvers import ENGINES, run


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the results CSV."""

    instance: str
    distance: float
    routes: int
    bks: float
    gap_pct: float
    feasible: bool
    seconds: float
    engine: str
    cpu_s: float


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; prints a per-class summary and writes ``.sol`` files and a CSV."""
    args = _parser().parse_args(argv)
    if not args.dir.is_dir():
        print(f"benchmark directory {args.dir} not found; skipping")
        return 0
    if args.engine == "vroom" and find_spec("vroom") is None:
        print("pyvroom is not installed; skipping")
        return 0
    paths = sorted(args.dir.glob("*.vrp"))
    if args.instances:
        wanted = set(args.instances.split(","))
        paths = [p for p in paths if p.stem in wanted]
    bks_file = args.dir / "bks.csv"
    bks = read_bks(bks_file) if bks_file.exists() else {}
    args.out.mkdir(parents=True, exist_ok=True)
    tasks = [
        (p, args.engine, args.time_limit, args.seed, bks.get(p.stem, 0.0), args.out) for p in paths
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(_solve_one, *zip(*tasks, strict=True)))
    with (args.out / f"results-{args.engine}.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(Row.__slots__)
        writer.writerows(astuple(row) for row in rows)
    print(summary(rows))
    return 0


def _solve_one(path: Path, engine: str, time_limit: float, seed: int, bks: float, out: Path) -> Row:
    instance = read(path)
    clock, cpu = perf_counter(), process_time()
    routes = run(instance, engine, time_limit, seed)
    seconds, cpu = perf_counter() - clock, process_time() - cpu
    errors = verify.violations(instance, routes) if routes else ["no solution"]
    distance = verify.distance(instance, routes) / SCALE
    write_solution(out / f"{instance.name}.sol", routes, verify.distance(instance, routes))
    gap = 100 * (distance - bks) / bks if bks and not errors else float("nan")
    row = Row(
        instance.name,
        distance,
        len(routes),
        bks,
        round(gap, 3),
        not errors,
        round(seconds, 2),
        engine,
        round(cpu, 2),
    )
    status = "ok" if not errors else "; ".join(errors[:3])
    print(
        f"{row.instance:>8} {distance:9.1f} {len(routes):3d} {gap:6.2f}%"
        f" {seconds:5.1f}s (cpu {cpu:4.1f}s) {status}"
    )
    return row


def instance_class(name: str) -> str:
    """C1, C2, R1, R2, RC1 or RC2 from a Solomon or Gehring & Homberger name."""
    match = re.match(r"([A-Z]+)(\d)", name.upper())
    return f"{match.group(1)}{match.group(2)}" if match else name


def summary(rows: list[Row]) -> str:
    """Mean and worst gap per class and overall, with the count of infeasible runs."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[instance_class(row.instance)].append(row)
    lines = [f"{'class':<8}{'n':>4}{'mean gap':>10}{'worst':>9}{'infeasible':>12}"]
    for name, members in [*sorted(groups.items()), ("all", rows)]:
        gaps = [row.gap_pct for row in members if row.feasible]
        failed = sum(1 for row in members if not row.feasible)
        mean_gap = f"{mean(gaps):.2f}%" if gaps else "-"
        worst = f"{max(gaps):.2f}%" if gaps else "-"
        lines.append(f"{name:<8}{len(members):>4}{mean_gap:>10}{worst:>9}{failed:>12}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.solomon", description=__doc__.split("\n")[0]
    )
    parser.add_argument("dir", type=Path, help="folder of .vrp files (and bks.csv)")
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per instance")
    parser.add_argument("--out", type=Path, default=Path("benchmark-out"), help="output folder")
    parser.add_argument("--engine", choices=ENGINES, default="hybrid")
    parser.add_argument("--instances", default="", help="comma-separated names, e.g. C101,R202")
    parser.add_argument("--jobs", type=int, default=1, help="instances solved in parallel")
    parser.add_argument("--seed", type=int, default=0)
    return parser


if __name__ == "__main__":
    sys.exit(main())
