"""The plan map and the driver page in headless Chromium, offline, against the running service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dispatch.store import Role, create_key, list_events
from tests.api.driver_data import StoredPlan, store_plan
from tests.browser.conftest import CHROMIUM, Browser, Service

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)",
    ),
]


@pytest.fixture(scope="module")
def stored(service: Service) -> StoredPlan:
    """Two routes: V01 with 3 stops, V02 with 2."""
    return store_plan(service.store)


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    p = browser.context.new_page()
    yield p
    p.close()


def _local_only(browser: Browser) -> None:
    assert browser.blocked == [], browser.blocked


def test_plan_map_draws_a_line_per_route_and_a_marker_per_stop(
    service: Service, stored: StoredPlan, browser: Browser, page: Any, artifacts: Path
) -> None:
    """Two route lines; five numbered stops plus the depot; everything from the service."""
    with service.store.write() as session:
        _, secret = create_key(session, Role.DISPATCHER)
    page.set_extra_http_headers({"Authorization": f"Bearer {secret}"})
    response = page.goto(f"{service.base_url}/plans/{stored.plan_id}/map")
    assert response is not None
    assert response.status == 200
    page.wait_for_selector("path.route-line")
    assert page.locator("path.route-line").count() == 2
    assert page.locator(".stop-marker").count() == 5
    assert page.locator(".leaflet-marker-pane > *").count() == 5 + 1
    assert page.evaluate("typeof L === 'object' && typeof L.AwesomeMarkers === 'object'")
    assert page.locator(".leaflet-control-layers-overlays label").count() == 2 + 1
    page.screenshot(path=str(artifacts / "plan-map.png"), full_page=True)
    _local_only(browser)


def test_driver_page_lists_stops_in_order_and_fits_a_phone(
    service: Service, stored: StoredPlan, browser: Browser, page: Any, artifacts: Path
) -> None:
    """The stops in route order with their times; no sideways scrolling at 390×844."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{service.base_url}/d/{stored.tokens['V01']}")
    page.wait_for_selector("path.route-line")
    route = stored.plan["routes"][0]
    assert page.locator("li.stop h2").all_inner_texts() == [s["name"] for s in route["stops"]]
    assert page.locator("li.stop dd.arrival").all_inner_texts() == ["09:30", "09:55", "10:20"]
    assert page.locator(".leaflet-marker-pane > *").count() == 3 + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "driver-page.png"), full_page=True)
    _local_only(browser)


def test_pressing_delivered_records_an_event(
    service: Service, stored: StoredPlan, page: Any
) -> None:
    """已送達 on the second stop stores a delivered event and marks the stop done."""
    page.goto(f"{service.base_url}/d/{stored.tokens['V01']}")
    card = page.locator('li.stop[data-stop="PP-102"]')
    card.locator("button.btn-delivered").click()
    page.wait_for_selector('li.stop[data-stop="PP-102"][data-status="delivered"]')
    assert card.locator(".status").inner_text() == "已送達"
    with service.store.read() as session:
        events = list_events(session, stored.plan_id, vehicle="V01", limit=50, offset=0).items
    assert ("PP-102", "delivered") in [(e.stop, e.kind.value) for e in events]


def test_reporting_a_failure_with_a_reason(service: Service, stored: StoredPlan, page: Any) -> None:
    """失敗 opens the reason form; sending it stores the failure with its reason."""
    page.goto(f"{service.base_url}/d/{stored.tokens['V02']}?lang=en")
    card = page.locator('li.stop[data-stop="PP-201"]')
    card.locator("button.btn-failed").first.click()
    card.locator("select[name=reason]").select_option("closed")
    card.locator("button.btn-send").click()
    page.wait_for_selector('li.stop[data-stop="PP-201"][data-status="failed"]')
    with service.store.read() as session:
        events = list_events(session, stored.plan_id, vehicle="V02", limit=50, offset=0).items
    assert [(e.stop, e.kind.value, e.reason) for e in events] == [("PP-201", "failed", "closed")]
