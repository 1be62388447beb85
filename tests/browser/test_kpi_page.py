"""The KPI page in headless Chromium, offline, signed in with a session: charts drawn, tables
filled, no console error, no CSP violation."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dispatch.store import Role, create_key
from tests.browser.conftest import NEEDS_CHROMIUM, Browser, Service
from tests.browser.test_pages import _watch
from tests.dispatch.kpis.day import CARRIER, PLAN, REQUEST, ROAD
from tests.dispatch.kpis.stored import store_events, store_plan

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]

CANVAS_DRAWN = """
(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let k = 3; k < data.length; k += 4) { if (data[k] > 0) drawn += 1; }
  return {drawn, width: canvas.width, height: canvas.height};
}
"""


def _store_days(service: Service) -> None:
    """The hand-made day on 6, 7 and 8 December; fewer events reported on the earlier days."""
    for back in (2, 1, 0):
        day = f"2026-12-0{8 - back}"
        request = {**copy.deepcopy(REQUEST), "date": day}
        plan = {**copy.deepcopy(PLAN), "date": day}
        plan_id = store_plan(service.store, request=request, plan=plan)
        shift = timedelta(days=-back)
        road = [replace(e, at=e.at + shift) for e in ROAD[: len(ROAD) - back]]
        carrier = [replace(e, at=e.at + shift, event_id=f"{e.event_id}-{day}") for e in CARRIER]
        store_events(service.store, plan_id, road, carrier)


@pytest.fixture
def page(browser: Browser) -> Any:
    p = browser.context.new_page()
    yield p
    p.close()


def test_kpi_page_draws_charts_and_tables(
    service: Service, browser: Browser, page: Any, artifacts: Path
) -> None:
    _store_days(service)
    with service.store.write() as session:
        _, secret = create_key(session, Role.PLANNER)
    signed_in = page.request.post(
        f"{service.base_url}/session", headers={"Authorization": f"Bearer {secret}"}
    )
    assert signed_in.status == 201
    seen = _watch(page)
    response = page.goto(f"{service.base_url}/kpis/view?from=2026-12-06&to=2026-12-08&lang=en")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#kpis[data-state=ready]", timeout=15_000)
    for chart in ("chart-orders", "chart-rates", "chart-delay", "chart-cost"):
        drawn = page.evaluate(CANVAS_DRAWN, chart)
        assert drawn["width"] > 100, drawn
        assert drawn["drawn"] > 500, (chart, drawn)
    assert page.text_content("[data-kpi=orders]") == "18"
    assert page.text_content("[data-kpi=delivered]") == "9"
    regions = page.locator("#table-region tbody tr")
    assert regions.count() == 2
    assert page.locator("#table-carrier tbody tr").count() == 3
    assert page.text_content("#table-carrier tbody tr:first-child td:first-child") == "CAT"
    page.screenshot(path=str(artifacts / "kpi-page.png"), full_page=True)
    assert seen.errors == []
    assert seen.dialogs == []
    assert page.evaluate("window.__cspViolations") == []
    assert browser.blocked == []


def test_kpi_page_in_chinese_by_default(service: Service, page: Any) -> None:
    with service.store.write() as session:
        _, secret = create_key(session, Role.DISPATCHER)
    page.set_extra_http_headers({"Authorization": f"Bearer {secret}"})
    page.goto(f"{service.base_url}/kpis/view?from=2026-12-01&to=2026-12-02")
    page.wait_for_selector("#kpis[data-state=ready]", timeout=15_000)
    assert page.text_content("h1") == "團購配送調度 · 營運指標"
    assert page.text_content("#message") == "此期間沒有已儲存的計畫。"
