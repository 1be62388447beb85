"""Solve the baseline and every scenario side by side through the one executor.

A case is a name and a request document; :func:`solve_case` is the task the executor
runs (in this process, a process pool or on Dask) and returns plain JSON: the plan, its
figures and the validator's verdict, so that every plan a run keeps has been checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dispatch.errors import FieldError, InputError
from dispatch.planning.day import plan_request
from dispatch.planning.validator import validate_plan
from optimizer.executor import Executor, Handle, open_executor
from scenarios.base import StoredDay, base_request
from scenarios.changes import apply_changes
from scenarios.figures import figures
from scenarios.spec import ScenarioSet

Json = dict[str, Any]
Progress = Callable[[str, str, Json], None]
"""Told ``(case, state, detail)``: state ``queued``, ``done`` or ``failed``."""
BASELINE = "baseline"
DEFAULT_SOLVE: Json = {"time_limit_s": 5.0, "engine": "ortools", "seed": 0}


@dataclass(frozen=True, slots=True)
class Case:
    """One day to solve: its name, request, orders moved to the day before and fees."""

    name: str
    request: Json
    moved: int = 0
    fees: float = 0.0
    scenario: str = ""
    contingency: str = ""


def solve_options(spec: ScenarioSet) -> Json:
    """How every case of ``spec`` is solved (the file's ``solve`` over the defaults)."""
    return {**DEFAULT_SOLVE, **spec.solve}


def with_options(request: Json, solve: Json) -> Json:
    """``request`` with the engine, seed and time limit of ``solve``."""
    options = {**(request.get("options") or {})}
    for key in ("engine", "seed", "time_limit_s"):
        if key in solve:
            options[key] = solve[key]
    return {**request, "options": options}


class CaseError(InputError):
    """A case's request that cannot be planned, its errors named by the case."""

    subject = "a scenario's request"


def solve_case(case: Case, solve: Json, moved_price: float = 0.0) -> Json:
    """Plan ``case`` and check the plan with the validator (a task for the executor)."""
    started = time.perf_counter()
    try:
        planned = plan_request(
            with_options(case.request, solve),
            time_limit_s=solve.get("time_limit_s"),
            iterations=solve.get("iterations"),
        )
    except InputError as error:
        raise CaseError(
            [FieldError(f"{case.name}: {e.record}", e.field, e.message, e.record_id)
             for e in error.errors]
        ) from None  # fmt: skip
    document = planned.plan.document()
    violations = validate_plan(planned.request, document)
    found = figures(
        planned.request,
        planned.plan,
        seconds=time.perf_counter() - started,
        violations=len(violations),
        moved=case.moved,
        moved_price=moved_price,
        fees=case.fees,
    )
    return {
        "name": case.name,
        "scenario": case.scenario,
        "contingency": case.contingency,
        "figures": found.as_json(),
        "violations": [str(v) for v in violations[:20]],
        "plan": document,
    }


def cases(spec: ScenarioSet, base: Json) -> list[Case]:
    """The scenarios of ``spec`` and each scenario with each contingency, as cases."""
    out = []
    for scenario in spec.scenarios:
        applied = apply_changes(base, scenario.changes, where=scenario.name)
        out.append(Case(scenario.name, applied.request, applied.moved, scenario=scenario.name))
        for c in spec.contingencies:
            both = apply_changes(applied.request, c.changes, where=f"{scenario.name} + {c.name}")
            out.append(
                Case(
                    f"{scenario.name} + {c.name}",
                    both.request,
                    applied.moved + both.moved,
                    c.fee,
                    scenario=scenario.name,
                    contingency=c.name,
                )
            )
    return out


def run_cases(
    executor: Executor,
    todo: Sequence[Case],
    solve: Json,
    *,
    moved_price: float = 0.0,
    on_progress: Progress | None = None,
) -> list[Json]:
    """Every case solved on ``executor``, results in the order given; progress as each ends."""
    handles: list[Handle[Json]] = []
    for case in todo:
        handles.append(executor.submit(solve_case, case, solve, moved_price))
        if on_progress:
            on_progress(case.name, "queued", {})
    results: list[Json | None] = [None] * len(todo)
    waiting = set(range(len(todo)))
    while waiting:
        for k in sorted(waiting):
            if not handles[k].done():
                continue
            waiting.discard(k)
            results[k] = handles[k].result()
            if on_progress:
                on_progress(todo[k].name, "done", results[k]["figures"])  # type: ignore[index]
        if waiting:
            time.sleep(0.05)
    return [r for r in results if r is not None]


def price_moved(found: Json, price: float) -> None:
    """Charge the orders a case moved to the day before at ``price`` each (into its total)."""
    found["moved_cost"] = round(found["moved"] * price, 2)
    found["total"] = round(found["total"] + found["moved_cost"], 2)


def run_set(
    spec: ScenarioSet,
    *,
    stored: StoredDay | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    on_progress: Progress | None = None,
) -> Json:
    """The baseline, then every scenario (and contingency) side by side: all results as JSON."""
    base = base_request(spec, stored)
    solve = solve_options(spec)
    if executor is None:
        with open_executor(workers=workers) as opened:
            return run_set(spec, stored=stored, executor=opened, on_progress=on_progress)
    todo = [Case(BASELINE, base), *cases(spec, base)]
    baseline, *results = run_cases(executor, todo, solve, on_progress=on_progress)
    price = float(baseline["figures"]["cost_per_order"])
    for result in results:
        price_moved(result["figures"], price)
    return {
        "name": spec.name,
        "description": spec.description,
        "solve": solve,
        "executor": executor.kind,
        "baseline": baseline,
        "scenarios": [r for r in results if not r["contingency"]],
        "contingencies": [r for r in results if r["contingency"]],
        "likelihood": {s.name: {"p": s.likelihood, "per": s.per} for s in spec.scenarios},
        "fees": {c.name: c.fee for c in spec.contingencies},
    }
