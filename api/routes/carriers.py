"""Carriers report on the orders outsourced to them: picked up, delivered, failed.

A carrier proves who it is by signing the raw body: ``X-Signature: sha256=<hex HMAC-SHA256
of the body with the carrier's secret>`` (secrets from ``DISPATCH_CARRIER_SECRETS``). A
missing or wrong signature, or a carrier without a secret, is 401 and changes nothing.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, SettingsDep, StoreDep
from api.problems import AuthenticationError, problem_responses
from api.routes.live import live_views
from api.schemas import CarrierEventOut
from api.views.live import LiveViews
from dispatch.live.events import CarrierEventIn, record_carrier, signature_ok
from dispatch.live.wallclock import WallClock
from dispatch.live.watch import react
from dispatch.store import Store
from dispatch.store.models import CarrierEventRecord
from dispatch.text import MAX_ID

router = APIRouter(tags=["carriers"])

_EXAMPLE = {
    "event_id": "cat-991",
    "kind": "delivered",
    "order": "WEB-2001",
    "at": "2026-12-08T15:02:00+08:00",
}


class SignatureError(AuthenticationError):
    """A carrier's event without a valid signature."""

    challenge = 'Signature realm="carriers", algorithm="hmac-sha256"'


def _out(row: CarrierEventRecord) -> dict[str, Any]:
    return CarrierEventOut(
        id=row.id, event_id=row.event_id, carrier=row.carrier, kind=row.kind.value,
        order=row.order_id, plan_id=row.plan_id, at=row.at.astimezone(UTC),
        received_at=row.received_at.astimezone(UTC),
        reason=row.reason,
    ).model_dump(mode="json")  # fmt: skip


def _record(
    store: Store, views: LiveViews, carrier: str, raw: bytes, clock: WallClock, public_url: str
) -> tuple[int, dict[str, Any]]:
    """Store the event once, with the alerts and notices it causes in the same transaction."""
    event = CarrierEventIn.parse(raw)
    for attempt in (1, 2):
        try:
            with store.write() as session:
                now = clock.now()
                row, created = record_carrier(session, carrier, event, now)
                if created and row.plan_id is not None:
                    status = views.status(session, row.plan_id, now).status
                    react(session, row.plan_id, status, now, public_url=public_url,
                          rules=views.rules.load(session),
                          facts=views.facts(session, row.plan_id))  # fmt: skip
                return (201 if created else 200), _out(row)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@router.post(
    "/carriers/{carrier_id}/events",
    status_code=201,
    response_model=CarrierEventOut,
    responses={
        200: {"model": CarrierEventOut, "description": "The same event again: as stored"},
        **problem_responses(400, 401, 409, 422),
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "object", "required": ["event_id", "kind", "order", "at"],
                   "properties": {"event_id": {"type": "string"},
                                  "kind": {"enum": ["picked_up", "delivered", "failed"]},
                                  "order": {"type": "string"},
                                  "at": {"type": "string", "format": "date-time"},
                                  "reason": {"type": "string"}}},
        "example": _EXAMPLE}}}},
)  # fmt: skip
async def carrier_event(
    carrier_id: Annotated[str, Path(min_length=1, max_length=MAX_ID, description="The carrier")],
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    x_signature: Annotated[
        str | None, Header(description="sha256=<hex HMAC-SHA256 of the raw body>")
    ] = None,
) -> Response:
    """Record a carrier's event about an order outsourced to it (`picked_up`, `delivered`,
    `failed` with an optional `reason`).

    The raw body must be signed with the carrier's secret: `X-Signature: sha256=<hex
    HMAC-SHA256>`; otherwise 401. `event_id` makes it idempotent: the same id and body again
    answers 200 with the stored event; the same id with another body, or an `at` more than
    5 minutes from the service's clock (a replay), answers 409 and changes nothing. An order
    that the latest plan of its day does not outsource to this carrier is 422 naming `order`.

    **Roles:** none: the carrier's signature is the credential.
    """
    raw = await request.body()
    secret = settings.carrier_secret(carrier_id)
    if secret is None or not signature_ok(secret, raw, x_signature):
        raise SignatureError("missing or wrong X-Signature for this carrier")
    status, body = await run_in_threadpool(
        _record, store, live_views(request), carrier_id, raw, clock, settings.public_url
    )
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
