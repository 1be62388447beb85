"""Cancelled jobs and the key that asked for each job; driver links without plain tokens.

Plan documents no longer carry driver links: the links stored in them are removed, and
the links whose tokens were stored there (readable by every role) are revoked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "succeeded", "failed")

_plans = sa.table("plans", sa.column("id", sa.Integer()), sa.column("document", sa.Text()))
_links = sa.table(
    "driver_links",
    sa.column("token_hash", sa.String()),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
)
_jobs = sa.table("plan_jobs", sa.column("status", sa.String()))


def _status_check(*values: str) -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_constraint(op.f("ck_plan_jobs_job_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_plan_jobs_job_status"), sa.column("status").in_(values)
        )


def upgrade() -> None:
    _status_check(*STATUSES, "cancelled")
    with op.batch_alter_table("plan_jobs") as batch:
        batch.add_column(sa.Column("key_id", sa.Integer(), nullable=True))
        batch.create_index("ix_plan_jobs_key_id_status", ["key_id", "status"])
    with op.batch_alter_table("driver_links") as batch:
        batch.add_column(sa.Column("token_seed", sa.String(64), nullable=True))
    _remove_links_from_plans()


def _remove_links_from_plans() -> None:
    connection = op.get_bind()
    exposed: list[str] = []
    for plan_id, document in connection.execute(sa.select(_plans.c.id, _plans.c.document)):
        plan = json.loads(document)
        routes = [r for r in plan.get("routes") or [] if isinstance(r, dict) and "driver_link" in r]
        if not routes:
            continue
        for route in routes:
            link = str(route.pop("driver_link") or "")
            token = link.rsplit("/", 1)[-1]
            exposed.append(hashlib.sha256(token.encode("utf-8")).hexdigest())
        connection.execute(
            _plans.update()
            .where(_plans.c.id == plan_id)
            .values(document=json.dumps(plan, ensure_ascii=False, separators=(",", ":")))
        )
    for start in range(0, len(exposed), 500):
        connection.execute(
            _links.update()
            .where(_links.c.token_hash.in_(exposed[start : start + 500]))
            .where(_links.c.revoked_at.is_(None))
            .values(revoked_at=sa.func.now())
        )


def downgrade() -> None:
    with op.batch_alter_table("driver_links") as batch:
        batch.drop_column("token_seed")
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_index("ix_plan_jobs_key_id_status")
        batch.drop_column("key_id")
    op.execute(_jobs.update().where(_jobs.c.status == "cancelled").values(status="failed"))
    _status_check(*STATUSES)
