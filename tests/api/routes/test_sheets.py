"""/plans/{id}/routes/{vehicle}/sheet.{pdf,xlsx,csv}: a route's sheet for every reader, its
QR code only for those who may see the driver link and only when the service can show it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.settings import Settings
from api.views.route_sheet.fonts import cjk_font
from dispatch.store import Store, replace_driver_links, resolve_driver_link
from dispatch.store.models import utcnow
from tests.api.conftest import Keys, assert_problem
from tests.api.views.route_sheet.test_rows import pdf_text, qr_codes

LINK_KEY = "k" * 40
SHEET = "/plans/{}/routes/VAN%231/sheet.{}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The service with a link key, so a live link can be shown again (as a QR code)."""
    return Settings(database_url=database_url, load_demo=False, workers=1, link_key=LINK_KEY,
                    public_url="https://dispatch.example")  # fmt: skip


def test_each_format_for_every_reader(client: TestClient, keys: Keys, plan_id: int) -> None:
    """PDF, XLSX and CSV with their types, as attachments, to planners too; 404 and 422."""
    for kind, media in (("pdf", "application/pdf"), ("xlsx", "application/vnd.openxml"),
                        ("csv", "text/csv")):  # fmt: skip
        answer = client.get(SHEET.format(plan_id, kind), headers=keys.planner)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media)
        assert (
            answer.headers["content-disposition"]
            == f'attachment; filename="route-{plan_id}-VAN_1.{kind}"'
        )
        assert answer.headers["cache-control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "順序"
    assert [(r[0], r[3], r[8]) for r in rows[1:]] == [("1", "PP-1", "A-1"), ("1", "PP-1", "A-2")]
    xlsx = client.get(SHEET.format(plan_id, "xlsx") + "?lang=en", headers=keys.dispatcher)
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.cell(1, 1).value == "Route sheet"
    assert ws.cell(1, 2).value == "VAN#1"
    assert_problem(client.get(f"/plans/{plan_id}/routes/NOPE/sheet.pdf", headers=keys.planner), 404)
    assert_problem(
        client.get(f"/plans/{plan_id}/routes/VAN%231/sheet.doc", headers=keys.planner), 422
    )
    assert client.get(SHEET.format(plan_id, "csv")).status_code == 401


@pytest.mark.slow
@pytest.mark.skipif(cjk_font() is None, reason="no CJK font (fonts-noto-cjk) installed")
def test_the_qr_code_needs_a_live_link_and_a_dispatcher(
    client: TestClient, keys: Keys, plan_id: int, api_store: Store
) -> None:
    """With the link key and a live link, a dispatcher's PDF carries the QR code (and its
    caption); a planner's never does, nor anyone's before the route has a live link."""
    url = SHEET.format(plan_id, "pdf")
    assert "掃描開啟司機頁面" not in pdf_text(client.get(url, headers=keys.dispatcher).content)
    with api_store.write() as session:
        expires = utcnow() + timedelta(days=1)
        replace_driver_links(session, plan_id, ["VAN#1"], expires, key=LINK_KEY.encode())
    dispatcher = pdf_text(client.get(url, headers=keys.dispatcher).content)
    planner = pdf_text(client.get(url, headers=keys.planner).content)
    assert "掃描開啟司機頁面" in dispatcher
    assert "掃描開啟司機頁面" not in planner
    (link,) = qr_codes(client.get(url, headers=keys.dispatcher).content)
    assert link.startswith("https://dispatch.example/d/")
    with api_store.read() as session:
        assert resolve_driver_link(session, link.rsplit("/", 1)[1]) == (plan_id, "VAN#1")
    assert qr_codes(client.get(url, headers=keys.planner).content) == []
    assert "PP-1" in dispatcher
    assert "PP-1" in planner
