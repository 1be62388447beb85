"""Which plan of a day counts: the published one, else the newest version of the newest chain."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dispatch.kpis.choice import PlanHead, chain_of, counting_plan

DAY = date(2026, 12, 8)


def head(plan_id: int, minute: int, **kw: object) -> PlanHead:
    return PlanHead(plan_id, DAY, datetime(2026, 12, 8, 1, minute, tzinfo=UTC), **kw)  # type: ignore[arg-type]


def at(minute: int) -> datetime:
    return datetime(2026, 12, 8, 2, minute, tzinfo=UTC)


def test_no_plan_no_choice() -> None:
    assert counting_plan([]) is None


def test_the_newest_version_counts() -> None:
    plans = [head(1, 0), head(2, 5, previous_plan_id=1), head(3, 9, previous_plan_id=2)]
    assert counting_plan(plans) == plans[2]
    assert chain_of(plans[2], plans) == (3, 2, 1)


def test_an_older_plan_replanned_later_still_loses_to_its_replan() -> None:
    # Plan 3 re-plans plan 1 and is the newest; plan 2 stands alone, older than 3.
    plans = [head(1, 0), head(2, 3), head(3, 9, previous_plan_id=1)]
    assert counting_plan(plans) == plans[2]
    assert chain_of(plans[2], plans) == (3, 1)
    assert chain_of(plans[1], plans) == (2,)


def test_a_re_planned_plan_never_counts_even_when_stored_later() -> None:
    plans = [head(1, 9), head(2, 5, previous_plan_id=1)]
    assert counting_plan(plans) == plans[1]


def test_the_published_plan_counts_over_newer_versions() -> None:
    plans = [head(1, 0, published_at=at(0)), head(2, 5, previous_plan_id=1)]
    assert counting_plan(plans) == plans[0]


def test_of_several_published_the_one_not_superseded_counts() -> None:
    plans = [
        head(1, 0, published_at=at(0), superseded_by=2),
        head(2, 5, published_at=at(5)),
        head(3, 9),
    ]
    assert counting_plan(plans) == plans[1]
