"""The console's day: counts, an import previewed then confirmed, planning the day."""

from __future__ import annotations

import io
import re
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

from dispatch.store import Store
from tests.api.routes.console.conftest import CSV, DAY, cells, page, post_form
from tests.api.session_data import sign_in, snapshot

BAD = (
    CSV + "A-3,app,2026-11-11,張,PP-404,1,tofu,ambient\nA-4,app,2026-11-11,陳,PP-1,x,tofu,frozen\n"
)


def _upload(client: TestClient, csrf: str, text: str) -> Any:
    files = {"file": ("orders.csv", text.encode(), "text/csv")}
    return post_form(client, "/console/imports", {"csrf_token": csrf, "date": DAY}, files=files)


def test_the_console_leads_to_sign_in_and_shows_the_person(
    client: TestClient, people: None, network: dict[str, Any]
) -> None:
    response = client.get("/console/today", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.headers["location"] == "/sign-in?next=%2Fconsole%2Ftoday"
    sign_in(client, "mei")
    html = page(client, "/console", date=DAY).text
    assert 'id="user-name">mei<' in html
    assert 'id="user-role">調度員<' in html
    assert 'id="no-orders"' in html
    assert "Plan the day" in page(client, "/console", date=DAY, lang="en").text


def test_a_preview_names_every_bad_row_and_stores_nothing(
    client: TestClient, mei: str, api_store: Store, network: dict[str, Any]
) -> None:
    before = snapshot(api_store)
    preview = _upload(client, mei, BAD)
    assert preview.status_code == 200, preview.text
    rejected = cells(preview.text, "rejected")
    assert [(r[0], r[1], r[2]) for r in rejected] == [
        ("row 4", "A-3", "pickup_point"),
        ("row 5", "A-4", "items[0].qty"),
    ]
    assert [r[0] for r in cells(preview.text, "will-store")] == ["A-1", "A-2"]
    assert 'id="nothing-stored"' in preview.text
    assert snapshot(api_store) == before


def test_a_confirmed_import_stores_the_previewed_file(
    client: TestClient, mei: str, api_store: Store, network: dict[str, Any]
) -> None:
    preview = _upload(client, mei, CSV)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.text))
    assert form["keep_valid"] == "false"
    done = post_form(client, "/console/imports/confirm", form)
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/console/today?date=2026-11-11&imported=2")
    today = page(client, "/console/today", date=DAY).text
    assert '<b id="order-total">2</b>' in today
    assert cells(today, "by-platform") == [["line", "1"], ["web", "1"]]
    assert cells(today, "by-temperature") == [["常溫", "1"], ["冷藏", "1"], ["冷凍", "0"]]
    assert cells(today, "by-region") == [["all", "2"]]
    again = post_form(client, "/console/imports/confirm", form)
    assert again.headers["location"].startswith("/console/today?date=2026-11-11&imported=2")
    assert '<b id="order-total">2</b>' in page(client, "/console/today", date=DAY).text


def test_planning_the_day_starts_a_job_and_shows_its_progress(
    client: TestClient, mei: str, network: dict[str, Any]
) -> None:
    refused = post_form(client, "/console/plan", {"csrf_token": mei, "date": DAY})
    assert refused.status_code == 422
    assert "no orders are stored for 2026-11-11" in refused.text
    preview = _upload(client, mei, CSV)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.text))
    post_form(client, "/console/imports/confirm", form)
    started = post_form(
        client, "/console/plan", {"csrf_token": mei, "date": DAY, "time_limit_s": "1"}
    )
    assert started.status_code == 303, started.text
    job_id = started.headers["location"].split("/")[3].split("?")[0]
    html = page(client, f"/console/jobs/{job_id}").text
    assert f'data-job="{job_id}"' in html
    assert client.delete(f"/jobs/{job_id}", headers={"X-CSRF-Token": mei}).status_code == 200


def test_a_workbook_is_previewed_like_a_csv(
    client: TestClient, mei: str, api_store: Store, network: dict[str, Any]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in BAD.splitlines():
        sheet.append(line.split(","))
    content = io.BytesIO()
    book.save(content)
    before = snapshot(api_store)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = {"file": ("orders.xlsx", content.getvalue(), kind)}
    preview = post_form(client, "/console/imports", {"csrf_token": mei, "date": DAY}, files=files)
    assert preview.status_code == 200, preview.text
    assert [r[2] for r in cells(preview.text, "rejected")] == ["pickup_point", "items[0].qty"]
    assert [r[0] for r in cells(preview.text, "will-store")] == ["A-1", "A-2"]
    assert snapshot(api_store) == before
