"""The sales platforms' exports: how each names the contract's columns, and a table of rows
read as candidate orders (one per order id; a platform may give an order one row per item)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from dispatch.errors import FieldError
from dispatch.intake.imports.candidates import (
    Candidate,
    ReadResult,
    RepeatedRow,
    UnreadableFileError,
    candidate_day,
)
from dispatch.store.models import Json
from dispatch.text import MAX_ORDER_ID, printable

ORDER_FIELDS = (
    "id", "platform", "date", "customer", "pickup_point", "lat", "lon", "address", "region",
    "window_start", "window_end", "time_windows", "service_minutes",
)  # fmt: skip


ITEM_FIELDS = ("sku", "name", "qty", "weight_kg", "volume_l", "temperature", "fragile", "bulky")


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


def read_table(
    table: list[list[str]],
    kind: str,
    sha256: str,
    mapping_name: str | None,
    default_date: date | None,
) -> ReadResult:
    """The candidate orders of a table of rows, its columns named by a platform's mapping."""
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
    unique, repeated = _without_repeats(rows, mapping)
    candidates = [_candidate(group, mapping, default_date) for group in _groups(unique)]
    return ReadResult(
        kind, mapping.name, len(rows), tuple(candidates), sha256, ignored, tuple(repeated)
    )


def _without_repeats(
    rows: Sequence[Row], mapping: ColumnMapping
) -> tuple[list[Row], list[RepeatedRow]]:
    """The rows without exact repeats of an earlier row with an order id, and the repeats."""
    first: dict[tuple[tuple[str, str], ...], int] = {}
    unique: list[Row] = []
    repeated: list[RepeatedRow] = []
    for n, values in rows:
        key = tuple(sorted(values.items()))
        if values.get("id") and key in first:
            oid = printable(mapping.order_id(values["id"]))
            repeated.append(RepeatedRow(f"row {n}", oid, f"row {first[key]}"))
            continue
        first.setdefault(key, n)
        unique.append((n, values))
    return unique, repeated


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
    day, day_errors = candidate_day(head.get("date"), default_date, label, order_id)
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
