"""Load a plan request from JSON, gathering every error with the record and field it concerns."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dispatch.clock import format_clock
from dispatch.request import Request, TimeWindow

_KEYED = ("orders", "pickup_points", "depots", "vehicles", "carriers")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in the input: where (``orders[17]``, id, ``time_windows[0].end``) and what."""

    record: str
    field: str
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        where = self.record
        if self.record_id is not None:
            where += f" (id {self.record_id})"
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, str | None]:
        return {
            "record": self.record,
            "id": self.record_id,
            "field": self.field,
            "message": self.message,
            "text": str(self),
        }


class RequestError(ValueError):
    """The request cannot be planned; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"{len(self.errors)} error(s) in the request:\n{lines}{more}")


def read_request(path: str | Path) -> Request:
    """Read and validate a request file."""
    text = Path(path).read_bytes()
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError([FieldError("", "", f"not valid JSON: {exc}")]) from None
    return load_request(data)


def load_request(data: Any) -> Request:
    """Validate a parsed JSON document as a request; raise RequestError listing all problems."""
    if not isinstance(data, Mapping):
        raise RequestError([FieldError("", "", "the request must be a JSON object")])
    try:
        request = Request.model_validate(data)
    except ValidationError as exc:
        raise RequestError(_shape_errors(exc, data)) from None
    errors = check_references(request)
    if errors:
        raise RequestError(errors)
    return request


def _shape_errors(exc: ValidationError, data: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if len(loc) >= 2 and loc[0] in _KEYED and isinstance(loc[1], int):
            key, idx = str(loc[0]), int(loc[1])
            record = f"{key}[{idx}]"
            record_id = _id_of(data.get(key), idx)
            field = _dotted(loc[2:])
        else:
            record, record_id, field = "", None, _dotted(loc)
        if err["type"] == "missing":
            message = "is required"
        errors.append(FieldError(record, field, message, record_id))
    return errors


def _id_of(records: Any, idx: int) -> str | None:
    if isinstance(records, list) and 0 <= idx < len(records) and isinstance(records[idx], dict):
        value = records[idx].get("id")
        return str(value) if value is not None else None
    return None


def _dotted(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _windows(windows: Sequence[TimeWindow], record: str, rid: str) -> list[FieldError]:
    errors = []
    for k, tw in enumerate(windows):
        if tw.end < tw.start:
            errors.append(
                FieldError(
                    record,
                    f"time_windows[{k}].end",
                    f"{format_clock(tw.end)} is before start {format_clock(tw.start)}",
                    rid,
                )
            )
    ordered = sorted(windows, key=lambda w: w.start)
    for a, b in itertools.pairwise(ordered):
        if b.start <= a.end and a.end >= a.start and b.end >= b.start:
            errors.append(
                FieldError(record, "time_windows", "windows overlap; merge them into one", rid)
            )
            break
    return errors


def check_references(req: Request) -> list[FieldError]:
    """Cross-record checks pydantic cannot see: ids, references, windows, coordinates."""
    errors: list[FieldError] = []
    for key in _KEYED:
        records = getattr(req, key)
        counts = Counter(r.id for r in records)
        seen: set[str] = set()
        for i, r in enumerate(records):
            if counts[r.id] > 1 and r.id in seen:
                errors.append(FieldError(f"{key}[{i}]", "id", "duplicate id", r.id))
            seen.add(r.id)

    depots = {d.id for d in req.depots}
    points = {p.id: p for p in req.pickup_points}
    geo = req.travel.metric == "haversine"

    for i, d in enumerate(req.depots):
        rec = f"depots[{i}]"
        if d.close < d.open:
            errors.append(FieldError(rec, "close", "is before open", d.id))
        errors += _location_kind(d.location.is_geo, geo, req.travel.metric, rec, d.id)
    for i, v in enumerate(req.vehicles):
        rec = f"vehicles[{i}]"
        for field in ("depot", "end_depot"):
            ref = getattr(v, field)
            if ref is not None and ref not in depots:
                errors.append(FieldError(rec, field, f"unknown depot {ref!r}", v.id))
        if v.shift.end < v.shift.start:
            errors.append(FieldError(rec, "shift.end", "is before shift.start", v.id))
    for i, p in enumerate(req.pickup_points):
        rec = f"pickup_points[{i}]"
        errors += _windows(p.time_windows, rec, p.id)
        errors += _location_kind(p.location.is_geo, geo, req.travel.metric, rec, p.id)
    for i, o in enumerate(req.orders):
        rec = f"orders[{i}]"
        if o.pickup_point is not None:
            if o.pickup_point not in points:
                errors.append(
                    FieldError(
                        rec, "pickup_point", f"unknown pickup point {o.pickup_point!r}", o.id
                    )
                )
        elif o.location is None:
            errors.append(FieldError(rec, "location", "needs a location or a pickup_point", o.id))
        else:
            errors += _location_kind(o.location.is_geo, geo, req.travel.metric, rec, o.id)
        errors += _windows(o.time_windows, rec, o.id)
        if not o.items:
            errors.append(FieldError(rec, "items", "an order needs at least one item", o.id))
    for i, c in enumerate(req.carriers):
        if (
            c.handover_by is not None
            and c.delivers_by is not None
            and c.delivers_by < c.handover_by
        ):
            errors.append(
                FieldError(f"carriers[{i}]", "delivers_by", "is before handover_by", c.id)
            )
    errors += _travel_matrix(req)
    return errors


def _location_kind(is_geo: bool, geo: bool, metric: str, rec: str, rid: str) -> list[FieldError]:
    if metric == "matrix" or is_geo == geo:
        return []
    want = "lat/lon" if geo else "x/y"
    return [FieldError(rec, "location", f"the {metric} metric needs {want} coordinates", rid)]


def _travel_matrix(req: Request) -> list[FieldError]:
    t = req.travel
    if t.metric != "matrix":
        return []
    errors = []
    if t.locations is None or t.durations is None or t.distances is None:
        return [FieldError("", "travel", "the matrix metric needs locations, durations, distances")]
    n = len(t.locations)
    for name in ("durations", "distances"):
        rows = getattr(t, name)
        if len(rows) != n or any(len(r) != n for r in rows):
            errors.append(FieldError("", f"travel.{name}", f"must be a {n}×{n} matrix"))
        elif any(x < 0 or x != x for r in rows for x in r):
            errors.append(FieldError("", f"travel.{name}", "negative or NaN entries"))
    known = set(t.locations)
    needed = [d.id for d in req.depots] + [p.id for p in req.pickup_points]
    needed += [o.id for o in req.orders if o.pickup_point is None]
    missing = [x for x in needed if x not in known]
    if missing:
        errors.append(FieldError("", "travel.locations", f"missing {', '.join(missing[:10])}"))
    return errors
