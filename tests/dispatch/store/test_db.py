"""The database: migrations, pragmas, URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from dispatch.store import Store, database_url, plan_document, resolve_driver_link
from dispatch.store.models import Base
from dispatch.store.tokens import token_hash


def test_migrations_create_the_models_schema(store: Store) -> None:
    """The packaged migrations build exactly the tables, columns and types of the models."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_a_no_op(store: Store) -> None:
    """Start-up may run the migrations on a database that is already current."""
    store.migrate()
    with store.read() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == "0004"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    """The SQLite file uses write-ahead logging and enforces foreign keys."""
    store = Store(f"sqlite:///{tmp_path}/x.sqlite")
    with store.read() as session:
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
    store.dispose()


def test_postgres_urls_use_psycopg_3() -> None:
    """Plain PostgreSQL URLs are pinned to the psycopg 3 driver."""
    for url in ("postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"):
        assert database_url(url).drivername == "postgresql+psycopg"
    assert database_url("sqlite:///x.sqlite").drivername == "sqlite"


def test_upgrade_takes_driver_links_out_of_stored_plans(store: Store) -> None:
    """Plans stored with a ``driver_link`` per route lose it, and those links (whose tokens
    every role could read) are revoked; other links stay live. Downgrading works too."""
    store.downgrade("0001")
    exposed, kept = "exposed-token", "kept-token"
    plan = {"routes": [{"vehicle": "VAN#1", "stops": [], "driver_link": f"/d/{exposed}"}]}
    now = datetime.now(UTC)
    later = now + timedelta(days=1)
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO plan_jobs (id, status, source, plan_date, request, time_limit_s,"
            " created_at, created_by, solutions) VALUES ('j1', 'succeeded', 'request',"
            " '2026-11-11', '{}', 5, :now, 'test', 0)"), {"now": now})  # fmt: skip
        conn.execute(text(
            "INSERT INTO plans (id, job_id, plan_date, status, total_cost, orders, unserved,"
            " vehicles_used, created_at, document) VALUES (1, 'j1', '2026-11-11', 'complete',"
            " 1, 0, 0, 1, :now, :doc)"), {"now": now, "doc": json.dumps(plan)})  # fmt: skip
        conn.execute(text(
            "INSERT INTO plan_routes (id, plan_id, position, vehicle, depot, start_minute,"
            " end_minute, distance_km) VALUES (1, 1, 0, 'VAN#1', 'DC', 0, 1, 0)"))  # fmt: skip
        for k, token in enumerate((exposed, kept), start=1):
            conn.execute(text(
                "INSERT INTO driver_links (id, token_hash, plan_id, route_id, vehicle, created_at,"
                " expires_at) VALUES (:id, :hash, 1, 1, 'VAN#1', :now, :later)"),
                {"id": k, "hash": token_hash(token), "now": now, "later": later})  # fmt: skip
    store.migrate()
    with store.read() as session:
        document = json.loads(plan_document(session, 1))
        assert document == {"routes": [{"vehicle": "VAN#1", "stops": []}]}
        assert resolve_driver_link(session, exposed) is None
        assert resolve_driver_link(session, kept) == (1, "VAN#1")
    store.downgrade("0001")
    store.migrate()
