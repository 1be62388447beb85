"""An import tried without storing: what it would store, and every row it would reject."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from dispatch.intake.imports.batch import _record_order
from dispatch.intake.imports.candidates import ReadResult, ValidOrder
from dispatch.intake.imports.checks import validate_candidates
from dispatch.intake.imports.duplicates import deduplicate
from dispatch.intake.imports.outcome import ImportOutcome
from dispatch.store.models import Json
from dispatch.store.orders import batch_by_hash


def preview_import(
    session: Session, read: ReadResult, *, points: Sequence[Json], travel: Json | None = None
) -> tuple[ImportOutcome, list[ValidOrder]]:
    """The report :func:`~dispatch.intake.imports.batch.import_orders` would give with
    ``keep_valid`` (``stored`` the orders it would store) and those orders; writes nothing.
    A file imported before is marked ``already_imported`` and would store nothing."""
    report = ImportOutcome(
        read.format, read.mapping, read.sha256, read.rows, len(read.candidates),
        ignored_columns=list(read.ignored_columns),
    )  # fmt: skip
    if batch_by_hash(session, read.sha256) is not None:
        report.already_imported = True
        return report, []
    valid = validate_candidates(read.candidates, points, travel, report.errors)
    kept = deduplicate(session, valid, report)
    report.errors.sort(key=_record_order)
    report.stored = len(kept)
    return report, kept
