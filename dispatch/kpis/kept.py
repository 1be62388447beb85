"""The plans' KPI frames in the store: written when a plan is kept, read back by the reports
instead of the plan's and its request's whole documents, and made from those documents for
plans stored without one (or with a frame of an older layout); and the days' counted facts,
kept under the fingerprint of what they were counted from."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.kpis.facts import DayFacts, day_document, day_from_document
from dispatch.kpis.frame import FRAME_FORMAT, DayFrame, frame_from_json, frame_of, frame_to_json
from dispatch.planning.plan import Plan
from dispatch.store.models import KpiDay, PlanJob, PlanKpiFrame, PlanRecord
from dispatch.store.plans import upgrade_document


def keep_frame(session: Session, plan_id: int, frame: DayFrame) -> None:
    """Store ``frame`` as the frame of plan ``plan_id`` (replacing any it had)."""
    session.merge(PlanKpiFrame(plan_id=plan_id, format=FRAME_FORMAT, frame=frame_to_json(frame)))


def kept_frames(session: Session, ids: Sequence[int]) -> dict[int, DayFrame]:
    """The stored frames of these plans that are in the current layout and readable, by
    plan id (any other is made again from the documents)."""
    rows = session.execute(
        select(PlanKpiFrame.plan_id, PlanKpiFrame.frame).where(
            PlanKpiFrame.plan_id.in_(ids), PlanKpiFrame.format == FRAME_FORMAT
        )
    )
    frames = {}
    for plan_id, text in rows:
        try:
            frames[plan_id] = frame_from_json(text, plan_id)
        except (KeyError, TypeError, ValueError):
            continue
    return frames


def frames_from_documents(session: Session, ids: Sequence[int]) -> dict[int, DayFrame]:
    """These plans' frames made from their stored plan and request documents, by plan id."""
    rows = session.execute(
        select(PlanRecord.id, PlanRecord.document, PlanJob.request)
        .join(PlanJob, PlanJob.id == PlanRecord.job_id)
        .where(PlanRecord.id.in_(ids))
    )
    frames = {}
    for plan_id, document, request in rows:
        plan, carried = _plan(document)
        frames[plan_id] = frame_of(plan, request, plan_id=plan_id, carried_over=carried)
    return frames


def _plan(document: str) -> tuple[Plan, list[str]]:
    """The stored plan typed, and the orders it carried over to a later day (a re-plan's
    field, read here whether or not the plan model knows it)."""
    if '"carried_over"' not in document:
        try:
            return Plan.model_validate_json(document), []
        except ValidationError:
            pass
    raw = upgrade_document(json.loads(document))
    carried = [str(c["order"]) for c in raw.pop("carried_over", None) or () if c.get("order")]
    return Plan.model_validate({k: v for k, v in raw.items() if k in Plan.model_fields}), carried


def keep_day(session: Session, day: date, fingerprint: str, facts: DayFacts) -> None:
    """Store the facts of ``day`` counted from what ``fingerprint`` names (replacing any)."""
    text = json.dumps(day_document(facts), ensure_ascii=False, separators=(",", ":"))
    session.merge(KpiDay(day=day, fingerprint=fingerprint, facts=text))


def kept_days(session: Session, fingerprints: Mapping[date, str]) -> dict[date, DayFacts]:
    """The stored facts of these days that were counted from what their fingerprint names."""
    rows = session.execute(
        select(KpiDay.day, KpiDay.fingerprint, KpiDay.facts).where(
            KpiDay.day.in_(list(fingerprints))
        )
    )
    days = {}
    for day, fingerprint, text in rows:
        if fingerprint != fingerprints[day]:
            continue
        try:
            days[day] = day_from_document(json.loads(text))
        except (KeyError, TypeError, ValueError):
            continue
    return days
