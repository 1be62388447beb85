"""The re-plan as a stored job: the request is checked and stored with the job (nothing else
is stored when it is refused), and the worker computes the state from the stored events of
every version of the day, re-plans, checks the result with the validator and keeps it as the
next version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import DispatchError
from dispatch.intake.loading import load_request
from dispatch.intake.request import Request
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_replan
from dispatch.replan.replan import effective_request, replan
from dispatch.replan.spec import ReplanSpec, check_spec, read_spec
from dispatch.replan.state import DayState, day_state
from dispatch.store import (
    Store,
    carrier_events,
    get_plan,
    load_plan,
    load_rules,
    plan_versions,
    road_events,
)

REPLAN_KEY = "replan"
"""The key of a job's request document that holds the re-plan (the plan id and the body);
request readers ignore it."""


class ReplanInvalidError(DispatchError):
    """The re-plan broke a rule of the validator (a defect: the job fails, nothing is kept)."""


def replan_document(
    session: Session, plan_id: int, body: Mapping[str, Any], *, max_orders: int | None = None
) -> tuple[dict[str, Any], Request]:
    """The job document for re-planning ``plan_id`` with ``body``, and its request;
    RequestError (422) naming each unknown vehicle, order or carrier or a bad time."""
    spec = read_spec(body)
    record = get_plan(session, plan_id)
    previous = {k: v for k, v in record.job.request.items() if k != REPLAN_KEY}
    request = load_request(previous)
    check_spec(spec, request, [o.id for o in request.orders])
    document = effective_request(previous, spec)
    new_request = load_request(document, max_orders=max_orders)
    replan_body = {"plan_id": plan_id, **spec.model_dump(mode="json")}
    return {**document, REPLAN_KEY: replan_body}, new_request


def is_replan(document: Mapping[str, Any]) -> bool:
    return isinstance(document.get(REPLAN_KEY), Mapping)


def job_state(
    session: Session, document: Mapping[str, Any]
) -> tuple[Request, Plan, DayState, ReplanSpec, int]:
    """What a re-plan job starts from: the request, the plan re-planned, its state, the spec."""
    body = dict(document[REPLAN_KEY])
    plan_id = int(body.pop("plan_id"))
    spec = ReplanSpec.model_validate(body)
    plan = load_plan(session, plan_id)
    request = load_request({k: v for k, v in document.items() if k != REPLAN_KEY})
    events: dict[tuple[str, str], Any] = {}
    for version in plan_versions(session, plan_id):
        for _, e in road_events(session, version.id):
            events.setdefault((e.vehicle, e.event_id), e)
        if version.id == plan_id:
            break
    state = day_state(plan, request, events.values(), carrier_events(session, request.date), spec)
    return request, plan, state, spec, plan_id


def run_replan(store: Store, document: Mapping[str, Any]) -> Plan:
    """The new version; ReplanInvalidError when the validator finds it breaks a rule."""
    with store.read() as session:
        request, plan, state, spec, plan_id = job_state(session, document)
        rules = load_rules(session)
    new = replan(
        request, plan, state, spec, previous_plan_id=plan_id,
        compensation=rules.notices.compensation,
    )  # fmt: skip
    violations = validate_replan(request, state.document(), new.document())
    if violations:
        listed = "; ".join(str(v) for v in violations[:5])
        raise ReplanInvalidError(f"the re-plan breaks {len(violations)} rule(s): {listed}")
    return new
