"""The database: migrations, pragmas, URLs."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from dispatch.store import Store, database_url
from dispatch.store.models import Base


def test_migrations_create_the_models_schema(store: Store) -> None:
    """The packaged migrations build exactly the tables, columns and types of the models."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_a_no_op(store: Store) -> None:
    """Start-up may run the migrations on a database that is already current."""
    store.migrate()
    with store.read() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == "0002"


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
