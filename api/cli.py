"""The ``dispatch`` command: plan a day, validate a plan, run the demo, serve the API; its keys
and users commands are in :mod:`api.cli_accounts`."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from api.cli_accounts import (
    cmd_keys_create,
    cmd_keys_list,
    cmd_keys_revoke,
    cmd_users_create,
    cmd_users_disable,
    cmd_users_list,
    key_name,
)
from api.cli_imports import add_parser as add_import_parser
from api.cli_scenarios import add_scenario_parser
from dispatch.errors import DispatchError
from dispatch.intake.loading import load_request, read_request
from dispatch.intake.request import Options, Request
from dispatch.planning.plan import Plan
from dispatch.planning.progress import PlanProgress, ProgressFn

if TYPE_CHECKING:
    pass


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


@contextmanager
def _progress(enabled: bool, limit: float) -> Iterator[ProgressFn | None]:
    """A live line (best cost, elapsed) on a terminal; nothing when piped."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("[bold]solving"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("best cost {task.fields[best]}  ({task.fields[n]} plans)"),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("solve", total=limit, best="–", n=0)

        def report(p: PlanProgress) -> None:
            bar.update(
                task, completed=min(p.elapsed_s, limit), best=f"{p.best_cost:,.0f}", n=p.plans
            )

        yield report


def _summary(plan: Plan) -> str:
    k = plan.kpis
    return (
        f"{plan.status}: {k.orders} orders — {k.served_own} own fleet on {k.vehicles_used} "
        f"vehicles ({k.distance_km:,.1f} km), {k.served_carrier} by carriers, "
        f"{k.unserved} unserved; total cost {plan.objective.total:,.0f} "
        f"({k.cost_per_order:,.1f} per order), on-time {k.on_time_rate:.1%}, "
        f"solved in {plan.solver.get('seconds', 0)} s"
    )


def _solve(request: Request, out: Path, time_limit: float | None, map_path: Path | None) -> int:
    from dispatch.planning.day import plan_request
    from dispatch.planning.validator import validate_plan

    limit = request.options.limit(time_limit)
    with _progress(sys.stderr.isatty(), limit) as report:
        plan = plan_request(request, time_limit_s=time_limit, on_progress=report).plan
    data = plan.document()
    _write_json(out, data)
    print(_summary(plan))
    print(f"plan written to {out}")
    if map_path is not None:
        from api.views.plan_map import write_plan_map

        write_plan_map(request, plan, map_path)
        print(f"map written to {map_path}")
    violations = validate_plan(request, data)
    if violations:
        print(f"validator: {len(violations)} violation(s)", file=sys.stderr)
        for v in violations[:20]:
            print(f"  {v}", file=sys.stderr)
        return 1
    print("validator: plan is valid")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    request = read_request(args.request)
    return _solve(request, Path(args.out), args.time_limit, args.map)


def cmd_validate(args: argparse.Namespace) -> int:
    from dispatch.planning.validator import validate_plan

    request = read_request(args.request)
    try:
        plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"error: cannot read plan {args.plan}: {exc}", file=sys.stderr)
        return 2
    violations = validate_plan(request, plan)
    for v in violations:
        print(v)
    if violations:
        print(f"{len(violations)} violation(s)", file=sys.stderr)
        return 1
    print("plan is valid")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from scenarios.demo import demo_request

    doc = demo_request(
        args.seed, orders=args.orders, date=args.date, carriers_enabled=not args.no_carriers
    )
    out = Path(args.out)
    request_path = out.with_name(out.stem + ".request.json")
    existing = [p for p in (out, request_path, args.map) if p is not None and Path(p).exists()]
    if existing and not args.force:
        names = ", ".join(str(p) for p in existing)
        print(f"error: {names} exists already; give --force to replace it", file=sys.stderr)
        return 2
    _write_json(request_path, doc)
    print(f"demo request written to {request_path}")
    return _solve(load_request(doc), out, args.time_limit, args.map)


def cmd_forecast(args: argparse.Namespace) -> int:
    from dispatch.forecast.history import HistoryError
    from dispatch.forecast.result import ForecastError
    from scenarios.forecast import run_forecast

    try:
        lines = run_forecast(
            args.history,
            date.fromisoformat(args.day),
            Path(args.out),
            level=args.level,
            regions=args.regions,
            scenario_out=args.scenario_out,
            scenario_base=args.scenario_base,
            demand=args.scenario_demand,
        )
    except (HistoryError, ForecastError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app. The objects made by then (modules, the app) are frozen out of the
    garbage collector's sight, so its full collections under load stay short."""
    import uvicorn

    from api.app import create_app
    from api.logs import logging_config
    from api.settings import Settings

    settings = Settings()
    app = create_app(settings)
    gc.freeze()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=logging_config(settings.log_level),
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _seconds(text: str) -> float:
    """A search time under the request's own rule for ``options.time_limit_s``."""
    try:
        return Options(time_limit_s=text).time_limit_s
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise argparse.ArgumentTypeError(f"{text!r} seconds: {reason}") from None


def _count(text: str) -> int:
    """A whole number, 0 or more: the demo's data seed and order count."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _orders(text: str) -> int:
    """The demo's order count: a whole number, 1 or more."""
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("a day needs 1 order or more, not 0")
    return value


def _day(text: str) -> str:
    """An ISO date (YYYY-MM-DD): the demo's day."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _level(text: str) -> float:
    """A prediction interval's level, between 0 and 1 (0.8 for 80%)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"not a level between 0 and 1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dispatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="plan a day from a request file")
    p.add_argument("request", help="plan request JSON")
    p.add_argument("--out", default="plan.json", help="where to write the plan JSON")
    p.add_argument("--time-limit", type=_seconds, default=None, help="seconds of search")
    p.add_argument("--map", type=Path, default=None, help="also write an HTML map of the plan")
    p.set_defaults(func=cmd_plan)

    v = sub.add_parser("validate", help="check a plan against its request")
    v.add_argument("request")
    v.add_argument("plan")
    v.set_defaults(func=cmd_validate)

    d = sub.add_parser("demo", help="plan the built-in demo day")
    d.add_argument("--seed", type=_count, default=7, help="seed of the generated day")
    d.add_argument("--orders", type=_orders, default=600, help="orders of the day, 1 or more")
    d.add_argument("--date", type=_day, default=None, help="the day planned (default: today)")
    d.add_argument("--out", default="out/demo-plan.json")
    d.add_argument("--time-limit", type=_seconds, default=None, help="seconds of search")
    d.add_argument("--map", type=Path, default=None)
    d.add_argument("--no-carriers", action="store_true", help="own fleet only")
    d.add_argument("--force", action="store_true", help="replace files that exist already")
    d.set_defaults(func=cmd_demo)

    f = sub.add_parser("forecast", help="forecast a day's orders per region from a history CSV")
    f.add_argument("history", help="CSV with date,region,orders")
    f.add_argument("--day", type=_day, required=True, help="the day forecast (YYYY-MM-DD)")
    f.add_argument("--out", default="forecast.json", help="where to write the forecast JSON")
    f.add_argument("--level", type=_level, default=0.8, help="prediction interval level")
    f.add_argument("--region", dest="regions", action="append", help="only this region (repeat)")
    f.add_argument("--scenario-out", default=None, help="also write a scenario YAML")
    f.add_argument(
        "--scenario-base",
        default=None,
        help="request JSON or a day of the history to scale (default: the demo day)",
    )
    f.add_argument(
        "--scenario-demand",
        default="upper",
        help="mean, upper (the interval's upper bound) or a percentile p51 … p99",
    )
    f.set_defaults(func=cmd_forecast)

    add_import_parser(sub)
    add_scenario_parser(sub)

    s = sub.add_parser(
        "serve",
        help="serve the HTTP API (DATABASE_URL, default a SQLite file dispatch.sqlite here)",
    )
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    k = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)
    kc = k.add_parser("create", help="create a key and print it on stdout")
    kc.add_argument("--role", required=True, choices=["admin", "dispatcher", "planner"])
    kc.add_argument("--name", default="", type=key_name, help="who holds the key")
    kc.set_defaults(func=cmd_keys_create)
    k.add_parser("list", help="list keys (never their secrets)").set_defaults(func=cmd_keys_list)
    kr = k.add_parser("revoke", help="revoke a key by its id")
    kr.add_argument("id", type=int)
    kr.set_defaults(func=cmd_keys_revoke)

    u = sub.add_parser("users", help="manage the people who sign in in the browser")
    us = u.add_subparsers(dest="action", required=True)
    uc = us.add_parser("create", help="create a user (the password is asked for)")
    uc.add_argument("--name", required=True, help="the user name (case is ignored)")
    uc.add_argument("--role", required=True, choices=["admin", "dispatcher", "planner"])
    uc.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    uc.set_defaults(func=cmd_users_create)
    us.add_parser("list", help="list users (never their passwords)").set_defaults(
        func=cmd_users_list
    )
    ud = us.add_parser("disable", help="stop a user signing in and end their sessions")
    ud.add_argument("name")
    ud.set_defaults(func=cmd_users_disable)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DispatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
