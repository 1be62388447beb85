"""Reading a file of orders: its format told by its content, its text decoded, its CSV or XLSX
rows read within the limits (a workbook's declared sizes checked before it is unpacked), or its
JSON list of contract orders."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from dispatch.errors import FieldError, TooLargeError
from dispatch.intake.imports.candidates import (
    Candidate,
    ReadResult,
    UnreadableFileError,
    candidate_day,
)
from dispatch.intake.imports.platforms import read_table
from dispatch.store.documents import non_finite
from dispatch.text import bad_text, printable

TEXT_ENCODINGS = ("utf-8-sig", "cp950", "big5")
"""Tried in turn for CSV: UTF-8 (BOM or not), then the Big5 family that Taiwanese Excel writes."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How large an import may be; checked before the rows are read, so a larger one costs
    next to nothing."""

    max_rows: int = 50_000
    """Rows of a CSV or XLSX sheet (the header aside), or orders of a JSON import."""
    max_unpacked_bytes: int = 50 * 2**20
    """What the parts of an XLSX workbook unpack to, each and all together."""
    max_ratio: float = 100.0
    """How much a part of a workbook may be compressed (real sheets: 5–20 times)."""
    max_parts: int = 1000
    """Parts (files) of an XLSX workbook."""


RATIO_FLOOR = 2**20
"""Parts up to this size unpacked are not held to ``max_ratio``."""


def read_orders(
    content: bytes,
    *,
    filename: str | None = None,
    mapping: str | None = None,
    default_date: date | None = None,
    limits: ImportLimits = ImportLimits(),
) -> ReadResult:
    """Candidate orders from a JSON, CSV or XLSX file (the format is told by its content).

    Raises :class:`TooLargeError` for a file over ``limits``, before its rows are read.
    """
    sha256 = hashlib.sha256(content).hexdigest()
    kind = sniff_format(content, filename)
    where = printable(filename or "file")
    if kind == "json":
        try:
            data = json.loads(decode_text(content))
        except json.JSONDecodeError as exc:
            raise UnreadableFileError(f"not valid JSON: {exc}") from None
        return read_json_orders(
            data, default_date=default_date, sha256=sha256, limits=limits, where=where
        )
    if kind == "xlsx":
        table = _xlsx_rows(content, limits, where)
    else:
        table = _csv_rows(decode_text(content), limits, where)
    return read_table(table, kind, sha256, mapping, default_date)


def read_json_orders(
    data: Any,
    *,
    default_date: date | None = None,
    sha256: str | None = None,
    limits: ImportLimits = ImportLimits(),
    where: str = "",
) -> ReadResult:
    """Candidate orders from a JSON list of contract orders (or an object with ``orders``)."""
    if isinstance(data, Mapping) and isinstance(data.get("orders"), list):
        data = data["orders"]
    if not isinstance(data, list):
        raise UnreadableFileError("expected a JSON list of orders")
    if len(data) > limits.max_rows:
        message = f"{len(data):,} orders; at most {limits.max_rows:,} in one import"
        raise TooLargeError(FieldError(where, "orders", message), limit=limits.max_rows)
    if sha256 is None:
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        sha256 = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    candidates = []
    for i, raw in enumerate(data):
        label = f"orders[{i}]"
        if not isinstance(raw, Mapping):
            error = FieldError(label, "", "an order must be a JSON object")
            candidates.append(Candidate(label, {}, None, errors=(error,)))
            continue
        order = {k: v for k, v in raw.items() if k != "date"}
        day, errors = candidate_day(raw.get("date"), default_date, label)
        errors += [FieldError(label, p, "is not a finite number") for p in non_finite(order)]
        oid = raw.get("id")
        oid = printable(oid) if isinstance(oid, str) and oid else None
        errors += [FieldError(label, _path(loc), m, oid) for loc, m in bad_text(order)]
        candidates.append(Candidate(label, order, day, errors=tuple(errors)))
    return ReadResult("json", "contract", len(data), tuple(candidates), sha256)


def sniff_format(content: bytes, filename: str | None = None) -> str:
    """``json``, ``csv`` or ``xlsx``, from the first bytes (the file name breaks no ties)."""
    head = content[:8]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFileError(
            "old binary .xls workbooks cannot be read; save the sheet as .xlsx or CSV"
        )
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"[", b"{"):
        return "json"
    if filename and filename.lower().endswith(".xlsx"):
        raise UnreadableFileError("the .xlsx file is not a valid workbook (not a ZIP archive)")
    return "csv"


def decode_text(content: bytes) -> str:
    """The text of a file in UTF-8 (BOM or not), UTF-16 with a BOM, or Big5/CP950."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(f"broken UTF-16 text at byte {exc.start}") from None
    first: UnicodeDecodeError | None = None
    for encoding in TEXT_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError as exc:
            first = first or exc
    assert first is not None
    bad = content[first.start : first.start + 1].hex()
    raise UnreadableFileError(
        f"the file is neither UTF-8 nor Big5 (CP950) text: byte 0x{bad} at offset {first.start} "
        "cannot be decoded; save it as 'CSV UTF-8'"
    )


def _path(loc: Sequence[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _too_many_rows(limits: ImportLimits, where: str, found: str) -> TooLargeError:
    message = f"{found}; at most {limits.max_rows:,} rows (and a header row) in one import"
    return TooLargeError(FieldError(where, "rows", message), limit=limits.max_rows)


def _csv_rows(text: str, limits: ImportLimits, where: str) -> list[list[str]]:
    if "\x00" in text:
        raise UnreadableFileError("the file contains NUL bytes: it is not a CSV text file")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits, where, f"more than {limits.max_rows + 1:,} rows")
            rows.append(row)
    except csv.Error as exc:
        raise UnreadableFileError(f"not a readable CSV file: {exc}") from None
    return rows


def check_workbook(content: bytes, limits: ImportLimits, where: str = "file") -> None:
    """Refuse a workbook whose parts unpack to more than the limits allow, by what its ZIP
    directory declares (the reader never unpacks more than that)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError(f"not a readable XLSX workbook: {exc}") from None
    if len(parts) > limits.max_parts:
        message = f"{len(parts):,} parts; a workbook may have at most {limits.max_parts:,}"
        raise TooLargeError(FieldError(where, "parts", message), limit=limits.max_parts)
    most = limits.max_unpacked_bytes
    for part in parts:
        if part.file_size > most:
            message = f"unpacks to {_mb(part.file_size)}; at most {_mb(most)} are accepted"
            raise TooLargeError(FieldError(where, part.filename, message), limit=most)
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            message = (
                f"unpacks to {ratio:,.0f} times its packed size; "
                f"at most {limits.max_ratio:g} times is accepted"
            )
            raise TooLargeError(
                FieldError(where, part.filename, message), limit=int(limits.max_ratio)
            )
    total = sum(p.file_size for p in parts)
    if total > most:
        message = f"the workbook unpacks to {_mb(total)}; at most {_mb(most)} are accepted"
        raise TooLargeError(FieldError(where, "unpacked size", message), limit=most)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def _xlsx_rows(content: bytes, limits: ImportLimits, where: str) -> list[list[str]]:
    from openpyxl import load_workbook

    check_workbook(content, limits, where)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFileError(f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        declared = getattr(sheet, "max_row", None)
        if isinstance(declared, int) and declared > limits.max_rows + 1:
            raise _too_many_rows(limits, where, f"the sheet declares {declared:,} rows")
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True):
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits, where, f"more than {limits.max_rows + 1:,} rows")
            rows.append([_cell(v) for v in row])
        return rows
    except TooLargeError:
        raise
    except Exception as exc:
        raise UnreadableFileError(f"not a readable XLSX workbook: {exc}") from None
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if (value.hour, value.minute) == (0, 0) and value.year > 1900:
            return value.date().isoformat()
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
