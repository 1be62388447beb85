"""Stored orders: found by id, and the current plans of their day that hold them."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from dispatch.errors import NotFoundError
from dispatch.planning.plan import Plan
from dispatch.store import Store, get_order, plans_with_order, save_plan, start_job
from dispatch.store.models import PlanRecord
from tests.dispatch.store.conftest import PLAN, new_job

DAY = date(2026, 11, 11)


def _plan(store: Store, plan: Plan) -> int:
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
        return save_plan(session, job_id, plan).id


def test_routed_outsourced_and_unserved_orders_are_in_the_current_plans_only(
    store: Store, network: object
) -> None:
    """An order routed, outsourced or unserved names its day's plans; a superseded plan no
    longer counts."""
    outsourced = [{"region": "R", "carrier": "CAT", "orders": ["A-4"], "cost": 95.0}]
    plan_doc = Plan.model_validate({**copy.deepcopy(PLAN), "outsourced": outsourced})
    first, second = _plan(store, plan_doc), _plan(store, plan_doc)
    with store.read() as session:
        assert plans_with_order(session, "A-1", DAY) == [first, second]
        assert plans_with_order(session, "A-3", DAY) == [first, second]
        assert plans_with_order(session, "A-4", DAY) == [first, second]
        assert plans_with_order(session, "A-9", DAY) == []
        assert plans_with_order(session, "A-1", date(2026, 11, 12)) == []
    with store.write() as session:
        old = session.get(PlanRecord, first)
        assert old is not None
        old.superseded_by = second
    with store.read() as session:
        assert plans_with_order(session, "A-1", DAY) == [second]
        with pytest.raises(NotFoundError):
            get_order(session, "A-1")
