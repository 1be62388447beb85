"""An order on its way in: a candidate read from a file, the file's read result, and an order
that passed the checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dispatch.errors import FieldError, InputError
from dispatch.intake.request import Order
from dispatch.store.models import Json


class UnreadableFileError(InputError):
    """The file cannot be read as orders at all (encoding, format, columns)."""

    subject = "the file"

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("", "file", message)], message)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One order read from a file, before validation: where it came from and what it says."""

    label: str
    order: Json
    day: date | None
    item_labels: tuple[str, ...] = ()
    errors: tuple[FieldError, ...] = ()

    def item_label(self, index: int) -> str:
        return self.item_labels[index] if index < len(self.item_labels) else self.label


@dataclass(frozen=True, slots=True)
class RepeatedRow:
    """A row that repeats an earlier row of the same file exactly: read once, reported."""

    record: str
    order_id: str
    first: str


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The candidate orders of one file, with how it was read."""

    format: str
    mapping: str
    rows: int
    candidates: tuple[Candidate, ...]
    sha256: str
    ignored_columns: tuple[str, ...] = ()
    repeated: tuple[RepeatedRow, ...] = ()


@dataclass(frozen=True, slots=True)
class ValidOrder:
    """A candidate that passed the checks: its order, day, stored record and fingerprint."""

    candidate: Candidate
    order: Order
    day: date
    data: Json
    fingerprint: str | None


def candidate_day(
    value: Any, default: date | None, label: str, oid: str | None = None
) -> tuple[date | None, list[FieldError]]:
    """The delivery date of a candidate (``default`` when it gives none), or the error."""
    if value in (None, ""):
        if default is None:
            return None, [FieldError(label, "date", "is required (or give a default date)", oid)]
        return default, []
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-")), []
    except ValueError:
        return None, [FieldError(label, "date", f"expected a date YYYY-MM-DD, got {value!r}", oid)]
