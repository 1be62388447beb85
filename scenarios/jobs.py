"""A stored scenario run carried out: the study solved, its result and report kept in the store."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dispatch.errors import DispatchError
from dispatch.planning.stored_job import stored_request
from dispatch.store import Store
from dispatch.store.scenario_runs import fail_run, finish_run, get_run, report_case, start_run
from optimizer.executor import Executor
from scenarios.spec import check_scenarios
from scenarios.study import study

Json = dict[str, Any]
Problem = Callable[[Exception], Json]
"""Turns an error into the problem detail a failed run keeps."""


def run_stored(store: Store, run_id: str, executor: Executor, problem: Problem) -> None:
    """Carry out run ``run_id``: every case solved on ``executor``, progress kept as it goes."""
    with store.write() as session:
        start_run(session, run_id)
        spec_doc = get_run(session, run_id).spec

    def stored(day: Any) -> Json:
        with store.read() as session:
            return stored_request(session, day)

    def progress(case: str, state: str, figures: Json) -> None:
        with store.write() as session:
            report_case(session, run_id, case, state, figures)

    try:
        spec = check_scenarios(spec_doc, source="scenario")
        with tempfile.TemporaryDirectory(prefix="scenario-run-") as folder:
            result = study(spec, folder, stored=stored, executor=executor, on_progress=progress)
            report = Path(folder, "report.html").read_text(encoding="utf-8")
    except (DispatchError, ValueError, OSError) as error:
        with store.write() as session:
            fail_run(session, run_id, problem(error))
        return
    kept = {key: value for key, value in result.items() if key != "report"}
    with store.write() as session:
        finish_run(session, run_id, kept, report)


def without_plans(result: Json) -> Json:
    """A run's result without the plan documents (they are fetched one by one)."""
    out = dict(result)
    for key in ("scenarios", "contingencies"):
        out[key] = [_no_plan(c) for c in result.get(key, [])]
    if "baseline" in result:
        out["baseline"] = _no_plan(result["baseline"])
    return out


def plan_of(result: Json, name: str) -> Json | None:
    """The plan of the case whose file name (``slug``) is ``name``."""
    from scenarios.report import all_cases, slug

    return next((c["plan"] for c in all_cases(result) if slug(c["name"]) == name), None)


def _no_plan(case: Json) -> Json:
    return {k: v for k, v in case.items() if k != "plan"}
