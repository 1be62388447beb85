"""A planner's study of one scenario file: the side-by-side run, the fleet sizing and the
promised multiples, written as one report folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.executor import Executor, open_executor
from scenarios.base import StoredDay, base_request
from scenarios.changes import apply_changes
from scenarios.promise import promise
from scenarios.report import MapWriter, write_outputs
from scenarios.runner import BASELINE, Progress, run_set
from scenarios.sizing import size_fleet
from scenarios.spec import ScenarioSet

Json = dict[str, Any]
Say = Callable[[str], None]


def scenario_day(spec: ScenarioSet, base: Json, name: str | None) -> Json:
    """The request of scenario ``name`` (the base for None or ``baseline``)."""
    if name is None or name == BASELINE:
        return base
    scenario = spec.scenario(name)
    return apply_changes(base, scenario.changes, where=name).request


def costliest(result: Json) -> str:
    """The scenario of a run with the highest total cost."""
    return str(max(result["scenarios"], key=lambda c: c["figures"]["total"])["name"])


def study(
    spec: ScenarioSet,
    out: str | Path | None = None,
    *,
    stored: StoredDay | None = None,
    size: bool = True,
    promised: bool = True,
    workers: int | None = None,
    executor: Executor | None = None,
    on_progress: Progress | None = None,
    say: Say | None = None,
    map_writer: MapWriter | None = None,
) -> Json:
    """Run ``spec`` (with sizing when it has an offer, promises when it asks) into ``out``."""
    if executor is None:
        with open_executor(workers=workers) as opened:
            return study(
                spec, out, stored=stored, size=size, promised=promised, executor=opened,
                on_progress=on_progress, say=say, map_writer=map_writer,
            )  # fmt: skip
    tell = say or (lambda _: None)
    base = base_request(spec, stored)
    result = run_set(spec, stored=lambda _: base, executor=executor, on_progress=on_progress)
    if size and spec.offer:
        name = spec.offer.get("scenario") or costliest(result)
        tell(f"sizing the fleet for {name}")
        sizing = size_fleet(spec, scenario_day(spec, base, name), executor=executor)
        result["sizing"] = {"scenario": name, **_without_plans(sizing)}
        tell(f"fleet sizing ({name}): {sizing['answer']}")
    if promised and spec.promise:
        name = spec.promise.get("scenario")
        tell(f"searching the promised multiples on {name or BASELINE}")
        found = promise(spec, scenario_day(spec, base, name), executor=executor)
        result["promise"] = {"scenario": name or BASELINE, **found}
    if out is not None:
        requests = case_requests(spec, base) if map_writer is not None else None
        result["report"] = str(write_outputs(result, out, requests=requests, map_writer=map_writer))
    return result


def _without_plans(sizing: Json) -> Json:
    curve = [{k: v for k, v in p.items() if k != "plan"} for p in sizing["curve"]]
    best = sizing["best"] and {k: v for k, v in sizing["best"].items() if k != "plan"}
    return {**sizing, "curve": curve, "best": best}


def case_requests(spec: ScenarioSet, base: Json) -> dict[str, Json]:
    """The request of every case of a run (baseline, scenarios, with contingencies), by name."""
    found = {BASELINE: base}
    for s in spec.scenarios:
        day = scenario_day(spec, base, s.name)
        found[s.name] = day
        for c in spec.contingencies:
            found[f"{s.name} + {c.name}"] = apply_changes(day, c.changes).request
    return found
