"""Alert rules: what needs the dispatcher's attention, judged from a :class:`DayStatus`.

:func:`evaluate` turns a day's status, the stored rules and the time into findings, one per
rule and subject that holds now; :func:`reconcile` compares them with the alerts already
open and says which to raise, which got worse and which cleared. Both are pure: no store,
no clock but the ``now`` they are given.

A finding's subject names what it is about: ``order:<id>``, ``stop:<vehicle>/<stop>``,
``route:<vehicle>``, ``region:<id>`` or ``carrier:<id>``. "Worse" means a higher severity
or a further step of the rule's measure (15 more minutes late, 5 more points of share...).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dispatch.live.status import DayStatus, OrderState, OrderStatus, RouteStatus, StopState


class Rule(StrEnum):
    ORDER_LATE = "order_late"
    STOP_FAILED = "stop_failed"
    COLD_CHAIN = "cold_chain"
    ROUTE_SILENT = "route_silent"
    REGION_LATE_SHARE = "region_late_share"
    CARRIER_LATE_SHARE = "carrier_late_share"
    CARRIER_ON_TIME = "carrier_on_time"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True


class LateRule(_Rule):
    """An order predicted later than its window's end by more than ``minutes``; critical past
    ``critical_minutes``."""

    minutes: int = Field(15, ge=0, le=24 * 60)
    critical_minutes: int = Field(60, ge=0, le=24 * 60)


class FailedRule(_Rule):
    """A stop where a delivery failed."""


class ColdRule(_Rule):
    """A stop with chilled or frozen goods whose predicted age passes the vehicle's limit by
    more than ``margin_minutes``."""

    margin_minutes: int = Field(0, ge=0, le=24 * 60)


class SilentRule(_Rule):
    """A route that departed, is not done, and has sent nothing for ``minutes``; critical after
    twice as long."""

    minutes: int = Field(20, ge=1, le=24 * 60)


class ShareRule(_Rule):
    """More than ``percent`` of the orders of a region (or of a carrier) late today, once it
    has at least ``min_orders``; critical past twice the share."""

    percent: float = Field(20.0, ge=0, le=100, allow_inf_nan=False)
    min_orders: int = Field(5, ge=1, le=100_000)


class OnTimeRule(_Rule):
    """A carrier's on-time rate today under its contract (``on_time_rate`` of the carrier
    record), once ``min_orders`` of its orders are done."""

    min_orders: int = Field(5, ge=1, le=100_000)


class AlertRules(BaseModel):
    """The rules and their thresholds, as stored and as ``GET/PUT /alert-rules`` shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_late: LateRule = LateRule()
    stop_failed: FailedRule = FailedRule()
    cold_chain: ColdRule = ColdRule()
    route_silent: SilentRule = SilentRule()
    region_late_share: ShareRule = ShareRule()
    carrier_late_share: ShareRule = ShareRule()
    carrier_on_time: OnTimeRule = OnTimeRule()


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule holding for one subject now."""

    rule: Rule
    subject: str
    severity: Severity
    step: int
    message: str

    @property
    def key(self) -> tuple[str, str]:
        return self.rule.value, self.subject


PENDING = (OrderState.PLANNED, OrderState.OUT_FOR_DELIVERY, OrderState.OUTSOURCED)
"""Orders whose delivery is still to come."""
COUNTED = frozenset(OrderState) - {
    OrderState.CANCELLED,
    OrderState.UNSERVED,
    OrderState.CARRIED_OVER,
}
"""Orders that count in today's shares."""
STEP_MINUTES = 15
STEP_PERCENT = 5.0


def evaluate(
    status: DayStatus,
    rules: AlertRules,
    now: datetime,
    *,
    carrier_contracts: Mapping[str, float] | None = None,
) -> list[Finding]:
    """Every finding of the enabled ``rules`` on ``status`` at ``now``, in a stable order.

    ``carrier_contracts`` maps a carrier's id to its contracted on-time rate (0–1).
    """
    findings: list[Finding] = []
    if rules.order_late.enabled:
        findings += _late_orders(status.orders, rules.order_late)
    for route in status.routes:
        if rules.stop_failed.enabled:
            findings += _failed_stops(route)
        if rules.cold_chain.enabled:
            findings += _cold_stops(route, rules.cold_chain)
        if rules.route_silent.enabled:
            findings += _silent(route, rules.route_silent, now)
    late_after = rules.order_late.minutes
    grouped = [o for o in status.orders if (o.region or o.carrier) and o.state in COUNTED]
    if rules.region_late_share.enabled:
        findings += _shares(
            grouped, "region", lambda o: o.region, rules.region_late_share, late_after
        )
    if rules.carrier_late_share.enabled:
        findings += _shares(
            grouped, "carrier", lambda o: o.carrier, rules.carrier_late_share, late_after
        )
    if rules.carrier_on_time.enabled:
        findings += _on_time(status.orders, rules.carrier_on_time, carrier_contracts or {})
    return findings


def _late_orders(orders: Iterable[OrderStatus], rule: LateRule) -> list[Finding]:
    found = []
    for order in orders:
        late = order.predicted_late_minutes
        if order.state not in PENDING or late <= rule.minutes:
            continue
        critical = late > max(rule.critical_minutes, rule.minutes)
        found.append(
            Finding(
                Rule.ORDER_LATE,
                f"order:{order.order}",
                Severity.CRITICAL if critical else Severity.WARNING,
                late // max(rule.minutes, STEP_MINUTES),
                f"order {order.order} predicted {late} min late"
                + (f" at {order.stop}" if order.stop else "")
                + (f" ({order.vehicle})" if order.vehicle else ""),
            )
        )
    return found


def _failed_stops(route: RouteStatus) -> list[Finding]:
    found = []
    for stop in route.stops:
        failed = stop.failed_orders or (stop.orders if stop.state is StopState.FAILED else ())
        if not failed:
            continue
        why = f": {stop.reason}" if stop.reason else ""
        found.append(
            Finding(
                Rule.STOP_FAILED,
                f"stop:{route.vehicle}/{stop.stop}",
                Severity.WARNING,
                len(failed),
                f"delivery failed at {stop.stop} ({route.vehicle}), {len(failed)} order(s){why}",
            )
        )
    return found


def _cold_stops(route: RouteStatus, rule: ColdRule) -> list[Finding]:
    found = []
    for stop in route.stops:
        if stop.state not in (StopState.PLANNED, StopState.ARRIVED):
            continue
        age, limit = stop.predicted_cold_minutes, stop.cold_limit_minutes
        if age is None or limit is None or age <= limit + rule.margin_minutes:
            continue
        over = age - limit
        found.append(
            Finding(
                Rule.COLD_CHAIN,
                f"stop:{route.vehicle}/{stop.stop}",
                Severity.CRITICAL,
                over // STEP_MINUTES,
                f"cold goods at {stop.stop} ({route.vehicle}) predicted {age} min out of the "
                f"depot, {over} min past the vehicle's limit of {limit}",
            )
        )
    return found


def last_heard(route: RouteStatus) -> datetime | None:
    """When the route last reported anything: its last event, position or departure."""
    times = [
        t
        for t in (
            route.last_event.at if route.last_event else None,
            route.position.at if route.position else None,
            route.departed_at,
        )
        if t is not None
    ]
    return max(times) if times else None


def _silent(route: RouteStatus, rule: SilentRule, now: datetime) -> list[Finding]:
    heard = last_heard(route)
    if route.departed_at is None or route.done or heard is None:
        return []
    silent = int((now - heard).total_seconds() // 60)
    if silent < rule.minutes:
        return []
    critical = silent >= 2 * rule.minutes
    return [
        Finding(
            Rule.ROUTE_SILENT,
            f"route:{route.vehicle}",
            Severity.CRITICAL if critical else Severity.WARNING,
            silent // rule.minutes,
            f"{route.vehicle} has sent nothing for {silent} min",
        )
    ]


def is_late(order: OrderStatus, after_minutes: int) -> bool:
    """Late (actually, or as predicted) by more than ``after_minutes``."""
    return order.state in COUNTED and order.predicted_late_minutes > after_minutes


def _shares(
    orders: Iterable[OrderStatus],
    kind: str,
    group_of: Callable[[OrderStatus], str | None],
    rule: ShareRule,
    late_after: int,
) -> list[Finding]:
    counts: dict[str, list[int]] = {}
    for order in orders:
        if order.state not in COUNTED:
            continue
        group = group_of(order)
        if not group:
            continue
        count = counts.setdefault(group, [0, 0])
        count[0] += 1
        count[1] += order.predicted_late_minutes > late_after
    found = []
    rule_name = Rule.REGION_LATE_SHARE if kind == "region" else Rule.CARRIER_LATE_SHARE
    for group, (members, late) in sorted(counts.items()):
        if members < rule.min_orders:
            continue
        share = 100.0 * late / members
        if share <= rule.percent:
            continue
        critical = share > min(2 * rule.percent, 100.0) or share >= 100.0
        found.append(
            Finding(
                rule_name,
                f"{kind}:{group}",
                Severity.CRITICAL if critical else Severity.WARNING,
                int(share // STEP_PERCENT),
                f"{late} of {members} orders of {kind} {group} late today "
                f"({share:.0f}%, threshold {rule.percent:g}%)",
            )
        )
    return found


CARRIER_DONE = (OrderState.CARRIER_DELIVERED, OrderState.FAILED)


def _on_time(
    orders: Iterable[OrderStatus], rule: OnTimeRule, contracts: Mapping[str, float]
) -> list[Finding]:
    done: dict[str, list[OrderStatus]] = defaultdict(list)
    for order in orders:
        if order.carrier and order.state in CARRIER_DONE:
            done[order.carrier].append(order)
    found = []
    for carrier, members in sorted(done.items()):
        contract = contracts.get(carrier)
        if contract is None or len(members) < rule.min_orders:
            continue
        on_time = sum(
            1
            for o in members
            if o.state is OrderState.CARRIER_DELIVERED and o.predicted_late_minutes <= 0
        )
        rate = on_time / len(members)
        if rate >= contract:
            continue
        gap = 100.0 * (contract - rate)
        found.append(
            Finding(
                Rule.CARRIER_ON_TIME,
                f"carrier:{carrier}",
                Severity.WARNING,
                int(gap // STEP_PERCENT),
                f"carrier {carrier} on time for {on_time} of {len(members)} orders today "
                f"({rate:.0%}, contract {contract:.0%})",
            )
        )
    return found


# Comparing findings with open alerts


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """An alert that is open or acknowledged, as :func:`reconcile` needs it."""

    id: int
    rule: str
    subject: str
    severity: Severity
    step: int
    state: AlertState

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.subject


@dataclass(frozen=True, slots=True)
class Worsened:
    alert: ActiveAlert
    finding: Finding

    @property
    def reopens(self) -> bool:
        """An acknowledged alert whose severity rose is open again."""
        return (
            self.alert.state is AlertState.ACKNOWLEDGED
            and self.finding.severity.rank > self.alert.severity.rank
        )


@dataclass(frozen=True, slots=True)
class AlertChanges:
    raised: tuple[Finding, ...] = ()
    worsened: tuple[Worsened, ...] = ()
    closed: tuple[ActiveAlert, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.raised or self.worsened or self.closed)


def is_worse(finding: Finding, alert: ActiveAlert) -> bool:
    return (finding.severity.rank, finding.step) > (alert.severity.rank, alert.step)


def reconcile(active: Sequence[ActiveAlert], findings: Sequence[Finding]) -> AlertChanges:
    """What to raise (a finding without an active alert), update (worse than its alert) and
    close (an active alert without a finding). One finding per key counts (the first)."""
    by_key = {a.key: a for a in active}
    seen: set[tuple[str, str]] = set()
    raised: list[Finding] = []
    worsened: list[Worsened] = []
    for finding in findings:
        if finding.key in seen:
            continue
        seen.add(finding.key)
        alert = by_key.get(finding.key)
        if alert is None:
            raised.append(finding)
        elif is_worse(finding, alert):
            worsened.append(Worsened(alert, finding))
    closed = tuple(a for a in active if a.key not in seen)
    return AlertChanges(tuple(raised), tuple(worsened), closed)
