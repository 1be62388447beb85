"""Import orders from the sales platforms (JSON, CSV, XLSX): validated, de-duplicated, stored once.

Reading (:func:`read_orders`, :func:`read_json_orders`) turns a file into candidate
orders in the contract's shape, one per order id (a spreadsheet may give an order
one row per item, its id repeated). :func:`import_orders` then checks them against
the stored network, drops duplicates (a platform order id seen before, or the same
customer, destination, items and window from another platform) and stores the rest
as one batch: all or nothing unless ``keep_valid``, and never twice for one file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dispatch.errors import FieldError, InputError, TooLargeError
from dispatch.intake.loading import check_references
from dispatch.intake.request import Order, PickupPoint, Request, Travel
from dispatch.store.documents import non_finite
from dispatch.store.models import ImportBatch, Json
from dispatch.store.orders import (
    NewOrder,
    add_batch,
    batch_by_hash,
    orders_by_fingerprint,
    orders_by_id,
)
from dispatch.text import MAX_ORDER_ID, bad_text, printable

ORDER_FIELDS = (
    "id", "platform", "date", "customer", "pickup_point", "lat", "lon", "address", "region",
    "window_start", "window_end", "time_windows", "service_minutes",
)  # fmt: skip
ITEM_FIELDS = ("sku", "name", "qty", "weight_kg", "volume_l", "temperature", "fragile", "bulky")
TEXT_ENCODINGS = ("utf-8-sig", "cp950", "big5")
"""Tried in turn for CSV: UTF-8 (BOM or not), then the Big5 family that Taiwanese Excel writes."""

_WORDS = MappingProxyType(
    {
        "temperature": MappingProxyType(
            {"常溫": "ambient", "室溫": "ambient", "冷藏": "chilled", "冷凍": "frozen",
             "room": "ambient", "dry": "ambient", "fridge": "chilled", "freezer": "frozen"}
        ),
        "fragile": MappingProxyType({"是": "true", "否": "false"}),
        "bulky": MappingProxyType({"是": "true", "否": "false"}),
    }
)  # fmt: skip
_WINDOW = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-~～－–]\s*(\d{1,2}:\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How one platform's export names the contract's fields, and the prefix of its order ids."""

    name: str
    platform: str
    id_prefix: str
    columns: Mapping[str, str]

    def fields(self, headers: Sequence[str]) -> dict[int, str]:
        """Column index → contract field, for the headers this mapping knows."""
        known = {_header(k): v for k, v in self.columns.items()}
        return {i: known[_header(h)] for i, h in enumerate(headers) if _header(h) in known}

    def order_id(self, raw: str) -> str:
        if not self.id_prefix or raw.upper().startswith(self.id_prefix):
            return raw
        return self.id_prefix + raw


def _header(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).casefold()


MAPPINGS: Mapping[str, ColumnMapping] = MappingProxyType(
    {
        "contract": ColumnMapping(
            "contract", "", "", MappingProxyType({f: f for f in ORDER_FIELDS + ITEM_FIELDS})
        ),
        "line": ColumnMapping(
            "line",
            "line",
            "LINE-",
            MappingProxyType(
                {"訂單編號": "id", "配送日期": "date", "訂購人": "customer",
                 "團購點": "pickup_point", "地址": "address", "緯度": "lat", "經度": "lon",
                 "收件時段": "time_windows", "卸貨分鐘": "service_minutes",
                 "商品編號": "sku", "商品名稱": "name", "數量": "qty",
                 "單位重量(kg)": "weight_kg", "單位體積(L)": "volume_l", "溫層": "temperature",
                 "易碎": "fragile", "大件": "bulky"}
            ),
        ),
        "web": ColumnMapping(
            "web",
            "web",
            "WEB-",
            MappingProxyType(
                {"order_no": "id", "delivery_date": "date", "customer_email": "customer",
                 "pickup_store": "pickup_point", "ship_address": "address", "ship_lat": "lat",
                 "ship_lng": "lon", "slot_from": "window_start", "slot_to": "window_end",
                 "product_code": "sku", "product_name": "name", "quantity": "qty",
                 "unit_weight_kg": "weight_kg", "unit_volume_l": "volume_l",
                 "storage": "temperature", "fragile": "fragile", "oversize": "bulky"}
            ),
        ),
        "app": ColumnMapping(
            "app",
            "app",
            "APP-",
            MappingProxyType(
                {"orderId": "id", "deliveryDate": "date", "memberId": "customer",
                 "pickupPointId": "pickup_point", "address": "address", "latitude": "lat",
                 "longitude": "lon", "windowStart": "window_start", "windowEnd": "window_end",
                 "serviceMinutes": "service_minutes", "skuId": "sku", "skuName": "name",
                 "count": "qty", "weightKg": "weight_kg", "volumeL": "volume_l",
                 "temp": "temperature", "isFragile": "fragile", "isBulky": "bulky"}
            ),
        ),
    }
)  # fmt: skip
_REQUIRED = ("id", "qty")


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


class UnreadableFileError(InputError):
    """The file cannot be read as orders at all (encoding, format, columns)."""

    subject = "the file"

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("", "file", message)], message)


class ImportRejectedError(InputError):
    """Some orders are invalid and ``keep_valid`` was not given: nothing was stored."""

    subject = "the import"

    def __init__(self, report: ImportOutcome) -> None:
        self.report = report
        message = f"{len(report.errors)} error(s) in the import; nothing was stored"
        super().__init__(report.errors, message)


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
class ReadResult:
    """The candidate orders of one file, with how it was read."""

    format: str
    mapping: str
    rows: int
    candidates: tuple[Candidate, ...]
    sha256: str
    ignored_columns: tuple[str, ...] = ()


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

    def as_dict(self) -> Json:
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
        }


# --- reading -------------------------------------------------------------------------------


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
    return _read_table(table, kind, sha256, mapping, default_date)


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
        day, errors = _day(raw.get("date"), default_date, label)
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


def _read_table(
    table: list[list[str]],
    kind: str,
    sha256: str,
    mapping_name: str | None,
    default_date: date | None,
) -> ReadResult:
    numbered = [(n, row) for n, row in enumerate(table, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise UnreadableFileError("the file has no header row")
    _, headers = numbered[0]
    mapping = _choose_mapping(headers, mapping_name)
    columns = mapping.fields(headers)
    ignored = tuple(h for i, h in enumerate(headers) if i not in columns and h.strip())
    rows = [
        (n, {f: row[i].strip() for i, f in columns.items() if i < len(row) and row[i].strip()})
        for n, row in numbered[1:]
    ]
    candidates = [_candidate(group, mapping, default_date) for group in _groups(rows)]
    return ReadResult(kind, mapping.name, len(rows), tuple(candidates), sha256, ignored)


def _choose_mapping(headers: Sequence[str], name: str | None) -> ColumnMapping:
    if name is not None:
        mapping = MAPPINGS[name]
        missing = _missing(mapping, headers)
        if missing:
            raise UnreadableFileError(
                f"the {name} mapping needs the column(s) {', '.join(missing)}"
            )
        return mapping
    fits = [(len(m.fields(headers)), m) for m in MAPPINGS.values() if not _missing(m, headers)]
    if not fits:
        expected = "; ".join(f"{m.name}: {', '.join(_missing(m, []))}" for m in MAPPINGS.values())
        raise UnreadableFileError(
            f"unknown columns {', '.join(h for h in headers if h)}: "
            f"expected at least the order id and quantity columns of a mapping ({expected})"
        )
    return max(fits, key=lambda fit: fit[0])[1]


def _missing(mapping: ColumnMapping, headers: Sequence[str]) -> list[str]:
    present = set(mapping.fields(headers).values())
    return [
        next(k for k, v in mapping.columns.items() if v == f) for f in _REQUIRED if f not in present
    ]


Row = tuple[int, dict[str, str]]


def _groups(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Runs of consecutive rows with the same order id (a row without an id stands alone)."""
    run: list[Row] = []
    for row in rows:
        if run and (not row[1].get("id") or row[1].get("id") != run[0][1].get("id")):
            yield run
            run = []
        run.append(row)
    if run:
        yield run


def _candidate(group: list[Row], mapping: ColumnMapping, default_date: date | None) -> Candidate:
    (first, head), label = group[0], f"row {group[0][0]}"
    errors: list[FieldError] = []
    raw_id = head.get("id", "")
    order_id = mapping.order_id(raw_id) if raw_id else ""
    if len(order_id) > MAX_ORDER_ID and len(raw_id) <= MAX_ORDER_ID:
        message = (
            f"is {len(order_id)} characters long with the platform prefix "
            f"{mapping.id_prefix!r}; at most {MAX_ORDER_ID} are allowed"
        )
        errors.append(FieldError(label, "id", message, printable(order_id)))
    for n, values in group[1:]:
        for f in ORDER_FIELDS:
            if f in values and f in head and values[f] != head[f]:
                errors.append(
                    FieldError(
                        f"row {n}",
                        f,
                        f"{values[f]!r} differs from {head[f]!r} in row {first}",
                        order_id,
                    )
                )
    order: Json = {"id": order_id, "platform": head.get("platform", mapping.platform)}
    for f in ("customer", "pickup_point", "address", "region", "service_minutes"):
        if f in head:
            order[f] = head[f]
    if "lat" in head or "lon" in head:
        order["location"] = {"lat": head.get("lat"), "lon": head.get("lon")}
    windows, window_errors = _windows(head, label, order_id)
    errors += window_errors
    if windows:
        order["time_windows"] = windows
    items, item_labels = [], []
    for n, values in group:
        item = {f: values[f] for f in ITEM_FIELDS if f in values}
        if item:
            for f, words in _WORDS.items():
                if f in item:
                    item[f] = words.get(item[f].strip().lower(), item[f])
            items.append(item)
            item_labels.append(f"row {n}")
    order["items"] = items
    day, day_errors = _day(head.get("date"), default_date, label, order_id)
    if not order_id:
        errors.append(FieldError(label, "id", "is required"))
    return Candidate(label, order, day, tuple(item_labels), tuple(errors + day_errors))


def _windows(
    values: Mapping[str, str], label: str, oid: str
) -> tuple[list[Json], list[FieldError]]:
    if "time_windows" in values:
        windows, errors = [], []
        for part in re.split(r"[;,、]", values["time_windows"]):
            if not part.strip():
                continue
            match = _WINDOW.match(part)
            if match is None:
                errors.append(
                    FieldError(label, "time_windows", f'expected "HH:MM-HH:MM", got {part!r}', oid)
                )
            else:
                windows.append({"start": match.group(1), "end": match.group(2)})
        return windows, errors
    start, end = values.get("window_start"), values.get("window_end")
    if start is None and end is None:
        return [], []
    if start is None or end is None:
        missing = "window_start" if start is None else "window_end"
        return [], [FieldError(label, missing, "is required with the other end of the window", oid)]
    return [{"start": start, "end": end}], []


def _day(
    value: Any, default: date | None, label: str, oid: str | None = None
) -> tuple[date | None, list[FieldError]]:
    if value in (None, ""):
        if default is None:
            return None, [FieldError(label, "date", "is required (or give a default date)", oid)]
        return default, []
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-")), []
    except ValueError:
        return None, [FieldError(label, "date", f"expected a date YYYY-MM-DD, got {value!r}", oid)]


# --- checking and storing ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Valid:
    candidate: Candidate
    order: Order
    day: date
    data: Json
    fingerprint: str | None


def import_orders(
    session: Session,
    read: ReadResult,
    *,
    points: Sequence[Json],
    travel: Json | None = None,
    actor: str,
    filename: str | None = None,
    keep_valid: bool = False,
) -> ImportOutcome:
    """Validate, de-duplicate and store the orders read from one file as one batch.

    Returns the earlier report, marked ``already_imported``, for a file seen before.
    Raises ImportRejectedError (storing nothing) when any order is invalid, unless
    ``keep_valid``: then the valid orders are stored and the errors reported.
    """
    earlier = batch_by_hash(session, read.sha256)
    if earlier is not None:
        report = ImportOutcome(**_report_fields(earlier.report))
        report.already_imported = True
        return report
    report = ImportOutcome(
        read.format, read.mapping, read.sha256, read.rows, len(read.candidates),
        ignored_columns=list(read.ignored_columns),
    )  # fmt: skip
    valid = _validate(read.candidates, points, travel, report.errors)
    kept = _deduplicate(session, valid, report)
    report.errors.sort(key=_record_order)
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


def _validate(
    candidates: Sequence[Candidate],
    points: Sequence[Json],
    travel: Json | None,
    errors: list[FieldError],
) -> list[_Valid]:
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
        _Valid(
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


def fingerprint(order: Order, day: date) -> str | None:
    """What makes two orders the same purchase: customer, destination, items, window and day."""
    if not order.customer or not order.customer.strip():
        return None
    if order.pickup_point is not None:
        destination: Any = order.pickup_point
    elif order.location is not None and order.location.lat is not None:
        destination = [round(order.location.lat, 5), round(order.location.lon or 0.0, 5)]
    else:
        destination = order.address
    items = sorted(
        (i.sku, i.qty, i.temperature.value, round(i.weight_kg, 3), round(i.volume_l, 3))
        for i in order.items
    )
    windows = sorted((w.start, w.end) for w in order.time_windows)
    key = [day.isoformat(), order.customer.strip().casefold(), destination, items, windows]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()


def _deduplicate(session: Session, valid: Sequence[_Valid], report: ImportOutcome) -> list[_Valid]:
    stored = orders_by_id(session, {v.order.id for v in valid})
    stored_prints = orders_by_fingerprint(session, {v.fingerprint for v in valid if v.fingerprint})
    seen: dict[str, _Valid] = {}
    seen_prints: dict[str, _Valid] = {}
    kept: list[_Valid] = []
    for v in valid:
        oid, label = v.order.id, v.candidate.label
        if oid in stored:
            old = stored[oid]
            same = "" if old.data == v.data else " with different content; not changed"
            report.duplicates.append(
                Duplicate(label, oid, oid, f"already imported in batch {old.batch_id}{same}")
            )
            continue
        if oid in seen:
            first = seen[oid]
            if first.data == v.data and first.day == v.day:
                report.duplicates.append(
                    Duplicate(label, oid, oid, f"repeats {first.candidate.label}")
                )
            else:
                report.errors.append(
                    FieldError(label, "id", f"also used by {first.candidate.label}", oid)
                )
            continue
        seen[oid] = v
        fp = v.fingerprint
        if fp is not None:
            twin = stored_prints.get(fp)
            if twin is not None and twin.platform != v.order.platform:
                report.duplicates.append(Duplicate(label, oid, twin.order_id, _same(twin.platform)))
                continue
            other = seen_prints.get(fp)
            if other is not None and other.order.platform != v.order.platform:
                report.duplicates.append(
                    Duplicate(label, oid, other.order.id, _same(other.order.platform))
                )
                continue
            seen_prints.setdefault(fp, v)
        kept.append(v)
    return kept


def _same(platform: str) -> str:
    source = platform or "another platform"
    return f"same customer, destination, items and window as an order from {source}"


def _new_order(v: _Valid) -> NewOrder:
    return NewOrder(
        order_id=v.order.id,
        platform=v.order.platform,
        delivery_date=v.day,
        data=v.data,
        customer=v.order.customer,
        pickup_point=v.order.pickup_point,
        fingerprint=v.fingerprint,
    )


def orders_csv(orders: Iterable[Mapping[str, Any]], *, day: date | None = None) -> str:
    """Orders in the contract's CSV columns, a row per item: the form :func:`read_orders` reads."""
    columns = [f for f in ORDER_FIELDS if f not in ("window_start", "window_end")] + list(
        ITEM_FIELDS
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for order in orders:
        location = order.get("location") or {}
        head = {
            **{f: order.get(f) for f in ("id", "platform", "customer", "pickup_point",
                                         "address", "region", "service_minutes")},
            "date": day.isoformat() if day else order.get("date"),
            "lat": location.get("lat"),
            "lon": location.get("lon"),
            "time_windows": ";".join(
                f"{w['start']}-{w['end']}" for w in order.get("time_windows") or []
            ),
        }  # fmt: skip
        for item in order.get("items") or [{}]:
            row = {**head, **{f: item.get(f) for f in ITEM_FIELDS}}
            writer.writerow(["" if row.get(c) is None else _text(row[c]) for c in columns])
    return out.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
