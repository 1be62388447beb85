"""The planning use case: a stored job is planned and kept with its links, or failed with
the problem its error maps to; a date's stored orders make a request."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from api.problems import job_problem
from dispatch.errors import RequestError
from dispatch.intake.loading import load_request
from dispatch.kpis.kept import frames_from_documents, kept_frames
from dispatch.planning.stored_job import run_planning_job, stored_request
from dispatch.planning.validator import validate_plan
from dispatch.store import JobSource, Store, create_job, get_job, list_audit, load_plan
from tests.api.routes.test_plans import SCENARIO


def _job(store: Store, request: dict[str, Any]) -> str:
    with store.write() as session:
        job = create_job(
            session, request=request, plan_date=date(2026, 11, 11), source=JobSource.REQUEST,
            time_limit_s=1, actor="test",
        )  # fmt: skip
        return job.id


def test_a_job_is_planned_and_kept_with_its_links(store: Store) -> None:
    """The plan is stored typed, the job succeeds with the plan's cost, the audit says so."""
    request = {**copy.deepcopy(SCENARIO), "options": {"time_limit_s": 1, "engine": "ortools"}}
    job_id = _job(store, request)
    outcome = run_planning_job(store, job_id, describe=job_problem, progress_interval_s=0)
    assert outcome.status == "succeeded"
    with store.read() as session:
        job = get_job(session, job_id)
        assert job.plan is not None
        plan = load_plan(session, job.plan.id)
        assert job.best_cost == plan.objective.total
        assert plan.kpis.orders == 7
        actions = [entry.action for entry in list_audit(session, limit=10, offset=0).items]
    assert "plan.create" in actions


def test_a_job_its_engine_cannot_plan_fails_with_that_message(store: Store) -> None:
    """A stored request the engine cannot express (past the check at POST /plans) ends the
    job failed with the 422 problem naming ``options.engine``, not a 500."""
    request = copy.deepcopy(SCENARIO)
    request["options"] = {"time_limit_s": 1, "engine": "pyvrp"}
    request["policy"] = {"late_penalty_per_minute": 5, "max_late_minutes": 30}
    job_id = _job(store, request)
    assert run_planning_job(store, job_id, describe=job_problem).status == "failed"
    with store.read() as session:
        error = get_job(session, job_id).error
    assert error is not None
    assert (error["status"], error["type"]) == (422, "/problems/unsupported-option")
    assert [e["field"] for e in error["errors"]] == ["options.engine"]


def test_a_date_without_orders_is_a_request_error(store: Store) -> None:
    """No order stored for the day: the request cannot be made, naming ``date``."""
    with store.read() as session, pytest.raises(RequestError) as caught:
        stored_request(session, date(2026, 11, 11))
    assert [e.field for e in caught.value.errors] == ["date"]


def test_a_kept_plan_has_its_kpi_frame_beside_it(store: Store) -> None:
    """The frame kept with the plan is the one its stored documents give."""
    request = {**copy.deepcopy(SCENARIO), "options": {"time_limit_s": 1, "engine": "ortools"}}
    job_id = _job(store, request)
    assert run_planning_job(store, job_id, describe=job_problem).status == "succeeded"
    with store.read() as session:
        plan_id = get_job(session, job_id).plan.id  # type: ignore[union-attr]
        assert validate_plan(load_request(request), load_plan(session, plan_id).document()) == []
        kept = kept_frames(session, [plan_id])
        assert kept == frames_from_documents(session, [plan_id])
    assert sum(len(s.orders) for r in kept[plan_id].routes for s in r.stops) > 0
