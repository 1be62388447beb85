"""Which stored plan of a day its KPIs count: the published one, else the newest version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PlanHead:
    """What the choice needs of a stored plan."""

    id: int
    day: date
    created_at: datetime
    previous_plan_id: int | None = None
    published_at: datetime | None = None
    superseded_by: int | None = None


def counting_plan(plans: Sequence[PlanHead]) -> PlanHead | None:
    """The plan of one day that counts: the published plan not superseded (the latest
    published when several are), else the newest plan that no other plan re-plans."""
    published = [p for p in plans if p.published_at is not None]
    if published:
        live = [p for p in published if p.superseded_by is None] or published
        return max(live, key=lambda p: (p.published_at, p.id))
    replanned = {p.previous_plan_id for p in plans}
    heads = [p for p in plans if p.id not in replanned] or list(plans)
    return max(heads, key=lambda p: (p.created_at, p.id), default=None)


def chain_of(plan: PlanHead, plans: Sequence[PlanHead]) -> tuple[int, ...]:
    """The ids of ``plan`` and the earlier versions it re-plans, newest first (its drivers'
    events may be stored under any of them)."""
    by_id = {p.id: p for p in plans}
    ids = [plan.id]
    previous = plan.previous_plan_id
    while previous is not None and previous in by_id and previous not in ids:
        ids.append(previous)
        previous = by_id[previous].previous_plan_id
    return tuple(ids)
