"""Notices for customers and group leaders: when to send one, what it promises, its words.

:func:`plan_notices` decides, from a :class:`DayStatus` and the notices already sent, which
notices are due: a delay notice when an order's predicted lateness passes a further band
(the alert threshold, then each compensation tier), a failure notice when it fails, and for
a pickup point one notice to its group leader (團主) for the whole stop, with the order list,
instead of one per buyer, and an "arrived, ready for collection" notice once it is
delivered. :func:`render` writes a notice in the seeds' order (apology, reason, what is
being done, new arrival time, tracking link, compensation) from the templates in
``templates/notices.<language>.json``; values are inserted as data by
:class:`string.Template`, never evaluated. Both are pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from string import Template
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from dispatch.intake.request import DEFAULT_TIMEZONE
from dispatch.live.status import DayStatus, OrderState, RouteStatus, StopState, StopStatus

Language = Literal["zh-TW", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-TW", "en")
TEMPLATES = Path(__file__).resolve().parent / "templates"


class CompensationKind(StrEnum):
    COUPON = "coupon"
    DISCOUNT = "discount"
    DELIVERY_FEE_REFUND = "delivery_fee_refund"
    FREE_REDELIVERY = "free_redelivery"
    RESHIPMENT = "reshipment"
    REFUND = "refund"
    POINTS = "points"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Compensation(_Model):
    """What a notice promises: a kind and, for coupons, discounts and points, an amount."""

    kind: CompensationKind
    amount: float | None = Field(None, ge=0, le=1_000_000, allow_inf_nan=False)


class LateTier(Compensation):
    """The compensation for an order later than ``over_minutes``."""

    over_minutes: int = Field(ge=0, le=24 * 60)


class CompensationPolicy(_Model):
    """Late over 30 min: a coupon of 50; over 2 h: the delivery fee refunded; failed: a free
    re-delivery (the defaults). The highest tier passed applies."""

    late: tuple[LateTier, ...] = (
        LateTier(over_minutes=30, kind=CompensationKind.COUPON, amount=50),
        LateTier(over_minutes=120, kind=CompensationKind.DELIVERY_FEE_REFUND),
    )
    failed: Compensation | None = Compensation(kind=CompensationKind.FREE_REDELIVERY)
    currency: str = Field("NT$", max_length=8)

    def for_lateness(self, minutes: int) -> Compensation | None:
        passed = [t for t in self.late if minutes > t.over_minutes]
        if not passed:
            return None
        tier = max(passed, key=lambda t: t.over_minutes)
        return Compensation(kind=tier.kind, amount=tier.amount)


NoticeChannel = Literal["log", "webhook", "email"]


class NoticePolicy(_Model):
    """How customers are told: the default language, the channel, the compensation."""

    language: Language = "zh-TW"
    channel: NoticeChannel = Field(
        "log",
        description="email needs an address on the order or pickup point (else the log)",
    )
    compensation: CompensationPolicy = CompensationPolicy()


class NoticeKind(StrEnum):
    DELAY = "delay"
    FAILED = "failed"
    ARRIVED = "arrived"


class Audience(StrEnum):
    CUSTOMER = "customer"
    GROUP_LEADER = "group_leader"


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Directory:
    """Who to tell, from the plan's request: buyers by order, group leaders by pickup point."""

    customers: Mapping[str, Recipient] = field(default_factory=dict)
    leaders: Mapping[str, Recipient] = field(default_factory=dict)
    point_names: Mapping[str, str] = field(default_factory=dict)
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def of_request(cls, doc: Mapping[str, Any]) -> Directory:
        """Read the request document as stored (extra fields ``email``, ``phone`` and
        ``language`` on orders and pickup points are used when present)."""

        def text(record: Mapping[str, Any], *names: str) -> str | None:
            for name in names:
                value = record.get(name)
                if isinstance(value, str) and value.strip():
                    return value.strip()
            return None

        def recipient(record: Mapping[str, Any], *name_fields: str) -> Recipient:
            return Recipient(
                text(record, *name_fields),
                text(record, "email"),
                text(record, "phone"),
                text(record, "language", "lang"),
            )

        orders = [o for o in doc.get("orders") or () if isinstance(o, Mapping)]
        points = [p for p in doc.get("pickup_points") or () if isinstance(p, Mapping)]
        return cls(
            customers={str(o.get("id")): recipient(o, "customer") for o in orders},
            leaders={str(p.get("id")): recipient(p, "contact") for p in points},
            point_names={str(p.get("id")): text(p, "name") or str(p.get("id")) for p in points},
            timezone=str(doc.get("timezone") or DEFAULT_TIMEZONE),
        )

    def is_pickup_point(self, stop: str) -> bool:
        return stop in self.leaders


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """A notice that is due, before it has words."""

    kind: NoticeKind
    to: Audience
    subject: str
    """``order:<id>`` or ``stop:<vehicle>/<stop>``: what the notice is about."""
    orders: tuple[str, ...]
    band: int
    late_minutes: int
    new_arrival: datetime | None
    reason: str | None
    compensation: Compensation | None
    recipient: Recipient
    order: str | None = None
    stop: str | None = None
    vehicle: str | None = None


@dataclass(frozen=True, slots=True)
class Ledger:
    """What was already sent, per subject: the highest delay band, failures, arrivals."""

    delay_bands: Mapping[str, int] = field(default_factory=dict)
    failed: frozenset[str] = frozenset()
    arrived: frozenset[str] = frozenset()

    @classmethod
    def of(cls, sent: Iterable[tuple[str, str, int]]) -> Ledger:
        """From ``(subject, kind, band)`` of every notice sent so far."""
        bands: dict[str, int] = {}
        failed, arrived = set(), set()
        for subject, kind, band in sent:
            if kind == NoticeKind.DELAY:
                bands[subject] = max(bands.get(subject, 0), band)
            elif kind == NoticeKind.FAILED:
                failed.add(subject)
            elif kind == NoticeKind.ARRIVED:
                arrived.add(subject)
        return cls(bands, frozenset(failed), frozenset(arrived))


def band_of(late_minutes: int, *, notify_after: int, policy: CompensationPolicy) -> int:
    """How many thresholds the lateness passes: the alert's, then each compensation tier's."""
    thresholds = {notify_after, *(t.over_minutes for t in policy.late)}
    return sum(1 for t in thresholds if late_minutes > t)


def plan_notices(
    status: DayStatus,
    directory: Directory,
    policy: NoticePolicy,
    ledger: Ledger,
    *,
    notify_after: int,
) -> list[NoticeDraft]:
    """The notices due now: at most one per subject and change of lateness band (a band
    already told is not told again, nor a lower one), one failure notice, one arrival."""
    drafts: list[NoticeDraft] = []
    at_points: set[str] = set()
    for route in status.routes:
        for stop in route.stops:
            if directory.is_pickup_point(stop.stop):
                at_points.update(stop.orders)
                drafts += _leader_notices(route, stop, directory, policy, ledger, notify_after)
    compensation = policy.compensation
    first_band = min({notify_after, *(t.over_minutes for t in compensation.late)})
    for order in status.orders:
        if order.order in at_points:
            continue
        failing = order.state is OrderState.FAILED
        if not failing and order.predicted_late_minutes <= first_band:
            continue
        base = NoticeDraft(
            kind=NoticeKind.DELAY,
            to=Audience.CUSTOMER,
            subject=f"order:{order.order}",
            orders=(order.order,),
            band=0,
            late_minutes=0,
            new_arrival=None,
            reason=None,
            compensation=None,
            recipient=directory.customers.get(order.order, Recipient()),
            order=order.order,
            stop=order.stop,
            vehicle=order.vehicle,
        )
        if order.state is OrderState.FAILED and base.subject not in ledger.failed:
            drafts.append(
                replace(
                    base,
                    kind=NoticeKind.FAILED,
                    reason=order.reason or "other",
                    compensation=compensation.failed,
                )
            )
        elif order.state in _PENDING:
            late = order.predicted_late_minutes
            band = band_of(late, notify_after=notify_after, policy=compensation)
            if band > ledger.delay_bands.get(base.subject, 0):
                outsourced = order.state is OrderState.OUTSOURCED
                drafts.append(
                    replace(
                        base,
                        band=band,
                        late_minutes=late,
                        new_arrival=order.predicted_arrival,
                        reason="carrier_delay" if outsourced else "behind_schedule",
                        compensation=compensation.for_lateness(late),
                    )
                )
    return drafts


_PENDING = (OrderState.PLANNED, OrderState.OUT_FOR_DELIVERY, OrderState.OUTSOURCED)


def _leader_notices(
    route: RouteStatus,
    stop: StopStatus,
    directory: Directory,
    policy: NoticePolicy,
    ledger: Ledger,
    notify_after: int,
) -> list[NoticeDraft]:
    subject = f"stop:{route.vehicle}/{stop.stop}"
    delivered = stop.delivered_orders or (stop.orders if stop.state is StopState.DELIVERED else ())
    failed = stop.failed_orders or (stop.orders if stop.state is StopState.FAILED else ())
    arrived = bool(delivered) and subject not in ledger.arrived
    failing = bool(failed) and subject not in ledger.failed
    band = 0
    if stop.state is StopState.PLANNED:
        late = stop.predicted_late_minutes
        band = band_of(late, notify_after=notify_after, policy=policy.compensation)
    delayed = band > ledger.delay_bands.get(subject, 0)
    if not (arrived or failing or delayed):
        return []
    base = NoticeDraft(
        kind=NoticeKind.ARRIVED,
        to=Audience.GROUP_LEADER,
        subject=subject,
        orders=stop.orders,
        band=0,
        late_minutes=0,
        new_arrival=None,
        reason=None,
        compensation=None,
        recipient=directory.leaders.get(stop.stop, Recipient()),
        stop=stop.stop,
        vehicle=route.vehicle,
    )
    drafts = []
    if arrived:
        drafts.append(replace(base, orders=tuple(delivered), new_arrival=stop.actual_arrival))
    if failing:
        drafts.append(
            replace(
                base,
                kind=NoticeKind.FAILED,
                orders=tuple(failed),
                reason=stop.reason or "other",
                compensation=policy.compensation.failed,
            )
        )
    if delayed:
        drafts.append(
            replace(
                base,
                kind=NoticeKind.DELAY,
                band=band,
                late_minutes=stop.predicted_late_minutes,
                new_arrival=stop.predicted_arrival,
                reason="behind_schedule",
                compensation=policy.compensation.for_lateness(stop.predicted_late_minutes),
            )
        )
    return drafts


# Words


@cache
def templates(language: Language) -> dict[str, Any]:
    """The notice templates of ``language``."""
    data: dict[str, Any] = json.loads(
        (TEMPLATES / f"notices.{language}.json").read_text(encoding="utf-8")
    )
    return data


def language_for(recipient: Recipient, default: Language) -> Language:
    """The recipient's language when it is one the templates speak, else ``default``."""
    wanted = (recipient.language or "").lower()
    if wanted.startswith("en"):
        return "en"
    if wanted.startswith("zh"):
        return "zh-TW"
    return default


def _fill(template: str, values: Mapping[str, object]) -> str:
    return Template(template).substitute({k: str(v) for k, v in values.items()})


def _amount(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def render(
    draft: NoticeDraft,
    *,
    language: Language,
    timezone: str,
    tracking_link: str | None,
    point_name: str | None = None,
    currency: str = "NT$",
) -> str:
    """The notice's text, one part per line, in the seeds' order."""
    t = templates(language)
    leader = draft.to is Audience.GROUP_LEADER
    name = draft.recipient.name
    greeting_key = (
        ("leader" if leader else "named")
        if name
        else ("leader_anonymous" if leader else "anonymous")
    )
    arrival = draft.new_arrival
    values: dict[str, object] = {
        "name": name or "",
        "orders": ", ".join(draft.orders),
        "count": len(draft.orders),
        "late": draft.late_minutes,
        "point": point_name or draft.stop or "",
        "time": arrival.astimezone(ZoneInfo(timezone)).strftime("%H:%M") if arrival else "",
        "link": tracking_link or "",
        "currency": currency,
        "amount": _amount(draft.compensation.amount if draft.compensation else None),
    }
    kind = draft.kind.value
    opening = t["opening"][f"{kind}_leader" if leader else kind]
    parts = [_fill(t["greeting"][greeting_key], values) + _fill(opening, values)]
    if draft.reason:
        parts.append(_fill(t["reason"].get(draft.reason, t["reason"]["other"]), values))
    parts.append(_fill(t["action"][kind], values))
    if kind in t["arrival"] and (arrival is not None or draft.kind is NoticeKind.FAILED):
        parts.append(_fill(t["arrival"][kind], values))
    if leader:
        parts.append(_fill(t["orders"], values))
    if tracking_link:
        parts.append(_fill(t["tracking"], values))
    if draft.compensation is not None:
        parts.append(_fill(t["compensation"][draft.compensation.kind.value], values))
    if draft.kind is not NoticeKind.ARRIVED:
        parts.append(t["closing"])
    return "\n".join(parts)
