"""Events from the road, as a phone or a carrier sends them: what they may say, and recording
them once however often they are sent.

A driver's event names its route by the driver's link; a carrier's event is signed with the
carrier's secret (HMAC-SHA256 of the raw body). Both carry an ``event_id`` chosen by the
sender: the same id again is the same event (stored once, answered with what was stored);
the same id with a different body is refused. ``at`` is when it happened on the device.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, FieldError, InputError
from dispatch.live.status import CarrierKind, LiveKind
from dispatch.live.tracking import FailureReason
from dispatch.planning.plan import Plan
from dispatch.store import (
    Photo,
    find_carrier_event,
    find_event,
    outsourcing_plan,
    record_carrier_event,
    record_event,
)
from dispatch.store.models import CarrierEventRecord, TrackingEvent
from dispatch.text import MAX_NAME, MAX_ORDER_ID, PlainText

MAX_PHOTO_BYTES = 5 * 1024 * 1024
"""Largest proof-of-delivery photo, decoded."""
FUTURE_TOLERANCE = timedelta(minutes=5)
"""How far ahead of the service's clock a device's ``at`` may be."""
CARRIER_WINDOW = timedelta(minutes=5)
"""How far a carrier's ``at`` may be from the service's clock, either way."""
MAX_EVENT_ORDERS = 2000

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"

EventId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:~-]+$"),
]
StopId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ORDER_ID), AfterValidator(PlainText())
]
OrderId = StopId
Note = Annotated[str, StringConstraints(max_length=500), AfterValidator(PlainText(lines=True))]
CarrierReason = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(PlainText())
]
Recipient = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME), AfterValidator(PlainText())
]


class EventError(InputError):
    """An event that cannot be recorded; ``errors`` names each field."""

    subject = "the event"


class EventConflictError(ConflictError):
    """An event id already stored with a different body, or a carrier event out of time."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [FieldError("event", field, message)]


def photo_type(data: bytes) -> str | None:
    """``image/jpeg`` or ``image/png`` by the file's first bytes; None for anything else."""
    if data.startswith(_JPEG):
        return "image/jpeg"
    if data.startswith(_PNG):
        return "image/png"
    return None


def decode_photo(value: str) -> Photo:
    """A photo sent as base64 (a ``data:`` URL prefix is allowed and ignored: the type is
    read from the bytes); ValueError when it is not base64, too large, or not JPEG/PNG."""
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    if len(text) > (MAX_PHOTO_BYTES * 4) // 3 + 8:
        raise ValueError(f"is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not base64") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise ValueError(f"is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    media_type = photo_type(data)
    if media_type is None:
        raise ValueError("is not a JPEG or PNG image")
    return Photo(media_type, data, hashlib.sha256(data).hexdigest())


class RoadEventIn(BaseModel):
    """A driver's report: departed, arrived, delivered, failed (with a reason) or a position.

    ``type`` is another name for ``kind``; ``orders`` (delivered, failed) is a subset of the
    stop's orders, all of them when absent; ``photo`` is a JPEG or PNG as base64 (at most
    5 MB decoded; a ``data:`` URL prefix is allowed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    event_id: EventId | None = None
    kind: LiveKind = Field(validation_alias=AliasChoices("kind", "type"))
    stop: StopId | None = None
    at: AwareDatetime | None = None
    orders: (
        Annotated[tuple[OrderId, ...], Field(min_length=1, max_length=MAX_EVENT_ORDERS)] | None
    ) = None
    reason: FailureReason | None = None
    note: Note | None = None
    recipient: Recipient | None = None
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    photo: str | None = Field(None, max_length=(MAX_PHOTO_BYTES * 4) // 3 + 64)

    _photo: Photo | None = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, data: Any) -> Any:
        if isinstance(data, dict) and "kind" in data and "type" in data:
            if data["kind"] != data["type"]:
                raise PydanticCustomError("kind_type", "type and kind differ")
            data = {k: v for k, v in data.items() if k != "type"}
        return data

    @classmethod
    def parse(cls, raw: bytes) -> RoadEventIn:
        """The event in a JSON body; :class:`EventError` naming every field that is wrong."""
        try:
            event = cls.model_validate_json(raw or b"{}")
        except ValidationError as exc:
            raise EventError(validation_errors(exc)) from None
        errors = event._kind_errors()
        if event.photo is not None:
            try:
                event._photo = decode_photo(event.photo)
            except ValueError as exc:
                errors.append(FieldError("event", "photo", str(exc)))
        if errors:
            raise EventError(errors)
        return event

    def _kind_errors(self) -> list[FieldError]:
        kind = self.kind
        errors: list[FieldError] = []

        def refuse(field: str, message: str) -> None:
            errors.append(FieldError("event", field, message))

        at_stop = kind in (LiveKind.ARRIVED, LiveKind.DELIVERED, LiveKind.FAILED)
        if at_stop and self.stop is None:
            refuse("stop", f"is required when kind is {kind.value!r}")
        if not at_stop and self.stop is not None:
            refuse("stop", f"is not for kind {kind.value!r}")
        if (self.lat is None) != (self.lon is None):
            refuse("lon" if self.lon is None else "lat", "lat and lon go together")
        elif kind is LiveKind.POSITION and self.lat is None:
            refuse("lat", "lat and lon are required when kind is 'position'")
        if kind is LiveKind.FAILED and self.reason is None:
            refuse("reason", "is required when kind is 'failed'")
        if kind is not LiveKind.FAILED and self.reason is not None:
            refuse("reason", "is only for kind 'failed'")
        if self.reason is FailureReason.OTHER and not self.note:
            refuse("note", "is required when reason is 'other'")
        if self.orders is not None and kind not in (LiveKind.DELIVERED, LiveKind.FAILED):
            refuse("orders", "are only for kinds 'delivered' and 'failed'")
        if kind is not LiveKind.DELIVERED:
            for field in ("recipient", "photo"):
                if getattr(self, field) is not None:
                    refuse(field, "is only for kind 'delivered'")
        return errors

    @property
    def photo_file(self) -> Photo | None:
        return self._photo

    def body_sha256(self) -> str:
        """A digest of what the event says (its photo by digest), to tell a retry of the same
        event from a different event under the same id."""
        body = self.model_dump(mode="json", exclude={"photo"})
        body["photo"] = self._photo.sha256 if self._photo else None
        return _digest(body)


class CarrierEventIn(BaseModel):
    """A carrier's report about one outsourced order."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    event_id: EventId
    kind: CarrierKind = Field(validation_alias=AliasChoices("kind", "type"))
    order: OrderId
    at: AwareDatetime
    reason: (
        Annotated[str, StringConstraints(max_length=200), AfterValidator(PlainText())] | None
    ) = None

    @classmethod
    def parse(cls, raw: bytes) -> CarrierEventIn:
        """The event in a JSON body; :class:`EventError` naming every field that is wrong."""
        try:
            return cls.model_validate_json(raw or b"{}")
        except ValidationError as exc:
            raise EventError(validation_errors(exc)) from None

    def body_sha256(self) -> str:
        return _digest(self.model_dump(mode="json"))


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors, each naming its field (``orders[2]``); a missing one "is required"."""
    errors = []
    for e in exc.errors():
        loc = e.get("loc", ())
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        if e.get("type") == "kind_type":
            field = "type"
        message = "is required" if e.get("type") == "missing" else str(e["msg"])
        errors.append(FieldError("event", field, message.removeprefix("Value error, ")))
    return errors


def _digest(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=<hex HMAC-SHA256 of body with secret>``."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def plan_day_start(plan: Plan) -> datetime | None:
    """Midnight starting the plan day in its time zone (None for a plan without a date)."""
    if plan.date is None:
        return None
    return datetime.combine(plan.date, time(0), tzinfo=ZoneInfo(plan.timezone))


def check_road_event(plan: Plan, vehicle: str, event: RoadEventIn, now: datetime) -> None:
    """EventError naming each field that does not fit the plan, the route or the clock."""
    errors: list[FieldError] = []
    route = plan.route(vehicle)
    if route is None:
        raise EventError([FieldError("event", "vehicle", "the route is not in the plan")])
    if event.stop is not None:
        visit = next((s for s in route.stops if s.stop == event.stop), None)
        if visit is None:
            errors.append(FieldError("event", "stop", f"stop {event.stop!r} is not on this route"))
        elif event.orders is not None:
            strangers = sorted(set(event.orders) - set(visit.orders))
            if strangers:
                listed = ", ".join(strangers[:5])
                errors.append(
                    FieldError("event", "orders", f"not orders of stop {event.stop}: {listed}")
                )
    if event.at is not None:
        if event.at > now + FUTURE_TOLERANCE:
            errors.append(FieldError("event", "at", "is more than 5 minutes in the future"))
        start = plan_day_start(plan)
        if start is not None and event.at < start:
            errors.append(FieldError("event", "at", f"is before the plan day {plan.date}"))
    if errors:
        raise EventError(errors)


def stored_road_event(
    session: Session, plan_id: int, vehicle: str, event: RoadEventIn
) -> TrackingEvent | None:
    """The row already stored under the event's ``event_id`` (None when there is none, or the
    event has no id); :class:`EventConflictError` when it was stored with another body."""
    if event.event_id is None:
        return None
    stored = find_event(session, plan_id, vehicle, event.event_id)
    if stored is not None and stored.body_sha256 != event.body_sha256():
        raise EventConflictError(
            "event_id", f"{event.event_id!r} was already stored with a different body"
        )
    return stored


def add_road_event(
    session: Session, plan: Plan, plan_id: int, vehicle: str, event: RoadEventIn, now: datetime
) -> TrackingEvent:
    """Check the event against the plan and the clock, then store it (the caller has seen no
    row under its ``event_id``; a concurrent copy fails on the unique key)."""
    check_road_event(plan, vehicle, event, now)
    orders = event.orders
    if orders is None and event.stop is not None and event.kind is not LiveKind.ARRIVED:
        route = plan.route(vehicle)
        assert route is not None
        orders = next(s.orders for s in route.stops if s.stop == event.stop)
    return record_event(
        session, plan_id, vehicle, event.stop, event.kind, event_id=event.event_id,
        reason=event.reason.value if event.reason else None, note=event.note,
        at=event.at or now, orders=orders, recipient=event.recipient, lat=event.lat,
        lon=event.lon, body_sha256=event.body_sha256(), photo=event.photo_file, received_at=now,
    )  # fmt: skip


def record_road_event(
    session: Session, plan: Plan, plan_id: int, vehicle: str, event: RoadEventIn, now: datetime
) -> tuple[TrackingEvent, bool]:
    """Store the event once: (the stored row, whether it is new). The same ``event_id`` with
    the same body gives the stored row; with another body :class:`EventConflictError`."""
    stored = stored_road_event(session, plan_id, vehicle, event)
    if stored is not None:
        return stored, False
    return add_road_event(session, plan, plan_id, vehicle, event, now), True


def _days_around(at: datetime) -> list[date]:
    day = at.astimezone(UTC).date()
    return [day - timedelta(days=1), day, day + timedelta(days=1)]


def record_carrier(
    session: Session, carrier: str, event: CarrierEventIn, now: datetime
) -> tuple[CarrierEventRecord, bool]:
    """Store a carrier's (already authenticated) event once: (the stored row, whether new).

    The same id with another body, or an ``at`` more than 5 minutes from ``now``, is an
    :class:`EventConflictError` (a replay); an order that the latest plan of its day does
    not outsource to this carrier is an :class:`EventError` naming ``order``.
    """
    digest = event.body_sha256()
    stored = find_carrier_event(session, carrier, event.event_id)
    if stored is not None:
        if stored.body_sha256 != digest:
            raise EventConflictError(
                "event_id", f"{event.event_id!r} was already stored with a different body"
            )
        return stored, False
    if abs(event.at - now) > CARRIER_WINDOW:
        raise EventConflictError("at", "is more than 5 minutes from the service's clock")
    plan = outsourcing_plan(session, carrier, event.order, _days_around(event.at))
    if plan is None:
        raise EventError(
            [FieldError("event", "order", f"{event.order!r} is not outsourced to {carrier}")]
        )
    row = record_carrier_event(
        session, carrier=carrier, event_id=event.event_id, plan_id=plan.id,
        plan_date=plan.plan_date, order=event.order, kind=event.kind, at=event.at,
        reason=event.reason, body_sha256=digest, received_at=now,
    )  # fmt: skip
    return row, True
