"""Seeded demo days replayed without the HTTP layer: at every moment the service judges a day
(after each event, and at each five-minute tick), the alerts the live day's rules raise,
update and close are exactly those :mod:`tests.api.live_day_expected` computes apart. The
plans come from OR-Tools with an iteration limit, so each is the same on any machine; each
day raises every rule the HTTP replay raises, and a region's late share besides."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.live.live_day import prepare_day
from dispatch.live.policy import LiveRules
from dispatch.live.predict import status_of
from dispatch.live.rules import ActiveAlert, AlertState, evaluate, reconcile
from dispatch.live.simulate import Delays, SimEvent, as_received, simulate_day
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan
from scenarios.demo import demo_request
from tests.api.live_day_expected import Expected
from tests.api.test_live_day import incidents

pytestmark = pytest.mark.slow

TICK = timedelta(minutes=5)
ITERATIONS = 30


@cache
def _day(seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 200-order demo day planned by OR-Tools with ``seed`` (document, request)."""
    doc = demo_request(orders=200)
    doc["options"] = {"engine": "ortools", "seed": seed, "time_limit_s": 60}
    request = load_request(doc)
    plan = plan_day(request, iterations=ITERATIONS).model_dump(mode="json")
    assert validate_plan(request, plan) == []
    return plan, doc


class Ledger:
    """The alerts of one replayed day as the store keeps them: raised once per rule and
    subject, updated when worse, closed when the finding goes."""

    def __init__(self) -> None:
        self.active: dict[tuple[str, str], ActiveAlert] = {}
        self.rows: list[list[str]] = []

    def judge(self, findings: Any) -> None:
        changes = reconcile(list(self.active.values()), findings)
        for f in changes.raised:
            alert = ActiveAlert(len(self.rows), f.rule.value, f.subject, f.severity, f.step,
                                AlertState.OPEN)  # fmt: skip
            self.active[alert.key] = alert
            self.rows.append([alert.rule, alert.subject, f.severity.value, "open"])
        for w in changes.worsened:
            a = w.alert
            self.active[a.key] = ActiveAlert(a.id, a.rule, a.subject, w.finding.severity,
                                             w.finding.step, a.state)  # fmt: skip
            self.rows[a.id][2] = w.finding.severity.value
        for a in changes.closed:
            del self.active[a.key]
            self.rows[a.id][3] = "closed"


@pytest.mark.parametrize("delay_seed", [21, 3])
@pytest.mark.parametrize("plan_seed", [0, 1, 2, 3])
def test_the_rules_raise_what_the_contract_computes(plan_seed: int, delay_seed: int) -> None:
    plan_doc, request = _day(plan_seed)
    day = prepare_day(Plan.model_validate(plan_doc), request, plan_id=1)
    timeline = simulate_day(day, Delays(seed=delay_seed), incidents(day))
    expected = Expected(plan_doc, request)
    ledger = Ledger()
    rules = LiveRules()
    received: list[SimEvent] = []

    def judge(now: datetime) -> None:
        road, carrier = as_received(received)
        ledger.judge(evaluate(status_of(day, road, carrier, now), rules, now))
        expected.judge(now)

    next_tick = datetime.fromisoformat(f"{plan_doc['date']}T06:00:00+08:00") + TICK
    for event in timeline:
        while next_tick <= event.sent_at:
            judge(next_tick)
            next_tick += TICK
        received.append(event)
        if event.vehicle is not None:
            expected.receive(event.vehicle, event.body)
        judge(event.sent_at)
    assert Counter(tuple(row) for row in ledger.rows) == Counter(expected.alerts)
    assert {"order_late", "stop_failed", "cold_chain", "route_silent", "region_late_share"} <= {
        rule for rule, *_ in expected.alerts
    }
