"""Order import: reading platform files, validation by row and field, de-duplication, batches."""

from __future__ import annotations

import contextlib
import io
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dispatch.intake.imports import (
    ImportRejectedError,
    UnreadableFileError,
    import_orders,
    orders_csv,
    read_json_orders,
    read_orders,
)
from dispatch.store import Store, load_network, orders_on, replace_network, validate_network

DAY = date(2026, 11, 11)
POINTS = [
    {"id": "PP-017", "location": {"lat": 25.041, "lon": 121.565},
     "time_windows": [{"start": "09:00", "end": "12:00"}]},
]  # fmt: skip
NETWORK = {"depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
           "pickup_points": POINTS}  # fmt: skip

LINE_CSV = """訂單編號,配送日期,訂購人,團購點,收件時段,商品編號,數量,溫層,易碎
88123,2026-11-11,王小明,PP-017,09:00-12:00,milk-1l,6,冷藏,否
88123,,,,,eggs-10,1,冷藏,是
88124,2026-11-11,李美玲,PP-017,09:00-12:00,rice-5kg,1,常溫,否
"""


def _order(oid: str, platform: str = "web", **changes: Any) -> dict[str, Any]:
    order = {
        "id": oid, "platform": platform, "customer": "陳大文", "pickup_point": "PP-017",
        "time_windows": [{"start": "09:00", "end": "12:00"}],
        "items": [{"sku": "tofu", "qty": 2, "weight_kg": 0.45, "volume_l": 0.5,
                   "temperature": "chilled"}],
    }  # fmt: skip
    return order | changes


def _import(store: Store, content: bytes | list[Any], **kw: Any) -> Any:
    read = (
        read_json_orders(content, default_date=DAY)
        if isinstance(content, list)
        else read_orders(content, default_date=DAY)
    )
    with store.write() as session:
        net = load_network(session)
        return import_orders(session, read, points=net["pickup_points"], actor="test", **kw)


@pytest.fixture
def network(store: Store) -> None:
    with store.write() as session:
        replace_network(session, validate_network(NETWORK))


# --- reading ------------------------------------------------------------------------------


def test_line_export_groups_item_rows_into_orders() -> None:
    """A LINE export in Big5 with one row per item reads as orders with prefixed ids."""
    read = read_orders(LINE_CSV.encode("cp950"))
    assert (read.format, read.mapping, read.rows) == ("csv", "line", 3)
    first, second = read.candidates
    assert first.order["id"] == "LINE-88123"
    assert first.order["time_windows"] == [{"start": "09:00", "end": "12:00"}]
    assert [(i["sku"], i["temperature"], i["fragile"]) for i in first.order["items"]] == [
        ("milk-1l", "chilled", "false"),
        ("eggs-10", "chilled", "true"),
    ]
    assert first.item_labels == ("row 2", "row 3")
    assert second.label == "row 4"


@pytest.mark.parametrize(
    ("header", "mapping"),
    [
        ("order_no,delivery_date,customer_email,pickup_store,slot_from,slot_to,quantity", "web"),
        ("orderId,deliveryDate,memberId,pickupPointId,windowStart,windowEnd,count", "app"),
        ("id,platform,date,pickup_point,time_windows,qty", "contract"),
    ],
)
def test_each_platform_is_told_by_its_header(header: str, mapping: str) -> None:
    """The column mapping is chosen from the header row."""
    row = "77,2026-11-11,a@b.tw,PP-017,09:00,12:00,2"
    if mapping == "contract":
        row = "77,app,2026-11-11,PP-017,09:00-12:00,2"
    read = read_orders(f"{header}\n{row}\n".encode())
    assert read.mapping == mapping
    assert read.candidates[0].order["pickup_point"] == "PP-017"


def test_xlsx_reads_like_csv() -> None:
    """An XLSX sheet (numbers, times and dates as cells) reads like the same CSV."""
    book = Workbook()
    sheet = book.active
    sheet.append(["orderId", "deliveryDate", "pickupPointId", "windowStart", "windowEnd", "count"])
    sheet.append([5521, DAY, "PP-017", "09:00", "12:00", 3])
    out = io.BytesIO()
    book.save(out)
    read = read_orders(out.getvalue(), filename="app.xlsx")
    assert read.format == "xlsx"
    (candidate,) = read.candidates
    assert candidate.order["id"] == "APP-5521"
    assert candidate.day == DAY
    assert candidate.order["items"] == [{"qty": "3"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x81\xff\x00\xfe" * 8, "neither UTF-8 nor Big5"),
        (b"PK\x03\x04broken", "XLSX"),
        (b"\xd0\xcf\x11\xe0old", ".xls"),
        (b"[{", "not valid JSON"),
        (b"a,b,c\n1,2,3\n", "unknown columns"),
        (b"", "no header row"),
    ],
)
def test_unreadable_files_say_why(content: bytes, message: str) -> None:
    """Broken encodings, formats and headers are refused with the reason, never a crash."""
    with pytest.raises(UnreadableFileError, match=message):
        read_orders(content)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_read_or_are_refused(content: bytes) -> None:
    """Whatever the bytes, reading gives candidates or an UnreadableFileError."""
    with contextlib.suppress(UnreadableFileError):
        read_orders(content, default_date=DAY)


def test_csv_round_trip() -> None:
    """Orders written by orders_csv read back as the same orders."""
    orders = [_order("WEB-1"), _order("APP-2", "app", customer=None)]
    read = read_orders(orders_csv(orders, day=DAY).encode())
    assert [c.order["id"] for c in read.candidates] == ["WEB-1", "APP-2"]
    assert read.candidates[1].order["platform"] == "app"


# --- checking and storing -----------------------------------------------------------------


def test_bad_rows_are_reported_by_row_and_field(store: Store, network: None) -> None:
    """Every bad row is named with its row number and field; nothing is stored."""
    text = LINE_CSV.replace(
        "88124,2026-11-11,李美玲,PP-017,09:00-12:00", "88124,2026-11-11,李美玲,PP-404,10:00-08:00"
    )
    text += "88125,2026-11-11,張,PP-017,09:00-12:00,tofu,many,冷藏,否\n"
    with pytest.raises(ImportRejectedError) as caught:
        _import(store, text.encode())
    errors = [str(e) for e in caught.value.report.errors]
    assert errors == [
        "row 4 (id LINE-88124): pickup_point: unknown pickup point 'PP-404'",
        "row 4 (id LINE-88124): time_windows[0].end: 08:00 is before start 10:00",
        "row 5 (id LINE-88125): items[0].qty: Input should be a valid integer, unable to parse "
        "string as an integer",
    ]
    with store.read() as session:
        assert orders_on(session, DAY) == []


def test_keep_valid_stores_the_rest(store: Store, network: None) -> None:
    """With keep_valid the valid orders are stored and the bad ones reported."""
    orders = [_order("WEB-1"), _order("WEB-2", items=[])]
    report = _import(store, orders, keep_valid=True)
    assert (report.stored, [e.field for e in report.errors]) == (1, ["items"])


def test_the_same_file_twice_adds_nothing(store: Store, network: None) -> None:
    """A file seen before is answered with its first report and stores nothing more."""
    first = _import(store, LINE_CSV.encode())
    again = _import(store, LINE_CSV.encode())
    assert (first.stored, first.already_imported) == (2, False)
    assert (again.stored, again.already_imported, again.batch_id) == (2, True, first.batch_id)
    with store.read() as session:
        assert len(orders_on(session, DAY)) == 2


def test_known_platform_order_ids_are_duplicates(store: Store, network: None) -> None:
    """An order id already stored (from another file) is reported, not stored again."""
    _import(store, [_order("WEB-1")])
    report = _import(store, [_order("WEB-1"), _order("WEB-2", customer="林")])
    assert report.stored == 1
    assert [(d.order_id, d.reason) for d in report.duplicates] == [
        ("WEB-1", "already imported in batch 1")
    ]


def test_repeated_ids_in_one_file(store: Store, network: None) -> None:
    """The same order twice in a file is kept once; the same id with other content is an error."""
    report = _import(store, [_order("WEB-1"), _order("WEB-1")])
    assert (report.stored, len(report.duplicates)) == (1, 1)
    with pytest.raises(ImportRejectedError, match="1 error"):
        _import(store, [_order("WEB-5"), _order("WEB-5", customer="林")])


def test_same_purchase_from_two_platforms_is_kept_once(store: Store, network: None) -> None:
    """Same customer, destination, items and window from another platform: a duplicate."""
    _import(store, [_order("WEB-1")])
    report = _import(store, [_order("LINE-9", "line"), _order("APP-3", "app", customer="林")])
    assert report.stored == 1
    (duplicate,) = report.duplicates
    assert (duplicate.order_id, duplicate.duplicate_of) == ("LINE-9", "WEB-1")
    assert "same customer, destination, items and window" in duplicate.reason


def test_a_row_repeated_in_a_file_is_stored_once(store: Store, network: None) -> None:
    """An exact repeat of a row (next to it or further down) is read once and reported."""
    first = "88123,2026-11-11,王小明,PP-017,09:00-12:00,milk-1l,6,冷藏,否\n"
    text = LINE_CSV + first
    text = text.replace(first, first + first, 1)
    report = _import(store, text.encode())
    assert report.stored == 2
    assert [(d.record, d.order_id, d.reason) for d in report.duplicates] == [
        ("row 3", "LINE-88123", "repeats row 2"),
        ("row 6", "LINE-88123", "repeats row 2"),
    ]
    with store.read() as session:
        (milk_order,) = [o for o in orders_on(session, DAY) if o["id"] == "LINE-88123"]
    assert [i["sku"] for i in milk_order["items"]] == ["milk-1l", "eggs-10"]


def test_one_order_id_with_other_content_names_both_rows(store: Store, network: None) -> None:
    """The same order id further down with other content rejects the file, naming both rows."""
    text = LINE_CSV + "88123,2026-11-11,王小明,PP-017,09:00-12:00,milk-1l,7,冷藏,否\n"
    with pytest.raises(ImportRejectedError) as caught:
        _import(store, text.encode())
    assert [str(e) for e in caught.value.report.errors] == [
        "row 5 (id LINE-88123): id: also used by row 2"
    ]


def test_a_preview_stores_nothing_and_names_every_rejected_row(store: Store, network: None) -> None:
    """A preview reports the orders that would be stored (normalised) and each bad row."""
    text = LINE_CSV + "88125,2026-11-11,張,PP-404,09:00-12:00,tofu,1,冷藏,否\n"
    preview = _import(store, text.encode(), preview=True)
    assert (preview.preview, preview.stored) == (True, 0)
    assert [(e.record, e.field) for e in preview.errors] == [("row 5", "pickup_point")]
    assert [(o["id"], o["date"], o["items"][0]["qty"]) for o in preview.orders or []] == [
        ("LINE-88123", "2026-11-11", 6),
        ("LINE-88124", "2026-11-11", 1),
    ]
    assert _import(store, text.encode(), preview=True, keep_valid=True).stored == 2
    with store.read() as session:
        assert orders_on(session, DAY) == []
    assert _import(store, LINE_CSV.encode()).stored == 2


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=8, unique=True),
    st.lists(st.integers(0, 7), max_size=10),
)
def test_repeated_rows_are_read_once_wherever_they_are(ids: list[int], repeats: list[int]) -> None:
    """Rows repeated anywhere in a file: one candidate per order, each repeat reported once."""
    rows = [f"{k},2026-11-11,王{k},PP-017,09:00-12:00,sku-{k},{k},冷藏,否" for k in ids]
    text = list(rows)
    for r in repeats:
        text.insert(r % (len(text) + 1), rows[r % len(rows)])
    head = LINE_CSV.splitlines()[0]
    read = read_orders(("\n".join([head, *text]) + "\n").encode())
    assert sorted(c.order["id"] for c in read.candidates) == sorted(f"LINE-{k}" for k in ids)
    assert all(len(c.order["items"]) == 1 for c in read.candidates)
    assert len(read.repeated) == len(repeats)
