"""Scenario runs: submit a scenario set as a job, follow it, read its comparison and report."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from api.deps import Reader, ReadSession, SettingsDep, StoreDep, WriteSession
from api.headers import page_csp
from api.problems import job_problem, problem_responses
from api.quotas import check_time_limit
from dispatch.errors import FieldError, NotFoundError
from dispatch.store import Store, audit
from dispatch.store.scenario_runs import SUCCEEDED, create_run, get_run
from optimizer.executor import open_executor
from scenarios.jobs import plan_of, run_stored, without_plans
from scenarios.report import CHART_JS, HERE
from scenarios.spec import MAX_BYTES, ScenarioError, check_scenarios, parse_scenarios, plain_data

router = APIRouter(
    prefix="/scenarios", tags=["scenarios"], responses=problem_responses(400, 401, 403, 404, 422)
)
RunId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$", description="A scenario run's id")]
ASSETS = {
    "chart.umd.min.js": CHART_JS,
    "report.js": HERE / "report_assets" / "report.js",
    "report.css": HERE / "report_assets" / "report.css",
}
_EXAMPLE = {
    "name": "Double 11",
    "base": {"date": "2026-11-11"},
    "solve": {"time_limit_s": 5, "engine": "ortools", "seed": 0},
    "scenarios": [
        {"name": "expected", "likelihood": {"p": 0.9}, "changes": [{"demand": {"factor": 1.6}}]},
        {"name": "CAT down", "likelihood": {"p": 0.05}, "changes": [{"carrier_down": ["CAT"]}]},
    ],
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": _EXAMPLE},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}
_ACCEPTED = {"id": "0f3c2a9d8e7b4c1a9f6e5d4c3b2a1908", "status": "queued",
             "url": "/scenarios/0f3c2a9d8e7b4c1a9f6e5d4c3b2a1908"}  # fmt: skip
_RUN = {**_ACCEPTED, "name": "Double 11", "status": "running",
        "progress": {"baseline": {"state": "done", "total": 12154.2, "served_on_time": True},
                     "expected": {"state": "queued"}},
        "result": None, "error": None, "report": None}  # fmt: skip
WORKERS_ENV = "DISPATCH_SCENARIO_WORKERS"
"""Solves at once for a scenario run (default: the cores); Dask when a scheduler is set."""


def _workers() -> int | None:
    value = os.environ.get(WORKERS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _carry_out(store: Store, run_id: str) -> None:
    with open_executor(workers=_workers()) as executor:
        run_stored(store, run_id, executor, job_problem)


async def _document(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise ScenarioError([FieldError("body", "", f"over {MAX_BYTES:,} bytes")])
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain"):
        text = body.decode("utf-8", errors="replace")
        return {"text": text}
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ScenarioError([FieldError("body", "", f"not JSON: {exc}")]) from exc


@router.post(
    "",
    status_code=202,
    summary="Run a scenario set (a job)",
    openapi_extra=_BODY,
    responses={202: {"content": {"application/json": {"example": _ACCEPTED}}}},
)
async def submit_scenarios(
    request: Request, who: Reader, session: WriteSession, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    """The body is a scenario document (JSON, or YAML with a YAML content type) as described
    by ``scenarios/schema/scenario.schema.json``; its base is inline, a stored date or the
    demo day (never a file of the service). Answers 202 with the run's id.
    **Roles:** admin, dispatcher, planner."""
    doc = await _document(request)
    if isinstance(doc, dict) and set(doc) == {"text"}:
        spec = parse_scenarios(doc["text"], source="body")
        data = yaml.safe_load(doc["text"])
    else:
        spec = check_scenarios(doc, source="body")
        data = doc
    if "request" in spec.base:
        raise ScenarioError(
            [FieldError("body", "base.request", "the service opens no file: send base.inline")]
        )
    check_time_limit(who, settings, float(spec.solve.get("time_limit_s", 5.0)))
    run = create_run(session, name=spec.name, spec=plain_data(data), actor=who.actor)
    audit(session, who.actor, "scenario.submit", f"scenario_run:{run.id}", name=spec.name)
    session.commit()
    threading.Thread(target=_carry_out, args=(store, run.id), daemon=True).start()
    return JSONResponse(
        {"id": run.id, "status": run.status, "url": f"/scenarios/{run.id}"}, status_code=202
    )


@router.get(
    "/{run_id}",
    summary="A scenario run: progress, comparison, risk, sizing, promise",
    responses={200: {"content": {"application/json": {"example": _RUN}}}},
)
def read_run(run_id: RunId, who: Reader, session: ReadSession) -> dict[str, Any]:
    """The run's state, progress per case and, once done, its result without the plans.
    **Roles:** admin, dispatcher, planner."""
    run = get_run(session, run_id)
    return {
        "id": run.id,
        "name": run.name,
        "status": run.status,
        "progress": run.progress,
        "result": None if run.result is None else without_plans(run.result),
        "error": run.error,
        "created_by": run.created_by,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at and run.started_at.isoformat(),
        "finished_at": run.finished_at and run.finished_at.isoformat(),
        "report": f"/scenarios/{run.id}/report" if run.status == SUCCEEDED else None,
    }


@router.get(
    "/{run_id}/report",
    response_class=HTMLResponse,
    summary="The run's HTML report",
    responses={200: {"content": {"text/html": {"example": "<!doctype html>..."}}}},
)
def read_report(run_id: RunId, who: Reader, session: ReadSession) -> Response:
    """The report page (its scripts from this service only). **Roles:** admin, dispatcher,
    planner."""
    run = get_run(session, run_id)
    if run.report is None:
        raise NotFoundError("report of scenario run", run_id)
    return HTMLResponse(run.report, headers={"Content-Security-Policy": page_csp()})


@router.get(
    "/{run_id}/assets/{name}",
    summary="The report's chart library, script and style",
    response_class=FileResponse,
    responses={200: {"content": {"text/javascript": {"example": '"use strict";'}}}},
)
def read_asset(run_id: RunId, name: str, who: Reader) -> Response:
    """``chart.umd.min.js``, ``report.js`` or ``report.css``. **Roles:** admin, dispatcher,
    planner."""
    path = ASSETS.get(name)
    if path is None:
        raise NotFoundError("report asset", name)
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    return FileResponse(Path(path), media_type=kind)


@router.get(
    "/{run_id}/plans/{name}.json",
    summary="One case's plan",
    responses={200: {"content": {"application/json": {"example": {"status": "complete"}}}}},
)
def read_plan(run_id: RunId, name: str, who: Reader, session: ReadSession) -> dict[str, Any]:
    """The plan of one case, by its file name in the report. **Roles:** admin, dispatcher,
    planner."""
    run = get_run(session, run_id)
    plan = None if run.result is None else plan_of(run.result, name)
    if plan is None:
        raise NotFoundError("plan of scenario run", f"{run_id}/{name}")
    return plan
