"""The ``dispatch import`` command: a platform's file of orders into the configured database,
every rejected row named by row and field, exit code 1 when any row is rejected."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from dispatch.errors import InputError
from dispatch.intake.imports import ImportOutcome, ImportRejectedError, import_orders, read_orders


def cmd_import(args: argparse.Namespace) -> int:
    from api.settings import Settings
    from dispatch.store import Store, audit, load_network

    path = Path(args.file)
    content = path.read_bytes()
    settings = Settings()
    default_date = date.fromisoformat(args.date) if args.date else None
    try:
        read = read_orders(
            content, filename=path.name, mapping=args.platform, default_date=default_date,
            limits=settings.import_limits,
        )  # fmt: skip
    except InputError as exc:
        return _refused(path, exc)
    store = Store(settings.database_url)
    store.migrate()
    try:
        with store.write() as session:
            network = load_network(session)
            report = import_orders(
                session, read, points=network["pickup_points"], travel=network.get("travel"),
                actor="cli", filename=path.name, keep_valid=args.keep_valid,
                preview=args.preview,
            )  # fmt: skip
            if not (report.already_imported or report.preview):
                audit(
                    session, "cli", "orders.import", f"batch:{report.batch_id}",
                    stored=report.stored, duplicates=len(report.duplicates),
                    errors=len(report.errors),
                )  # fmt: skip
    except ImportRejectedError as exc:
        _print_report(path, exc.report, stored_nothing=True)
        return 1
    finally:
        store.dispose()
    _print_report(path, report)
    return 1 if report.errors else 0


def _refused(path: Path, exc: InputError) -> int:
    print(f"{path}: refused, nothing was stored", file=sys.stderr)
    for error in exc.errors:
        print(f"  {error}", file=sys.stderr)
    return 1


def _print_report(path: Path, report: ImportOutcome, *, stored_nothing: bool = False) -> None:
    where = f"{path} ({report.format}, {report.mapping} columns, {report.rows} rows)"
    if stored_nothing:
        print(f"{where}: {len(report.errors)} rejected row(s); nothing was stored")
    elif report.preview:
        print(f"{where}: preview, nothing stored; the import would store {report.stored} order(s)")
        for order in report.orders or []:
            items = sum(int(i.get("qty", 0)) for i in order.get("items", []))
            where_to = order.get("pickup_point") or order.get("address") or "-"
            print(f"  {order['id']}  {order['date']}  {where_to}  {items} item(s)")
    elif report.already_imported:
        print(f"{where}: imported before as batch {report.batch_id}; nothing more stored")
    else:
        print(f"{where}: stored {report.stored} order(s) as batch {report.batch_id}")
    for duplicate in report.duplicates:
        print(f"  duplicate {duplicate.record} (id {duplicate.order_id}): {duplicate.reason}")
    for error in report.errors:
        print(f"  rejected {error}", file=sys.stderr)
    if report.ignored_columns:
        print(f"  ignored columns: {', '.join(report.ignored_columns)}")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from dispatch.intake.imports import MAPPINGS

    i = sub.add_parser(
        "import",
        help="import a platform's orders file (CSV, XLSX or JSON) into the database",
        description="Columns per platform: docs/imports.md",
    )
    i.add_argument("file", help="CSV (UTF-8 or Big5), XLSX or JSON orders")
    i.add_argument("--platform", choices=sorted(MAPPINGS), default=None,
                   help="the file's columns (told by its header row when omitted)")  # fmt: skip
    i.add_argument("--date", type=_day, default=None, help="delivery date of rows that give none")
    i.add_argument("--preview", action="store_true", help="store nothing; say what would be stored")
    i.add_argument("--keep-valid", action="store_true", help="store the valid orders anyway")
    i.set_defaults(func=cmd_import)


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
