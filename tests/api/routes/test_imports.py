"""/imports: files from the platforms, all or nothing, idempotent, never a 500."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, assert_problem

CSV = """id,platform,date,customer,pickup_point,qty,sku
A-1,line,2026-11-11,王小明,PP-1,2,tofu
A-2,web,2026-11-11,李美玲,PP-2,1,milk-1l
"""


def _upload(client: TestClient, content: bytes, headers: dict[str, str], **params: Any) -> Any:
    files = {"file": ("orders.csv", content, "text/csv")}
    return client.post("/imports", files=files, params=params, headers=headers)


def _stored(client: TestClient, keys: Keys) -> int:
    return int(client.get("/orders", headers=keys.planner).json()["count"])


def test_import_then_the_same_file_again(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """201 with the report; the same file again is 200, already imported, adds nothing."""
    first = _upload(client, CSV.encode(), keys.dispatcher)
    assert first.status_code == 201, first.text
    assert (first.json()["stored"], first.json()["mapping"]) == (2, "contract")
    again = _upload(client, CSV.encode(), keys.dispatcher)
    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    assert _stored(client, keys) == 2
    batches = client.get("/imports", headers=keys.planner).json()
    assert batches["count"] == 1
    report = client.get(f"/imports/{batches['data'][0]['id']}", headers=keys.planner)
    assert report.json()["stored"] == 2


def test_bad_rows_reject_the_whole_file(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """A row with an unknown pickup point: 422 naming row and field; nothing stored."""
    text = CSV + "A-3,app,2026-11-11,張,PP-404,1,tofu\n"
    body = assert_problem(_upload(client, text.encode(), keys.dispatcher), 422)
    assert [(e["record"], e["field"]) for e in body["errors"]] == [("row 4", "pickup_point")]
    assert body["report"]["stored"] == 0
    assert _stored(client, keys) == 0
    kept = _upload(client, text.encode(), keys.dispatcher, keep_valid="true")
    assert (kept.status_code, kept.json()["stored"]) == (201, 2)


def test_big5_is_read_and_broken_bytes_are_422(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """Big5 (what Taiwanese Excel writes) imports; undecodable bytes are a 422 naming why."""
    assert _upload(client, CSV.encode("cp950"), keys.dispatcher).status_code == 201
    body = assert_problem(_upload(client, b"id,qty\n\x81\xff\xfe,1\n", keys.dispatcher), 422)
    assert "neither UTF-8 nor Big5" in body["detail"]


def test_planners_cannot_import(client: TestClient, keys: Keys, network: dict[str, Any]) -> None:
    """403, and nothing is stored."""
    assert_problem(_upload(client, CSV.encode(), keys.planner), 403)
    assert_problem(_upload(client, CSV.encode(), {}), 401)
    assert _stored(client, keys) == 0


def test_a_50_mb_body_is_413(client: TestClient, keys: Keys) -> None:
    """The size limit answers before the body is read or stored."""
    big = b"x" * (50 * 1024 * 1024)
    assert_problem(_upload(client, big, keys.dispatcher), 413)
    assert _stored(client, keys) == 0


def test_missing_file_is_a_field_error(client: TestClient, keys: Keys) -> None:
    body = assert_problem(client.post("/imports", headers=keys.dispatcher), 422)
    assert body["errors"][0]["field"] == "file"


def test_a_preview_answers_what_would_be_stored_and_stores_nothing(
    client: TestClient, keys: Keys, network: dict[str, Any], api_store: Any
) -> None:
    """preview=true: 200, the normalised orders and each rejected row; no order, batch or audit."""
    text = CSV + "A-2,web,2026-11-11,李美玲,PP-2,1,milk-1l\nA-3,app,2026-11-11,張,PP-404,x,tofu\n"
    audit_before = client.get("/audit", headers=keys.admin).json()["count"]
    answer = _upload(client, text.encode(), keys.dispatcher, preview="true")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["preview"], body["stored"], body["batch_id"]) == (True, 0, None)
    assert [o["id"] for o in body["orders"]] == ["A-1", "A-2"]
    assert [(e["record"], e["field"]) for e in body["errors"]] == [("row 5", "items[0].qty")]
    assert [(d["record"], d["reason"]) for d in body["duplicates"]] == [("row 4", "repeats row 3")]
    assert _stored(client, keys) == 0
    assert client.get("/imports", headers=keys.planner).json()["count"] == 0
    assert client.get("/audit", headers=keys.admin).json()["count"] == audit_before


def test_a_workbook_with_two_bad_rows_is_previewed_then_fixed(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """An XLSX with two bad rows: the preview names both and stores nothing; fixed, it imports."""
    from openpyxl import Workbook

    def workbook(rows: list[list[Any]]) -> bytes:
        book = Workbook()
        for row in [["id", "platform", "date", "customer", "pickup_point", "qty", "sku"], *rows]:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    good = [["A-1", "line", "2026-11-11", "王小明", "PP-1", 2, "tofu"]]
    bad = [
        ["A-2", "web", "2026-11-11", "李", "PP-9", 1, "milk"],
        ["A-3", "app", "11/11", "張", "PP-2", 1, "x"],
    ]
    files = {"file": ("orders.xlsx", workbook(good + bad), "application/octet-stream")}
    preview = client.post(
        "/imports", files=files, params={"preview": "true"}, headers=keys.dispatcher
    )
    body = preview.json()
    assert (preview.status_code, body["format"], body["stored"]) == (200, "xlsx", 0)
    assert [(e["record"], e["id"], e["field"]) for e in body["errors"]] == [
        ("row 3", "A-2", "pickup_point"),
        ("row 4", "A-3", "date"),
    ]
    assert _stored(client, keys) == 0
    fixed = [
        ["A-2", "web", "2026-11-11", "李", "PP-1", 1, "milk"],
        ["A-3", "app", "2026-11-11", "張", "PP-2", 1, "x"],
    ]
    files = {"file": ("orders.xlsx", workbook(good + fixed), "application/octet-stream")}
    stored = client.post("/imports", files=files, headers=keys.dispatcher)
    assert (stored.status_code, stored.json()["stored"]) == (201, 3)
    assert _stored(client, keys) == 3
