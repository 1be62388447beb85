"""Alembic environment: runs on the connection handed in by :meth:`dispatch.store.Store.migrate`."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from dispatch.store.db import database_url
from dispatch.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = os.environ.get("DATABASE_URL", "sqlite:///dispatch.sqlite")
    with create_engine(database_url(url)).begin() as conn:
        _run(conn)
