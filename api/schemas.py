"""The API's public shapes: envelopes, jobs, plans, import reports, keys, audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.problems import ErrorItem, ProblemDetail
from dispatch.store import JobStatus, Role
from dispatch.text import PlainText

T = TypeVar("T")


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(from_attributes=True, json_schema_extra={"examples": list(examples)})


def _page_example(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """A page's example: one item, from the item model's own example."""
    (item,) = cls.__pydantic_generic_metadata__["args"] or (None,)
    extra = getattr(item, "model_config", {}).get("json_schema_extra") or {}
    if isinstance(extra, dict) and extra.get("examples"):
        schema["examples"] = [{"data": [extra["examples"][0]], "count": 1}]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``data`` and the ``count`` of all items."""

    model_config = ConfigDict(json_schema_extra=_page_example)

    data: list[T]
    count: int = Field(ge=0)


class Health(BaseModel):
    model_config = _examples({"status": "ok", "database": "ok", "version": "0.1.0"})

    status: str
    database: str
    version: str


class PlanAccepted(BaseModel):
    model_config = _examples(
        {
            "job_id": "5f1c0a3e9b7d4f21a8e6c2d4b0f19a77",
            "status_url": "/jobs/5f1c0a3e9b7d4f21a8e6c2d4b0f19a77",
        }
    )

    job_id: str
    status_url: str


class Job(BaseModel):
    """A plan job: its state, progress, and the plan or the problem it ended with."""

    model_config = _examples(
        {
            "id": "5f1c0a3e9b7d4f21a8e6c2d4b0f19a77", "status": "running", "source": "stored",
            "date": "2026-11-11", "created_at": "2026-11-10T14:00:00Z",
            "started_at": "2026-11-10T14:00:01Z", "finished_at": None, "elapsed_s": 12.4,
            "time_limit_s": 30.0, "best_cost": 48210.5, "solutions": 17, "plan_id": None,
            "plan_url": None, "error": None,
        }
    )  # fmt: skip

    id: str
    status: JobStatus
    source: str = Field(description="`stored` (a date's stored orders) or `request` (a full body)")
    date: dt.date
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    elapsed_s: float | None = Field(description="Seconds since the solve started (or its duration)")
    time_limit_s: float
    best_cost: float | None = Field(
        description="Cost of the cheapest whole day plan found so far, in currency units "
        "(carriers and penalties included); never rises, never below the final plan's cost"
    )
    solutions: int = Field(description="Whole day plans costed so far")
    plan_id: int | None
    plan_url: str | None
    error: ProblemDetail | None


class PlanSummary(BaseModel):
    model_config = _examples(
        {
            "id": 12, "job_id": "5f1c0a3e9b7d4f21a8e6c2d4b0f19a77", "date": "2026-11-11",
            "status": "partial", "total_cost": 48210.5, "orders": 600, "unserved": 3,
            "vehicles_used": 11, "created_at": "2026-11-10T14:00:31Z", "url": "/plans/12",
            "open_alerts": 2,
        }
    )  # fmt: skip

    id: int
    job_id: str
    date: dt.date = Field(validation_alias="plan_date")
    status: str
    total_cost: float
    orders: int
    unserved: int
    vehicles_used: int
    created_at: dt.datetime
    url: str
    open_alerts: int = Field(0, description="Alerts of the plan still open (not acknowledged)")

    @classmethod
    def of(cls, plan: Any, open_alerts: int = 0) -> PlanSummary:
        """The summary of a stored plan record."""
        fields = ("id", "job_id", "plan_date", "status", "total_cost", "orders", "unserved",
                  "vehicles_used", "created_at")  # fmt: skip
        return cls.model_validate(
            {**{k: getattr(plan, k) for k in fields}, "url": f"/plans/{plan.id}",
             "open_alerts": open_alerts}
        )  # fmt: skip


class Duplicate(BaseModel):
    record: str
    id: str
    duplicate_of: str
    reason: str


class ImportReport(BaseModel):
    """What an import stored, and what it left out and why."""

    model_config = _examples(
        {
            "batch_id": 3, "format": "csv", "mapping": "line", "sha256": "9f2c…", "rows": 1480,
            "received": 600, "stored": 597, "already_imported": False,
            "duplicates": [
                {"record": "row 212", "id": "WEB-1002", "duplicate_of": "LINE-88123",
                 "reason": "same customer, destination, items and window as an order from line"}
            ],
            "errors": [], "ignored_columns": ["備註"],
        }
    )  # fmt: skip

    batch_id: int | None
    format: str
    mapping: str
    sha256: str
    rows: int
    received: int
    stored: int
    already_imported: bool
    duplicates: list[Duplicate]
    errors: list[ErrorItem]
    ignored_columns: list[str]
    preview: bool = False
    """A preview: nothing was stored; ``stored`` is what the import would store."""
    orders: list[dict[str, Any]] | None = None
    """In a preview, the normalised orders that pass the checks, each with its ``date``."""


class ImportBatch(BaseModel):
    model_config = _examples(
        {
            "id": 3, "format": "csv", "mapping": "line", "filename": "line-1111.csv",
            "created_at": "2026-11-10T09:00:00Z", "created_by": "key:2 (desk)", "received": 600,
            "stored": 597,
        }
    )  # fmt: skip

    id: int
    format: str
    mapping: str
    filename: str | None
    created_at: dt.datetime
    created_by: str
    received: int
    stored: int


class StoredOrder(BaseModel):
    model_config = _examples(
        {
            "order_id": "LINE-88123", "platform": "line", "date": "2026-11-11", "batch_id": 3,
            "order": {"id": "LINE-88123", "platform": "line", "pickup_point": "PP-017",
                      "items": [{"sku": "milk-1l", "qty": 6, "temperature": "chilled"}]},
        }
    )  # fmt: skip

    order_id: str
    platform: str
    date: dt.date = Field(validation_alias="delivery_date")
    batch_id: int
    order: dict[str, Any] = Field(validation_alias="data")
    status: str = "active"
    """``active``, or ``cancelled`` (kept, never planned)."""
    updated_at: dt.datetime | None = None
    carried_over_from: dt.date | None = None


class PlanForDate(BaseModel):
    """Plan the stored orders of ``date`` with the stored network."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    options: dict[str, Any] | None = Field(None, description="Overrides of the request's options")
    policy: dict[str, Any] | None = Field(None, description="Overrides of the stored policy")


class NetworkCounts(BaseModel):
    model_config = _examples(
        {"depots": 2, "vehicles": 8, "pickup_points": 60, "regions": 9, "carriers": 3}
    )

    depots: int
    vehicles: int
    pickup_points: int
    regions: int
    carriers: int


class KeyCreate(BaseModel):
    model_config = _examples({"role": "dispatcher", "name": "north desk"})

    role: Role
    name: Annotated[str, AfterValidator(PlainText())] = Field("", max_length=100)


class ApiKey(BaseModel):
    model_config = _examples(
        {"id": 2, "role": "dispatcher", "name": "north desk", "created_at": "2026-11-01T08:00:00Z",
         "revoked_at": None}
    )  # fmt: skip

    id: int
    role: Role
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class KeyCreated(ApiKey):
    model_config = _examples(
        {"id": 2, "role": "dispatcher", "name": "north desk", "created_at": "2026-11-01T08:00:00Z",
         "revoked_at": None, "key": "dk_3q2+…"}
    )  # fmt: skip

    key: str = Field(description="The secret: shown once, only its hash is kept")


class AuditEntry(BaseModel):
    model_config = _examples(
        {"id": 40, "at": "2026-11-10T09:00:00Z", "actor": "key:2 (north desk)",
         "action": "orders.import", "target": "batch:3", "detail": {"stored": 597}}
    )  # fmt: skip

    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


class OrderDetail(StoredOrder):
    """A stored order and its history: the audit entries about it, oldest first."""

    history: list[AuditEntry]


class OrderChange(BaseModel):
    """An order corrected or cancelled; the current plans holding it need a re-plan."""

    model_config = _examples(
        {"order": StoredOrder.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
         "replan_needed": True, "plan_ids": [12]}
    )  # fmt: skip

    order: StoredOrder
    replan_needed: bool
    plan_ids: list[int]


class DriverLinkRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"vehicles": ["N-REEFER#1"]}]}
    )

    vehicles: list[str] | None = Field(None, description="Routes to link; all when omitted")
    expires_at: dt.datetime | None = Field(
        None, description="Default: six hours after the end of the plan day, in its time zone"
    )


class DriverLinks(BaseModel):
    model_config = _examples(
        {"links": {"N-REEFER#1": "/d/kq1J0v…"}, "expires_at": "2026-11-12T04:00:00Z"}
    )

    links: dict[str, str] = Field(description="Vehicle → the driver's page path (holds the token)")
    expires_at: dt.datetime


class LiveDriverLink(BaseModel):
    """A driver link that works now."""

    model_config = _examples(
        {"id": 31, "vehicle": "N-REEFER#1", "link": "/d/kq1J0v…",
         "created_at": "2026-11-10T14:00:31Z", "expires_at": "2026-11-12T04:00:00Z"}
    )  # fmt: skip

    id: int
    vehicle: str
    link: str | None = Field(
        description="The driver's page path (holds the token); null when the service has no "
        "link key that derives it (issue a new link instead)"
    )
    created_at: dt.datetime
    expires_at: dt.datetime


class Revoked(BaseModel):
    model_config = _examples({"revoked": 11})

    revoked: int


_EVENT = {
    "id": 7, "source": "driver", "event_id": "c0a8-17", "vehicle": "VAN-NH#1",
    "kind": "delivered", "stop": "PP-017",
    "orders": ["LINE-88123"], "at": "2026-12-08T10:42:00+08:00", "time": "10:42",
    "received_at": "2026-12-08T10:42:03+08:00", "reason": None, "note": None,
    "recipient": "王小姐", "lat": 25.041, "lon": 121.565, "photo": "/plans/12/events/7/photo",
}  # fmt: skip


class TrackingEvent(BaseModel):
    """A driver's or a carrier's event as stored, its times in the plan's time zone."""

    model_config = _examples(_EVENT)

    id: int | None = None
    source: Literal["driver", "carrier"] = Field(
        "driver", description="Who sent it: a driver (``vehicle``) or a carrier (``carrier``)"
    )
    event_id: str
    vehicle: str | None
    carrier: str | None = None
    kind: str
    stop: str | None
    orders: list[str]
    at: dt.datetime
    time: str = Field(description="``at`` as HH:MM on the plan day's clock")
    received_at: dt.datetime
    reason: str | None
    note: str | None
    recipient: str | None
    lat: float | None
    lon: float | None
    photo: str | None = Field(description="The URL of the proof-of-delivery photo, if any")


class CarrierEventOut(BaseModel):
    """A carrier's event as stored."""

    model_config = _examples(
        {"id": 3, "event_id": "cat-991", "carrier": "CAT", "kind": "delivered",
         "order": "WEB-2001", "plan_id": 12, "at": "2026-12-08T15:02:00+08:00",
         "received_at": "2026-12-08T15:02:04+08:00", "reason": None}
    )  # fmt: skip

    id: int
    event_id: str
    carrier: str
    kind: str
    order: str
    plan_id: int
    at: dt.datetime
    received_at: dt.datetime
    reason: str | None


class PositionOut(BaseModel):
    lat: float
    lon: float
    at: dt.datetime


class StopStatusOut(BaseModel):
    stop: str
    state: str = Field(description="planned, arrived, delivered, partly_delivered or failed")
    orders: list[str]
    planned_arrival: dt.datetime
    actual_arrival: dt.datetime | None
    predicted_arrival: dt.datetime | None = Field(description="None once the stop is reached")
    predicted_late_minutes: int = Field(description="Past the stop's last window end")
    predicted_cold_minutes: int | None = Field(
        description="Minutes since leaving the depot at service, for chilled or frozen goods"
    )
    cold_limit_minutes: int | None
    window_end: dt.datetime | None
    delivered_orders: list[str]
    failed_orders: list[str]
    reason: str | None


class RouteStatusOut(BaseModel):
    vehicle: str
    departed_at: dt.datetime | None
    last_event: TrackingEvent | None
    position: PositionOut | None
    predicted_end: dt.datetime | None
    stops: list[StopStatusOut]


class OrderStatusOut(BaseModel):
    order: str
    state: str = Field(
        description="planned, out_for_delivery, delivered, failed, outsourced, "
        "carrier_delivered, carried_over, cancelled or unserved"
    )
    stop: str | None
    vehicle: str | None
    carrier: str | None
    region: str | None
    reason: str | None
    predicted_arrival: dt.datetime | None
    predicted_late_minutes: int


class PlanStatus(BaseModel):
    """Where a plan stands: per route and stop, actual and predicted times; per order, its
    state."""

    model_config = _examples(
        {"plan_id": 12, "as_of": "2026-12-08T10:45:00+08:00",
         "routes": [{"vehicle": "VAN-NH#1", "departed_at": "2026-12-08T08:31:00+08:00",
                     "last_event": {k: v for k, v in _EVENT.items() if k != "id"},
                     "position": {"lat": 25.041, "lon": 121.565,
                                  "at": "2026-12-08T10:42:00+08:00"},
                     "predicted_end": "2026-12-08T13:10:00+08:00",
                     "stops": [{"stop": "PP-017", "state": "delivered",
                                "orders": ["LINE-88123"],
                                "planned_arrival": "2026-12-08T10:30:00+08:00",
                                "actual_arrival": "2026-12-08T10:40:00+08:00",
                                "predicted_arrival": None, "predicted_late_minutes": 0,
                                "predicted_cold_minutes": 129, "cold_limit_minutes": 240,
                                "window_end": "2026-12-08T12:00:00+08:00",
                                "delivered_orders": ["LINE-88123"], "failed_orders": [],
                                "reason": None}]}],
         "orders": [{"order": "LINE-88123", "state": "delivered", "stop": "PP-017",
                     "vehicle": "VAN-NH#1", "carrier": None, "region": None, "reason": None,
                     "predicted_arrival": None, "predicted_late_minutes": 0}]}
    )  # fmt: skip

    plan_id: int
    as_of: dt.datetime
    routes: list[RouteStatusOut]
    orders: list[OrderStatusOut]
