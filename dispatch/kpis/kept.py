"""The plans' KPI frames in the store: written when a plan is kept, read back by the reports
instead of the plan's and its request's whole documents, and made from those documents for
plans stored without one (or with a frame of an older layout)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.kpis.frame import FRAME_FORMAT, DayFrame, frame_from_json, frame_of, frame_to_json
from dispatch.planning.plan import Plan
from dispatch.store.models import PlanJob, PlanKpiFrame, PlanRecord
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
