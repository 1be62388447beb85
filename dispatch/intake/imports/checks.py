"""Candidates checked as the request checks its orders (shape, text, pickup points and places
against the stored network); every problem is named by its row or record and field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError

from dispatch.errors import FieldError
from dispatch.intake.imports.candidates import Candidate, ValidOrder
from dispatch.intake.imports.duplicates import fingerprint
from dispatch.intake.loading import check_references
from dispatch.intake.request import Order, PickupPoint, Request, Travel
from dispatch.store.models import Json
from dispatch.text import printable


def validate_candidates(
    candidates: Sequence[Candidate],
    points: Sequence[Json],
    travel: Json | None,
    errors: list[FieldError],
) -> list[ValidOrder]:
    """Candidates that pass the request's checks; the problems of the rest go to ``errors``."""
    parsed: list[tuple[Candidate, Order]] = []
    for c in candidates:
        errors += c.errors
        try:
            order = Order.model_validate(c.order)
        except ValidationError as exc:
            found = {(e.record, e.field) for e in c.errors}
            errors += [e for e in _shape_errors(c, exc) if (e.record, e.field) not in found]
            continue
        if not c.errors:
            parsed.append((c, order))
    known = tuple(PickupPoint.model_validate(p) for p in points)
    request = Request.model_construct(
        date=date(2000, 1, 1),
        travel=Travel.model_validate(travel or {}),
        depots=(),
        pickup_points=known,
        orders=tuple(o for _, o in parsed),
    )
    bad: set[int] = set()
    for e in check_references(request):
        match = re.fullmatch(r"orders\[(\d+)\]", e.record)
        if match is None or e.field == "id":
            continue
        k = int(match.group(1))
        bad.add(k)
        errors.append(FieldError(parsed[k][0].label, e.field, e.message, e.record_id))
    return [
        ValidOrder(
            c,
            o,
            c.day,
            _merged(c.order, o.model_dump(mode="json", exclude_none=True)),
            fingerprint(o, c.day),
        )
        for k, (c, o) in enumerate(parsed)
        if k not in bad and c.day is not None
    ]


def _shape_errors(c: Candidate, exc: ValidationError) -> list[FieldError]:
    oid = printable(str(c.order.get("id") or "")) or None
    out = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        label = (
            c.item_label(loc[1])
            if loc[:1] == ["items"] and len(loc) > 1 and isinstance(loc[1], int)
            else c.label
        )
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        message = "is required" if err["type"] == "missing" else err["msg"]
        out.append(FieldError(label, where, message.removeprefix("Value error, "), oid))
    return out


def _merged(raw: Json, normal: Json) -> Json:
    """The validated record, keeping fields the contract does not know (item names, notes)."""
    out = {**{k: v for k, v in raw.items() if k not in normal}, **normal}
    raw_items = raw.get("items")
    extras = [r if isinstance(r, dict) else {} for r in raw_items or ()]
    out["items"] = [
        {**{k: v for k, v in (extras[i] if i < len(extras) else {}).items() if k not in n}, **n}
        for i, n in enumerate(normal.get("items", []))
    ]
    return out
