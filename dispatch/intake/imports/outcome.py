"""What an import did: the orders it read and stored, the duplicates it left out and the errors
it found; an import refused whole carries the same report."""

from __future__ import annotations

from dataclasses import dataclass, field

from dispatch.errors import FieldError, InputError
from dispatch.store.models import Json
from dispatch.text import printable


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An order left out because it is already there: ``duplicate_of`` names the one kept."""

    record: str
    order_id: str
    duplicate_of: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {
            "record": self.record,
            "id": self.order_id,
            "duplicate_of": self.duplicate_of,
            "reason": self.reason,
        }


@dataclass(slots=True)
class ImportOutcome:
    """What an import did: how many orders it read and stored, and what it left out and why."""

    format: str
    mapping: str
    sha256: str
    rows: int
    received: int
    stored: int = 0
    batch_id: int | None = None
    already_imported: bool = False
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    preview: bool = False
    orders: list[Json] | None = None
    """The normalised orders that pass, in a preview only."""

    def as_dict(self) -> Json:
        preview: Json = {"preview": True, "orders": self.orders or []} if self.preview else {}
        return {
            "batch_id": self.batch_id,
            "format": self.format,
            "mapping": self.mapping,
            "sha256": self.sha256,
            "rows": self.rows,
            "received": self.received,
            "stored": self.stored,
            "already_imported": self.already_imported,
            "duplicates": [d.as_dict() for d in self.duplicates],
            "errors": [e.as_dict() for e in self.errors],
            "ignored_columns": [printable(c) for c in self.ignored_columns],
            **preview,
        }


class ImportRejectedError(InputError):
    """Some orders are invalid and ``keep_valid`` was not given: nothing was stored."""

    subject = "the import"

    def __init__(self, report: ImportOutcome) -> None:
        self.report = report
        message = f"{len(report.errors)} error(s) in the import; nothing was stored"
        super().__init__(report.errors, message)
