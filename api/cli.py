"""The ``dispatch`` command: plan a day, validate a plan, run the demo, serve the API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from dispatch.loading import RequestError, load_request, read_request
from dispatch.plan import Plan
from dispatch.request import Options, Request
from optimizer import Progress

if TYPE_CHECKING:
    from dispatch.store import Store


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


@contextmanager
def _progress(enabled: bool, limit: float) -> Iterator[Callable[[Progress], None] | None]:
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
        TextColumn("best cost {task.fields[best]}  ({task.fields[n]} improvements)"),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("solve", total=limit, best="–", n=0)

        def report(p: Progress) -> None:
            from dispatch.model import COST_SCALE

            bar.update(
                task,
                completed=min(p.elapsed_s, limit),
                best=f"{p.best_cost / COST_SCALE:,.0f}",
                n=p.solutions,
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
    from dispatch.day import plan_day
    from dispatch.validator import validate_plan

    limit = request.options.limit(time_limit)
    with _progress(sys.stderr.isatty(), limit) as report:
        plan = plan_day(request, time_limit_s=time_limit, on_progress=report)
    data = plan.model_dump(mode="json", exclude_none=True)
    _write_json(out, data)
    print(_summary(plan))
    print(f"plan written to {out}")
    if map_path is not None:
        from api.views.plan_map import write_plan_map

        write_plan_map(request, data, map_path)
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
    from dispatch.validator import validate_plan

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
    _write_json(request_path, doc)
    print(f"demo request written to {request_path}")
    return _solve(load_request(doc), out, args.time_limit, args.map)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.logs import logging_config
    from api.settings import Settings

    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_config=logging_config(settings.log_level),
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _key_store() -> Store:
    from api.settings import Settings
    from dispatch.store import Store

    store = Store(Settings().database_url)
    store.migrate()
    return store


def cmd_keys_create(args: argparse.Namespace) -> int:
    from dispatch.store import Role, audit, create_key

    store = _key_store()
    with store.write() as session:
        key, secret = create_key(session, Role(args.role), args.name)
        audit(session, "cli", "key.create", f"key:{key.id}", role=args.role)
    store.dispose()
    print(f"created {args.role} key {key.id}; it is not shown again", file=sys.stderr)
    print(secret)
    return 0


def _key_name(value: str) -> str:
    from dispatch.text import text_problem

    problem = text_problem(value, 100)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"the name {problem}")
    return value


def cmd_keys_list(args: argparse.Namespace) -> int:
    from dispatch.store import list_keys

    store = _key_store()
    with store.read() as session:
        for key in list_keys(session, limit=10_000, offset=0).items:
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "live"
            print(f"{key.id}\t{key.role.value}\t{state}\t{key.name}")
    store.dispose()
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from dispatch.store import NotFoundError, audit, revoke_key

    store = _key_store()
    try:
        with store.write() as session:
            revoke_key(session, args.id)
            audit(session, "cli", "key.revoke", f"key:{args.id}")
    except NotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(f"key {args.id} revoked")
    return 0


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise ValueError("the two passwords differ")
    return password


def cmd_users_create(args: argparse.Namespace) -> int:
    from dispatch.store import ConflictError, InvalidUserError, Role, audit, create_user
    from dispatch.store.models import utcnow

    try:
        password = _read_password(args.password_stdin)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store = _key_store()
    try:
        with store.write() as session:
            user = create_user(session, args.name, password, Role(args.role), now=utcnow())
            audit(session, "cli", "user.create", f"user:{user.id}", role=args.role)
            name = user.name
    except (InvalidUserError, ConflictError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(f"created {args.role} user {name}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from dispatch.store import list_users

    store = _key_store()
    with store.read() as session:
        for user in list_users(session, limit=10_000, offset=0).items:
            state = f"disabled {user.disabled_at:%Y-%m-%d %H:%M}" if user.disabled_at else "active"
            seen = f"{user.signed_in_at:%Y-%m-%d %H:%M}" if user.signed_in_at else "never"
            print(f"{user.name}\t{user.role.value}\t{state}\tlast sign-in {seen}")
    store.dispose()
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from dispatch.store import NotFoundError, audit, disable_user
    from dispatch.store.models import utcnow

    store = _key_store()
    try:
        with store.write() as session:
            user = disable_user(session, args.name, now=utcnow())
            audit(session, "cli", "user.disable", f"user:{user.id}")
            name = user.name
    except NotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(f"user {name} disabled; their sessions have ended")
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


def _day(text: str) -> str:
    """An ISO date (YYYY-MM-DD): the demo's day."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


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
    d.add_argument("--orders", type=_count, default=600)
    d.add_argument("--date", type=_day, default=None, help="the day planned (default: today)")
    d.add_argument("--out", default="out/demo-plan.json")
    d.add_argument("--time-limit", type=_seconds, default=None, help="seconds of search")
    d.add_argument("--map", type=Path, default=None)
    d.add_argument("--no-carriers", action="store_true", help="own fleet only")
    d.set_defaults(func=cmd_demo)

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
    kc.add_argument("--name", default="", type=_key_name, help="who holds the key")
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
    except RequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
