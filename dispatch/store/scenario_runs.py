"""Scenario runs: a planner's scenario set queued, running with progress per case, then
succeeded with its comparison and report, or failed with a problem detail."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.store.models import Json, ScenarioRun, utcnow
from dispatch.text import printable

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


def create_run(session: Session, *, name: str, spec: Json, actor: str) -> ScenarioRun:
    """A queued run of the scenario document ``spec``."""
    run = ScenarioRun(
        id=uuid.uuid4().hex,
        status=QUEUED,
        name=printable(name, 200),
        spec=spec,
        progress={},
        created_by=actor,
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: str) -> ScenarioRun:
    """The run ``run_id``; NotFoundError when there is none."""
    run = session.get(ScenarioRun, run_id)
    if run is None:
        raise NotFoundError("scenario run", run_id)
    return run


def start_run(session: Session, run_id: str) -> None:
    run = get_run(session, run_id)
    run.status = RUNNING
    run.started_at = utcnow()


def report_case(session: Session, run_id: str, case: str, state: str, figures: Json) -> None:
    """Record one case's state (and its total when done) in the run's progress."""
    run = get_run(session, run_id)
    entry: dict[str, Any] = {"state": state}
    if "total" in figures:
        entry["total"] = figures["total"]
        entry["served_on_time"] = figures.get("served_on_time")
    run.progress = {**run.progress, case: entry}


def finish_run(session: Session, run_id: str, result: Json, report: str) -> None:
    run = get_run(session, run_id)
    run.status = SUCCEEDED
    run.result = result
    run.report = report
    run.finished_at = utcnow()


def fail_run(session: Session, run_id: str, error: Json) -> None:
    run = get_run(session, run_id)
    run.status = FAILED
    run.error = error
    run.finished_at = utcnow()
