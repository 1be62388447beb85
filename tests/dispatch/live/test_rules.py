"""The alert rules on hand-made day statuses, and how findings meet the open alerts."""

from __future__ import annotations

from dataclasses import replace

from dispatch.live.rules import (
    ActiveAlert,
    AlertRules,
    AlertState,
    Finding,
    Rule,
    Severity,
    ShareRule,
    evaluate,
    reconcile,
)
from dispatch.live.status import OrderState, StopState
from tests.dispatch.live.days import at, carrier_order, day, route, stop, with_lateness

RULES = AlertRules()


def keys(findings: list[Finding]) -> set[tuple[str, str]]:
    return {f.key for f in findings}


def test_an_order_later_than_the_threshold_is_found() -> None:
    """16 minutes past the window with the default 15 is an alert; 15 exactly is not."""
    status = day(route("V1", stop("S1", ("A",), late=16), stop("S2", ("B",), late=15)))
    found = [f for f in evaluate(status, RULES, at("10:00")) if f.rule is Rule.ORDER_LATE]
    assert [(f.subject, f.severity) for f in found] == [("order:A", Severity.WARNING)]
    assert "16 min late" in found[0].message


def test_very_late_orders_are_critical_and_delivered_ones_need_nothing() -> None:
    """Past the critical minutes an order is critical; a delivered late order is done."""
    status = day(
        route(
            "V1",
            stop("S1", ("A",), state=StopState.DELIVERED, late=90, actual="11:30"),
            stop("S2", ("B",), late=61),
        )
    )
    found = [f for f in evaluate(status, RULES, at("11:30")) if f.rule is Rule.ORDER_LATE]
    assert [(f.subject, f.severity) for f in found] == [("order:B", Severity.CRITICAL)]


def test_a_failed_stop_is_found_with_its_reason() -> None:
    """A failed stop, and a partly delivered one with failed orders, are each one finding."""
    status = day(
        route(
            "V1",
            stop("S1", ("A",), state=StopState.FAILED, reason="nobody"),
            stop("S2", ("B", "C"), state=StopState.PARTLY_DELIVERED, delivered=("B",),
                 failed=("C",), reason="refused"),
        )
    )  # fmt: skip
    found = [f for f in evaluate(status, RULES, at("11:00")) if f.rule is Rule.STOP_FAILED]
    assert [f.subject for f in found] == ["stop:V1/S1", "stop:V1/S2"]
    assert "nobody" in found[0].message
    assert "1 order(s)" in found[1].message


def test_a_cold_stop_past_the_vehicles_limit_is_critical() -> None:
    """Predicted age over the limit is found; at the limit, or without cold goods, it is not."""
    status = day(
        route(
            "V1",
            stop("S1", ("A",), cold=200, cold_limit=180),
            stop("S2", ("B",), cold=180, cold_limit=180),
            stop("S3", ("C",), cold=None, cold_limit=180),
        )
    )
    found = [f for f in evaluate(status, RULES, at("10:00")) if f.rule is Rule.COLD_CHAIN]
    assert [(f.subject, f.severity) for f in found] == [("stop:V1/S1", Severity.CRITICAL)]


def test_a_route_silent_while_it_should_move_is_found() -> None:
    """Departed, not done and nothing for 20 minutes: warning; for 40: critical."""
    status = day(route("V1", stop("S1", ("A",)), heard="09:00"))
    assert not [f for f in evaluate(status, RULES, at("09:19")) if f.rule is Rule.ROUTE_SILENT]
    warning = [f for f in evaluate(status, RULES, at("09:20")) if f.rule is Rule.ROUTE_SILENT]
    assert [(f.subject, f.severity) for f in warning] == [("route:V1", Severity.WARNING)]
    critical = [f for f in evaluate(status, RULES, at("09:45")) if f.rule is Rule.ROUTE_SILENT]
    assert critical[0].severity is Severity.CRITICAL


def test_routes_not_departed_or_done_are_never_silent() -> None:
    """A route still at the depot, or with every stop done, may be quiet."""
    waiting = route("V1", stop("S1", ("A",)), departed=None)
    done = route("V2", stop("S2", ("B",), state=StopState.DELIVERED), heard="09:00")
    findings = evaluate(day(waiting, done), RULES, at("12:00"))
    assert not [f for f in findings if f.rule is Rule.ROUTE_SILENT]


def test_the_share_of_late_orders_in_a_region_is_found_above_its_threshold() -> None:
    """2 of 5 orders late (40%) passes 20%; under min_orders nothing is said."""
    stops = [stop(f"S{i}", (f"O{i}",), late=30 if i < 2 else 0) for i in range(5)]
    status = day(route("V1", *stops))
    found = [f for f in evaluate(status, RULES, at("10:00")) if f.rule is Rule.REGION_LATE_SHARE]
    assert [(f.subject, f.severity) for f in found] == [("region:R1", Severity.WARNING)]
    assert "2 of 5" in found[0].message
    strict = RULES.model_copy(update={"region_late_share": ShareRule(percent=20, min_orders=6)})
    assert not [f for f in evaluate(status, strict, at("10:00")) if f.subject == "region:R1"]


def test_the_share_of_late_orders_of_a_carrier_is_found() -> None:
    """A carrier with 3 of 5 orders late is over 20% (critical past 40%)."""
    orders = tuple(
        carrier_order(f"C{i}", "CAT", OrderState.OUTSOURCED, late=45 if i < 3 else 0)
        for i in range(5)
    )
    status = day(extra=orders)
    found = [f for f in evaluate(status, RULES, at("10:00")) if f.rule is Rule.CARRIER_LATE_SHARE]
    assert [(f.subject, f.severity) for f in found] == [("carrier:CAT", Severity.CRITICAL)]


def test_a_carrier_under_its_contracted_on_time_rate_is_found() -> None:
    """4 of 5 done orders on time is 80%, under a 95% contract; no contract, no finding."""
    orders = (
        *(carrier_order(f"C{i}", "CAT", OrderState.CARRIER_DELIVERED) for i in range(4)),
        carrier_order("C4", "CAT", OrderState.CARRIER_DELIVERED, late=10),
        *(carrier_order(f"D{i}", "DOG", OrderState.CARRIER_DELIVERED, late=5) for i in range(5)),
    )
    status = day(extra=orders)
    found = evaluate(status, RULES, at("16:00"), carrier_contracts={"CAT": 0.95})
    on_time = [f for f in found if f.rule is Rule.CARRIER_ON_TIME]
    assert [f.subject for f in on_time] == ["carrier:CAT"]
    assert "80%" in on_time[0].message
    assert not [
        f
        for f in evaluate(status, RULES, at("16:00"), carrier_contracts={"CAT": 0.8})
        if f.rule is Rule.CARRIER_ON_TIME
    ]


def test_disabled_rules_find_nothing() -> None:
    """Each rule can be switched off."""
    off = AlertRules.model_validate({name: {"enabled": False} for name in AlertRules.model_fields})
    status = day(route("V1", stop("S1", ("A",), late=100, cold=500, cold_limit=10), heard="08:00"))
    assert evaluate(status, off, at("12:00")) == []


def active(finding: Finding, alert_id: int = 1, state: AlertState = AlertState.OPEN) -> ActiveAlert:
    return ActiveAlert(
        alert_id, finding.rule.value, finding.subject, finding.severity, finding.step, state
    )


def test_an_alert_is_raised_once_updated_when_worse_and_closed_when_it_clears() -> None:
    """Raise on the first finding, nothing on the same one again, update when later by a
    further step, nothing when it improves, close when it is gone."""
    base = day(route("V1", stop("S1", ("A",), late=20)))
    first = reconcile([], evaluate(base, RULES, at("10:00")))
    (raised,) = [f for f in first.raised if f.rule is Rule.ORDER_LATE]
    alert = active(raised)
    again = reconcile([alert], [raised])
    assert not again
    worse = list(evaluate(with_lateness(base, {"S1": 35}), RULES, at("10:00")))
    changes = reconcile([alert], [f for f in worse if f.rule is Rule.ORDER_LATE])
    assert [w.alert.id for w in changes.worsened] == [1]
    assert "35 min late" in changes.worsened[0].finding.message
    better = list(evaluate(with_lateness(base, {"S1": 16}), RULES, at("10:00")))
    assert not reconcile([alert], [f for f in better if f.rule is Rule.ORDER_LATE])
    cleared = reconcile([alert], evaluate(with_lateness(base, {"S1": 0}), RULES, at("10:00")))
    assert [a.id for a in cleared.closed] == [1]


def test_duplicate_findings_raise_one_alert() -> None:
    """The same rule and subject twice in one evaluation is one alert."""
    finding = Finding(Rule.STOP_FAILED, "stop:V1/S1", Severity.WARNING, 1, "failed")
    changes = reconcile([], [finding, replace(finding, message="again")])
    assert changes.raised == (finding,)


def test_an_acknowledged_alert_opens_again_only_when_its_severity_rises() -> None:
    """Acknowledged and a step worse: updated, still acknowledged; critical: open again."""
    finding = Finding(Rule.ORDER_LATE, "order:A", Severity.WARNING, 1, "late")
    acked = active(finding, state=AlertState.ACKNOWLEDGED)
    (step,) = reconcile([acked], [replace(finding, step=2)]).worsened
    assert not step.reopens
    (severe,) = reconcile([acked], [replace(finding, severity=Severity.CRITICAL)]).worsened
    assert severe.reopens
