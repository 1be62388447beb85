"""Corrections and cancellations of stored orders: checked like an import, audited, kept out
of later plans when cancelled, and flagged for a re-plan when a current plan holds them."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from api.problems import job_problem
from dispatch.errors import ConflictError, NotFoundError
from dispatch.intake.corrections import (
    OrderCorrectionError,
    cancel_order,
    correct_order,
    order_history,
)
from dispatch.intake.imports import import_orders, read_json_orders
from dispatch.intake.loading import load_request
from dispatch.planning.stored_job import run_planning_job, stored_request
from dispatch.planning.validator import validate_plan
from dispatch.store import (
    JobSource,
    Store,
    create_job,
    get_job,
    load_network,
    plan_document,
    replace_network,
    validate_network,
)
from tests.api.routes.test_plans import SCENARIO

DAY = date(2026, 11, 11)
NOW = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def day(store: Store) -> Store:
    """The scenario's network stored, and its seven orders imported for DAY."""
    network = {k: v for k, v in copy.deepcopy(SCENARIO).items() if k not in ("orders", "date")}
    with store.write() as session:
        replace_network(session, validate_network(network))
        read = read_json_orders(copy.deepcopy(SCENARIO["orders"]), default_date=DAY)
        points = load_network(session)["pickup_points"]
        import_orders(session, read, points=points, actor="test")
    return store


def _plan(store: Store) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """Plan DAY's stored orders as a job does; the plan id, the request and the plan."""
    with store.write() as session:
        request = stored_request(session, DAY, options={"time_limit_s": 1, "engine": "ortools"})
        job = create_job(
            session, request=request, plan_date=DAY, source=JobSource.STORED, time_limit_s=1,
            actor="test",
        )  # fmt: skip
        job_id = job.id
    assert run_planning_job(store, job_id, describe=job_problem).status == "succeeded"
    with store.read() as session:
        plan = get_job(session, job_id).plan
        assert plan is not None
        document = json.loads(plan_document(session, plan.id))
    assert validate_plan(load_request(request), document) == []
    return plan.id, request, document


def _correct(store: Store, order_id: str, record: dict[str, Any]) -> Any:
    with store.write() as session:
        points = load_network(session)["pickup_points"]
        return correct_order(
            session, order_id, record, points=points, travel=None, actor="mei", now=NOW
        )


def test_a_correction_is_checked_stored_and_audited(day: Store) -> None:
    """A new quantity is stored with updated_at and an audit entry naming the field."""
    record = copy.deepcopy(SCENARIO["orders"][0])
    record["items"][0]["qty"] = 5
    change = _correct(day, "S-0", record)
    assert (change.replan_needed, change.plan_ids) == (False, ())
    with day.read() as session:
        history = order_history(session, "S-0")
        assert history.order.data["items"][0]["qty"] == 5
        assert history.order.updated_at == NOW
        assert [(e.action, e.actor, e.detail["fields"]) for e in history.entries] == [
            ("orders.correct", "mei", ["items"])
        ]


def test_a_bad_correction_names_the_field_and_changes_nothing(day: Store) -> None:
    """Same checks as an import: a bad quantity or pickup point is named; nothing changes."""
    record = copy.deepcopy(SCENARIO["orders"][0])
    record["items"][0]["qty"] = "lots"
    record["pickup_point"] = "PP-404"
    record["id"] = "S-99"
    with pytest.raises(OrderCorrectionError) as caught:
        _correct(day, "S-0", record)
    assert sorted(str(e) for e in caught.value.errors) == [
        "order (id S-0): id: cannot change (it is 'S-0')",
        "order (id S-0): items[0].qty: Input should be a valid integer, unable to parse string "
        "as an integer",
    ]
    with day.read() as session:
        history = order_history(session, "S-0")
    assert (history.order.data["items"][0]["qty"], history.entries) == (2, ())
    with pytest.raises(NotFoundError):
        _correct(day, "S-404", record)


@pytest.mark.slow
def test_a_cancelled_order_is_kept_never_planned_and_flags_its_plan(day: Store) -> None:
    """Cancelling a planned order says which plan needs a re-plan; the re-plan leaves it out."""
    plan_id, _, first = _plan(day)
    planned = {o for r in first["routes"] for s in r["stops"] for o in s["orders"]}
    assert "S-3" in planned
    with day.write() as session:
        change = cancel_order(session, "S-3", actor="mei", now=NOW)
        again = cancel_order(session, "S-3", actor="mei", now=NOW)
    assert (change.replan_needed, change.plan_ids, again.plan_ids) == (True, (plan_id,), (plan_id,))
    with day.read() as session:
        history = order_history(session, "S-3")
    assert history.order.status == "cancelled"
    assert [(e.action, e.detail["plans"]) for e in history.entries] == [
        ("orders.cancel", [plan_id])
    ]
    _, request, second = _plan(day)
    assert "S-3" not in {o["id"] for o in request["orders"]}
    assert len(request["orders"]) == 6
    kept = {o for r in second["routes"] for s in r["stops"] for o in s["orders"]}
    assert "S-3" not in kept | {u["order"] for u in second["unserved"]}
    with pytest.raises(ConflictError):
        _correct(day, "S-3", copy.deepcopy(SCENARIO["orders"][3]))
