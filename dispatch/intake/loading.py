"""Load a plan request from JSON, gathering every error with the record and field it concerns."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dispatch.clock import format_clock
from dispatch.errors import FieldError, RequestError, TooLargeError, UnsupportedOptionError
from dispatch.intake.request import (
    GEO_METRICS,
    MAX_FLEET,
    MAX_MATRIX_KM,
    MAX_MATRIX_MINUTES,
    MAX_REGION_POINTS,
    MAX_REGIONS,
    OWN,
    Location,
    Request,
    TimeWindow,
)
from dispatch.text import MAX_ID, MAX_NAME, bad_text, printable, text_problem
from geo.osrm import check_url
from geo.regions import RegionError, extent, regions_from_geojson

_KEYED = ("orders", "pickup_points", "depots", "vehicles", "carriers")


def read_request(path: str | Path) -> Request:
    """Read and validate a request file."""
    text = Path(path).read_bytes()
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError([FieldError("", "", f"not valid JSON: {exc}")]) from None
    return load_request(data)


def load_request(data: Any, *, max_orders: int | None = None) -> Request:
    """Validate a parsed JSON document as a request; raise RequestError listing all problems.

    Everything planning needs is checked here, before any work starts: shapes and
    ranges, text, references, the travel matrix and the region polygons. A request
    with more than ``max_orders`` orders raises :class:`TooLargeError` unread.
    """
    if not isinstance(data, Mapping):
        raise RequestError([FieldError("", "", "the request must be a JSON object")])
    orders = data.get("orders")
    if max_orders is not None and isinstance(orders, list) and len(orders) > max_orders:
        raise TooLargeError(
            FieldError(
                "", "orders", f"{len(orders):,} orders; at most {max_orders:,} in one request"
            ),
            limit=max_orders,
        )
    try:
        request = Request.model_validate(data)
    except ValidationError as exc:
        errors = _shape_errors(exc, data)
        raise RequestError(errors + _text_errors(data, errors)) from None
    errors = _text_errors(data, [])
    errors += check_references(request)
    errors += region_errors(request)
    if errors:
        raise RequestError(errors)
    check_engine(request)
    return request


def check_engine(request: Request) -> None:
    """Raise :class:`UnsupportedOptionError` when ``options.engine`` cannot express the request.

    PyVRP alone has no rule for paid lateness (``policy.late_penalty_per_minute`` with
    ``policy.max_late_minutes``); the other engines express every rule.
    """
    policy = request.policy
    if (
        request.options.engine == "pyvrp"
        and policy.late_penalty_per_minute > 0
        and round(policy.max_late_minutes * 60) > 0
    ):
        raise UnsupportedOptionError(
            "options.engine",
            "'pyvrp' cannot plan paid lateness (policy.late_penalty_per_minute with "
            "policy.max_late_minutes); use 'portfolio', 'hybrid' or 'ortools'",
        )


def _shape_errors(exc: ValidationError, data: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    found = exc.errors(include_url=False)
    failed = {e["loc"][0] for e in found if len(e["loc"]) > 1 and isinstance(e["loc"][1], int)}
    for err in found:
        if err["type"] == "too_short" and len(err["loc"]) == 1 and err["loc"][0] in failed:
            continue  # a collection left empty by its invalid records: they are reported
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is required"
        errors.append(_located(err["loc"], message, data))
    return errors


def _located(loc: Sequence[int | str], message: str, data: Mapping[str, Any]) -> FieldError:
    """The error at ``loc`` of the request, named by its record (``orders[3]``) and field."""
    if len(loc) >= 2 and loc[0] in _KEYED and isinstance(loc[1], int):
        key, idx = str(loc[0]), int(loc[1])
        return FieldError(f"{key}[{idx}]", _dotted(loc[2:]), message, _id_of(data.get(key), idx))
    return FieldError("", _dotted(loc), message)


def _text_errors(data: Mapping[str, Any], known: Sequence[FieldError]) -> list[FieldError]:
    """Text no field may hold, anywhere in the document (fields the contract does not know
    included), except where ``known`` already names the field."""
    seen = {(e.record, e.field) for e in known}
    found = (_located(loc, message, data) for loc, message in bad_text(dict(data)))
    return [e for e in found if (e.record, e.field) not in seen]


def _id_of(records: Any, idx: int) -> str | None:
    if isinstance(records, list) and 0 <= idx < len(records) and isinstance(records[idx], dict):
        value = records[idx].get("id")
        return printable(str(value)) if value is not None else None
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
    geo = req.travel.metric in GEO_METRICS

    for i, d in enumerate(req.depots):
        rec = f"depots[{i}]"
        if d.close < d.open:
            errors.append(FieldError(rec, "close", "is before open", d.id))
        errors += _location_kind(d.location.is_geo, geo, req.travel.metric, rec, d.id)
    units = sum(v.count for v in req.vehicles)
    if units > MAX_FLEET:
        errors.append(FieldError("", "vehicles", f"{units:,} vehicles; at most {MAX_FLEET:,}"))
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
    carriers = {c.id for c in req.carriers}
    errors += [
        FieldError("", f"policy.pin.{region}", f"unknown carrier {pin!r}")
        for region, pin in req.policy.pin.items()
        if pin != OWN and pin not in carriers
    ]
    errors += _travel_matrix(req)
    errors += _travel_source(req)
    return errors


def _location_kind(is_geo: bool, geo: bool, metric: str, rec: str, rid: str) -> list[FieldError]:
    if metric == "matrix" or is_geo == geo:
        return []
    want = "lat/lon" if geo else "x/y"
    return [FieldError(rec, "location", f"the {metric} metric needs {want} coordinates", rid)]


def _travel_source(req: Request) -> list[FieldError]:
    """The road metric's extract is a readable file; the osrm metric's url an http(s) address."""
    t = req.travel
    if t.metric == "road":
        if t.osm_file is None:
            return [FieldError("", "travel.osm_file", "the road metric needs an .osm.pbf file")]
        if not t.osm_file.endswith(".pbf"):
            return [FieldError("", "travel.osm_file", "must be an OpenStreetMap .osm.pbf file")]
        if not os.path.isfile(t.osm_file) or not os.access(t.osm_file, os.R_OK):
            return [FieldError("", "travel.osm_file", f"no readable file at {t.osm_file}")]
    if t.metric == "osrm":
        if t.url is None:
            return [FieldError("", "travel.url", "the osrm metric needs the server's url")]
        try:
            check_url(t.url)
        except ValueError as exc:
            return [FieldError("", "travel.url", str(exc))]
    return []


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
        top = MAX_MATRIX_MINUTES if name == "durations" else MAX_MATRIX_KM
        unit = "minutes" if name == "durations" else "km"
        if len(rows) != n or any(len(r) != n for r in rows):
            errors.append(FieldError("", f"travel.{name}", f"must be a {n}×{n} matrix"))
        elif any(not 0 <= x <= top for r in rows for x in r):
            message = f"entries must be numbers from 0 to {top:g} {unit}"
            errors.append(FieldError("", f"travel.{name}", message))
    known = set(t.locations)
    needed = [d.id for d in req.depots] + [p.id for p in req.pickup_points]
    needed += [o.id for o in req.orders if o.pickup_point is None]
    missing = [x for x in needed if x not in known]
    if missing:
        errors.append(FieldError("", "travel.locations", f"missing {', '.join(missing[:10])}"))
    return errors


_WHERE = re.compile(r"^(regions\.features\[\d+\])(?: \(id (.*?)\))?: (.*)$", re.DOTALL)


def region_errors(req: Request) -> list[FieldError]:
    """The problems of the request's region polygons: the collection, the ids, the geometry."""
    regions = req.regions
    if regions is None:
        return []
    features = regions.get("features")
    if regions.get("type") != "FeatureCollection" or not isinstance(features, list):
        return [FieldError("", "regions", "must be a GeoJSON FeatureCollection with features")]
    if len(features) > MAX_REGIONS:
        message = f"{len(features):,} features; at most {MAX_REGIONS:,} regions are allowed"
        return [FieldError("", "regions.features", message)]
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    points = 0
    for i, feature in enumerate(features):
        record = f"regions.features[{i}]"
        if not isinstance(feature, Mapping):
            errors.append(FieldError(record, "", "must be a GeoJSON Feature object"))
            continue
        props = feature.get("properties")
        props = props if isinstance(props, Mapping) else {}
        raw = props.get("id", feature.get("id"))
        rid = region_id(raw)
        if rid is None:
            errors.append(FieldError(record, "properties.id", "is required (a string)"))
        elif (problem := text_problem(rid, MAX_ID)) is not None:
            errors.append(FieldError(record, "properties.id", problem, printable(rid)))
            rid = None
        elif rid in seen:
            message = f"duplicate id, also used by regions.features[{seen[rid]}]"
            errors.append(FieldError(record, "properties.id", message, rid))
        else:
            seen[rid] = i
        name = props.get("name")
        if name is not None:
            problem = text_problem(name, MAX_NAME) if isinstance(name, str) else "must be text"
            if problem is not None:
                errors.append(FieldError(record, "properties.name", problem, rid))
        geometry = feature.get("geometry")
        if isinstance(geometry, Mapping):
            points += _count_points(geometry.get("coordinates"))
    if points > MAX_REGION_POINTS:
        message = f"{points:,} coordinates; at most {MAX_REGION_POINTS:,} in all regions"
        return [*errors, FieldError("", "regions.features", message)]
    try:
        regions_from_geojson(regions, bounds=_extent(req))
    except RegionError as exc:
        found = {(e.record, e.field) for e in errors}
        more = (_region_error(message) for message in exc.messages)
        errors += [e for e in more if (e.record, e.field) not in found]
    return errors


def region_id(raw: Any) -> str | None:
    """A feature's id as the planner reads it: text (stripped) or a whole number."""
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return None


def _count_points(coordinates: Any) -> int:
    if not isinstance(coordinates, list):
        return 0
    if not coordinates or not isinstance(coordinates[0], list):
        return 1
    return sum(_count_points(c) for c in coordinates)


def _region_error(message: str) -> FieldError:
    match = _WHERE.match(message)
    if match is None:
        return FieldError("", "regions", message)
    record, rid, text = match.groups()
    field = "properties.id" if "properties.id" in text or "duplicate id" in text else "geometry"
    return FieldError(record, field, text, rid)


def _extent(req: Request) -> tuple[float, float, float, float] | None:
    """The extent of the places the regions are for (as the planner assigns them)."""
    places = {p.id: p.location for p in req.pickup_points}
    located: list[Location | None] = [
        places.get(o.pickup_point) if o.pickup_point else o.location
        for o in req.orders
        if not o.region
    ]
    coords = [
        (p.lon if p.lon is not None else p.x, p.lat if p.lat is not None else p.y)
        for p in located
        if p is not None
    ]
    finite = [(x, y) for x, y in coords if x is not None and y is not None and math.isfinite(x + y)]
    if not finite:
        return None
    xs, ys = zip(*finite, strict=True)
    return extent(list(xs), list(ys))
