"""The database: engine, sessions and migrations, built from a URL (no module-level engine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from threading import RLock
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = "dispatch.store:migrations"


def database_url(url: str) -> URL:
    """The URL with PostgreSQL pinned to psycopg 3 (``postgres://`` and ``postgresql://`` too)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and explicit BEGINs (IMMEDIATE for writes)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """One database: ``read()`` and ``write()`` give a session inside one transaction."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = database_url(url)
        kwargs: dict[str, Any] = {}
        if self.url.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if self.url.database in (None, "", ":memory:"):
                raise ValueError("use a SQLite file: an in-memory database is not shared")
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine = create_engine(self.url, **kwargs)
        if self.url.get_backend_name() == "sqlite":
            _sqlite_pragmas(self.engine)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(
            self.engine.execution_options(write=True), expire_on_commit=False
        )
        self._write_turn = RLock() if self.backend == "sqlite" else None
        """SQLite takes one writer at a time: this process's writers queue here, each woken
        as soon as the one before commits, rather than in SQLite's busy-wait sleeps."""

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; its transaction is rolled back when it closes."""
        with self._reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits at the end, or rolls back on an exception."""
        with self._write_turn or nullcontext(), self._writes() as session, session.begin():
            yield session

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` with the packaged Alembic migrations."""
        self._migrations(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Take the schema back down to ``revision``."""
        self._migrations(command.downgrade, revision)

    def _migrations(self, action: Callable[[Config, str], None], revision: str) -> None:
        """Run ``action`` in one transaction. On SQLite, foreign keys are off meanwhile (a
        migration there may rebuild a table other tables refer to) and checked at the end."""
        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        sqlite = self.backend == "sqlite"
        with self.engine.connect() as connection:
            driver: Any = connection.connection.driver_connection
            if sqlite:
                driver.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    action(config, revision)
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise RuntimeError("the migration left rows with broken foreign keys")
            finally:
                if sqlite:
                    driver.execute("PRAGMA foreign_keys=ON")

    def dispose(self) -> None:
        self.engine.dispose()
