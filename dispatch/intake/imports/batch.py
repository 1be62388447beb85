"""Storing an import as one batch: all or nothing unless ``keep_valid``, and never twice for one
file (a file seen before gives back its earlier report)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import FieldError
from dispatch.intake.imports.candidates import ReadResult, ValidOrder
from dispatch.intake.imports.checks import validate_candidates
from dispatch.intake.imports.duplicates import deduplicate
from dispatch.intake.imports.outcome import Duplicate, ImportOutcome, ImportRejectedError
from dispatch.store.models import ImportBatch, Json
from dispatch.store.orders import NewOrder, add_batch, batch_by_hash


def import_orders(
    session: Session,
    read: ReadResult,
    *,
    points: Sequence[Json],
    travel: Json | None = None,
    actor: str,
    filename: str | None = None,
    keep_valid: bool = False,
    preview: bool = False,
) -> ImportOutcome:
    """Validate, de-duplicate and store the orders read from one file as one batch.

    Returns the earlier report, marked ``already_imported``, for a file seen before.
    Raises ImportRejectedError (storing nothing) when any order is invalid, unless
    ``keep_valid``: then the valid orders are stored and the errors reported. A
    ``preview`` stores nothing and raises nothing: it reports what the import would store
    (``stored``, and the normalised ``orders`` that pass) and every error.
    """
    earlier = batch_by_hash(session, read.sha256)
    if earlier is not None and not preview:
        report = ImportOutcome(**_report_fields(earlier.report))
        report.already_imported = True
        return report
    report = ImportOutcome(
        read.format, read.mapping, read.sha256, read.rows, len(read.candidates),
        ignored_columns=list(read.ignored_columns), already_imported=earlier is not None,
        preview=preview,
    )  # fmt: skip
    report.duplicates += [
        Duplicate(r.record, r.order_id, r.order_id, f"repeats {r.first}") for r in read.repeated
    ]
    valid = validate_candidates(read.candidates, points, travel, report.errors)
    kept = deduplicate(session, valid, report)
    report.errors.sort(key=_record_order)
    report.duplicates.sort(key=_duplicate_order)
    if preview:
        report.orders = [{**v.data, "date": v.day.isoformat()} for v in kept]
        report.stored = len(kept) if keep_valid or not report.errors else 0
        return report
    if report.errors and not keep_valid:
        raise ImportRejectedError(report)
    batch = ImportBatch(
        sha256=read.sha256,
        format=read.format,
        mapping=read.mapping,
        filename=filename,
        created_by=actor,
        received=report.received,
        stored=len(kept),
        report={},
    )
    report.stored = len(kept)
    add_batch(session, batch, [_new_order(v) for v in kept])
    report.batch_id = batch.id
    batch.report = report.as_dict()
    return report


def _record_order(error: FieldError) -> tuple[int, str]:
    number = re.search(r"\d+", error.record)
    return (int(number.group()) if number else -1, error.field)


def _duplicate_order(duplicate: Duplicate) -> int:
    number = re.search(r"\d+", duplicate.record)
    return int(number.group()) if number else -1


def _report_fields(data: Json) -> dict[str, Any]:
    return {
        "format": data["format"],
        "mapping": data["mapping"],
        "sha256": data["sha256"],
        "rows": data["rows"],
        "received": data["received"],
        "stored": data["stored"],
        "batch_id": data["batch_id"],
        "duplicates": [
            Duplicate(d["record"], d["id"], d["duplicate_of"], d["reason"])
            for d in data["duplicates"]
        ],
        "errors": [
            FieldError(e["record"], e["field"], e["message"], e["id"]) for e in data["errors"]
        ],
        "ignored_columns": data.get("ignored_columns", []),
    }


def _new_order(v: ValidOrder) -> NewOrder:
    return NewOrder(
        order_id=v.order.id,
        platform=v.order.platform,
        delivery_date=v.day,
        data=v.data,
        customer=v.order.customer,
        pickup_point=v.order.pickup_point,
        fingerprint=v.fingerprint,
    )
