"""``dispatch scenario``: run a scenario file side by side, size the fleet, find what to promise."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

Json = dict[str, Any]
DEFAULT_DATABASE = "sqlite:///dispatch.sqlite"


def _stored_day(day: date) -> Json:
    from dispatch.planning.stored_job import stored_request
    from dispatch.store import Store

    store = Store(os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    try:
        with store.read() as session:
            return stored_request(session, day)
    finally:
        store.dispose()


def map_writer(request: Json, plan: Json, path: Path) -> Path:
    """A case's plan map (offline, assets beside it)."""
    from api.views.plan_map import write_plan_map
    from dispatch.planning.plan import Plan

    return write_plan_map(request, Plan.model_validate(plan), path)


def _spec(args: argparse.Namespace) -> Any:
    from scenarios.spec import read_scenarios

    spec = read_scenarios(args.file)
    solve = dict(spec.solve)
    if args.time_limit is not None:
        solve["time_limit_s"] = args.time_limit
    if args.iterations is not None:
        solve["iterations"] = args.iterations
    return dataclasses.replace(spec, solve=solve)


def _progress(case: str, state: str, figures: Json) -> None:
    if state == "done":
        ok = "on time" if figures.get("served_on_time") else f"{figures['unserved']} unserved"
        print(
            f"  done   {case}: total {figures['total']:,.0f}, {ok}, {figures['solve_s']} s",
            file=sys.stderr,
        )
    else:
        print(f"  {state:<6} {case}", file=sys.stderr)


def cmd_scenario_run(args: argparse.Namespace) -> int:
    from scenarios.report import comparison_table
    from scenarios.study import study

    result = study(
        _spec(args),
        args.out,
        stored=_stored_day,
        size=not args.no_size,
        promised=not args.no_promise,
        workers=args.workers,
        on_progress=_progress,
        say=lambda line: print(line, file=sys.stderr),
        map_writer=None if args.no_maps else map_writer,
    )
    print(comparison_table(result))
    if "sizing" in result:
        print(f"\nfleet sizing ({result['sizing']['scenario']}): {result['sizing']['answer']}")
    for p in result.get("promise", {}).get("regions", []):
        print(f"promise {p['region']}: ×{p['multiple']} ({p['orders']} orders)")
    print(f"\nreport written to {result['report']}")
    invalid = [c["name"] for c in result["scenarios"] if c["figures"]["violations"]]
    return 1 if invalid or result["baseline"]["figures"]["violations"] else 0


def cmd_scenario_size(args: argparse.Namespace) -> int:
    from scenarios.base import base_request
    from scenarios.sizing import size_fleet
    from scenarios.study import scenario_day

    spec = _spec(args)
    base = base_request(spec, _stored_day)
    name = args.scenario or spec.offer.get("scenario") or spec.scenarios[-1].name
    found = size_fleet(
        spec,
        scenario_day(spec, base, name),
        workers=args.workers,
        on_step=lambda p: print(
            f"  +{p['extra']} {p['added']}: total {p['total']:,.0f}, "
            f"{p['not_on_time']} not on time",
            file=sys.stderr,
        ),
    )
    for point in found["curve"]:
        units = ", ".join(f"{n}×{k}" for k, n in point["units"].items()) or "as it is"
        print(f"{point['extra']:>3}  {point['total']:>12,.0f}  {point['not_on_time']:>4}  {units}")
    print(f"fleet sizing ({name}): {found['answer']}")
    if args.out:
        curve = [{k: v for k, v in p.items() if k != "plan"} for p in found["curve"]]
        Path(args.out).write_text(
            json.dumps({"scenario": name, "curve": curve, "answer": found["answer"]}, indent=1),
            encoding="utf-8",
        )
    return 0 if found["best"] is not None else 1


def cmd_scenario_promise(args: argparse.Namespace) -> int:
    from scenarios.base import base_request
    from scenarios.promise import promise
    from scenarios.study import scenario_day

    spec = _spec(args)
    base = base_request(spec, _stored_day)
    name = args.scenario or spec.promise.get("scenario")
    found = promise(
        spec, scenario_day(spec, base, name), regions=args.regions, workers=args.workers
    )
    for p in found["regions"]:
        print(
            f"{p['region']:<12} base {p['base_orders']:>4} orders: promise ×{p['multiple']} "
            f"({p['orders']} orders); ×{p['refused']} was not served on time"
        )
    return 0


def add_scenario_parser(sub: Any) -> None:
    """The ``scenario`` command and its actions."""
    parser = sub.add_parser("scenario", help="what-if scenarios side by side, sizing, promises")
    actions = parser.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="scenario YAML (scenarios/schema/scenario.schema.json)")
        p.add_argument("--workers", type=int, default=None, help="solves at once (default: cores)")
        p.add_argument("--time-limit", type=float, default=None, help="seconds per solve")
        p.add_argument("--iterations", type=int, default=None, help="search iterations per solve")

    run = actions.add_parser("run", help="baseline and every scenario side by side, a report")
    common(run)
    run.add_argument("--out", required=True, help="folder for comparison.csv/.json, report.html")
    run.add_argument("--no-size", action="store_true", help="skip the fleet sizing")
    run.add_argument("--no-promise", action="store_true", help="skip the promised multiples")
    run.add_argument("--no-maps", action="store_true", help="no plan maps in the report")
    run.set_defaults(func=cmd_scenario_run)

    size = actions.add_parser("size", help="cheapest extra vehicles and carrier capacity")
    common(size)
    size.add_argument("--scenario", default=None, help="the scenario sized (default: the last)")
    size.add_argument("--out", default=None, help="also write the curve as JSON")
    size.set_defaults(func=cmd_scenario_size)

    prom = actions.add_parser("promise", help="largest demand multiple per region on time")
    common(prom)
    prom.add_argument("--scenario", default=None, help="the scenario's day (default: the base)")
    prom.add_argument("--region", dest="regions", action="append", help="only this region")
    prom.set_defaults(func=cmd_scenario_promise)
