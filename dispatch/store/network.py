"""The stored delivery network: depots, vehicles, pickup points, regions, carriers, defaults.

Together they are a plan request without a date or orders; :func:`load_network`
returns them in the contract's shape, ready for a day's orders to be added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, FieldError, RequestError
from dispatch.intake.loading import load_request, region_id
from dispatch.intake.request import Request
from dispatch.store.models import (
    Carrier,
    Depot,
    Json,
    NetworkSetting,
    Order,
    PickupPoint,
    Region,
    VehicleRecord,
)

SETTINGS = ("timezone", "travel", "policy", "options")
RECORDS = ("depots", "vehicles", "pickup_points", "carriers")
_ANY_DATE = "2000-01-01"


def validate_network(doc: Mapping[str, Any]) -> Request:
    """The network as a validated request without orders; raises RequestError listing problems."""
    if not isinstance(doc, Mapping):
        raise RequestError([FieldError("", "", "the network must be a JSON object")])
    parts = {k: v for k, v in doc.items() if k in (*SETTINGS, *RECORDS, "regions")}
    return load_request({**parts, "date": _ANY_DATE, "orders": []})


def replace_network(session: Session, request: Request) -> dict[str, int]:
    """Store ``request``'s network in place of the current one; returns counts per record kind.

    Raises ConflictError when a pickup point that stored orders use would disappear.
    """
    keep = {p.id for p in request.pickup_points}
    in_use = sorted(
        str(point)
        for point in session.scalars(
            select(Order.pickup_point_id)
            .where(Order.pickup_point_id.is_not(None), Order.pickup_point_id.not_in(keep))
            .distinct()
        )
    )
    if in_use:
        raise ConflictError(
            f"pickup points still used by stored orders cannot be removed: {', '.join(in_use)}"
        )
    for table in (VehicleRecord, Depot, Carrier, Region, NetworkSetting):
        session.execute(delete(table))
    session.execute(delete(PickupPoint).where(PickupPoint.id.not_in(keep)))
    session.flush()

    def dump(record: Any) -> Json:
        data: Json = record.model_dump(mode="json", exclude_none=True)
        return data

    for d in request.depots:
        session.add(
            Depot(id=d.id, name=d.name, lat=d.location.lat, lon=d.location.lon, data=dump(d))
        )
    session.flush()
    for v in request.vehicles:
        session.add(VehicleRecord(id=v.id, depot_id=v.depot, count=v.count, data=dump(v)))
    for p in request.pickup_points:
        session.merge(
            PickupPoint(id=p.id, name=p.name, lat=p.location.lat, lon=p.location.lon, data=dump(p))
        )
    for c in request.carriers:
        session.add(Carrier(id=c.id, name=c.name, data=dump(c)))
    for feature in (request.regions or {}).get("features", []):
        props = feature.get("properties") or {}
        rid = region_id(props.get("id", feature.get("id")))
        backup = props.get("backup_carrier")
        session.add(Region(id=rid, name=str(props.get("name") or ""), feature=feature,
                           backup_carrier=str(backup) if backup else None))  # fmt: skip
    session.add(NetworkSetting(key="timezone", value={"value": request.timezone}))
    for key in ("travel", "policy", "options"):
        session.add(NetworkSetting(key=key, value=dump(getattr(request, key))))
    return {
        "depots": len(request.depots),
        "vehicles": len(request.vehicles),
        "pickup_points": len(request.pickup_points),
        "regions": len((request.regions or {}).get("features", [])),
        "carriers": len(request.carriers),
    }


def load_network(session: Session) -> Json:
    """The stored network as the request's parts (no ``date``, no ``orders``)."""
    settings = {s.key: s.value for s in session.scalars(select(NetworkSetting))}
    doc: Json = {}
    if "timezone" in settings:
        doc["timezone"] = settings["timezone"]["value"]
    for key in ("travel", "policy", "options"):
        if key in settings:
            doc[key] = settings[key]
    doc["depots"] = [d.data for d in session.scalars(select(Depot).order_by(Depot.id))]
    doc["vehicles"] = [
        v.data for v in session.scalars(select(VehicleRecord).order_by(VehicleRecord.id))
    ]
    doc["pickup_points"] = [
        p.data for p in session.scalars(select(PickupPoint).order_by(PickupPoint.id))
    ]
    features = [_with_backup(r) for r in session.scalars(select(Region).order_by(Region.id))]
    doc["regions"] = {"type": "FeatureCollection", "features": features} if features else None
    doc["carriers"] = [c.data for c in session.scalars(select(Carrier).order_by(Carrier.id))]
    return doc


def pickup_points(session: Session) -> list[Json]:
    """The stored pickup points as contract records."""
    return [p.data for p in session.scalars(select(PickupPoint).order_by(PickupPoint.id))]


def network_is_empty(session: Session) -> bool:
    """True when nothing at all has been stored yet (no depots, no orders)."""
    return not session.scalar(select(exists(select(Depot.id)) | exists(select(Order.id))))


def record_counts(session: Session) -> dict[str, int]:
    tables = {"depots": Depot, "vehicles": VehicleRecord, "pickup_points": PickupPoint,
              "regions": Region, "carriers": Carrier}  # fmt: skip
    return {
        name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in tables.items()
    }


def _with_backup(region: Region) -> Json:
    """The region's feature, its ``backup_carrier`` property from the column when set."""
    if not region.backup_carrier:
        return region.feature
    props = {**(region.feature.get("properties") or {}), "backup_carrier": region.backup_carrier}
    return {**region.feature, "properties": props}
