"""The dispatcher's live map in headless Chromium: stop states in their colours, the vans'
last positions, refreshed by the page's own script under its CSP, offline."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dispatch.store import Role, create_key
from tests.api.driver_data import StoredPlan, make_plan, make_request, store_plan
from tests.browser.conftest import NEEDS_CHROMIUM, WATCH_CSP, Browser, Service

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]

GREEN, AMBER, RED = "rgb(21, 128, 61)", "rgb(245, 158, 11)", "rgb(185, 28, 28)"


@pytest.fixture(scope="module")
def stored(service: Service) -> StoredPlan:
    """V01 (PP-101..103) and V02 (PP-201..202); PP-103's window closes at 00:01, so it is
    late whenever the test runs."""
    plan = make_plan()
    request = make_request(plan)
    late = copy.deepcopy(plan)
    late["routes"][0]["stops"][2]["windows"] = [["00:00", "00:01"]]
    return store_plan(service.store, late, request)


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    p = browser.context.new_page()
    p.add_init_script(WATCH_CSP)
    yield p
    p.close()


def _post(service: Service, stored: StoredPlan, vehicle: str, body: dict[str, Any]) -> None:
    response = httpx.post(f"{service.base_url}/d/{stored.tokens[vehicle]}/events", json=body)
    assert response.status_code == 201, response.text


def _colour(page: Any, key: str) -> str:
    colour: str = page.locator(f'.pin[data-key="{key}"]').evaluate(
        "(el) => getComputedStyle(el).backgroundColor"
    )
    return colour


def test_live_map_colours_stops_shows_vans_and_refreshes(
    service: Service, stored: StoredPlan, browser: Browser, page: Any, artifacts: Path
) -> None:
    """PP-101 delivered (green), PP-201 failed (red), PP-103 late (amber), a van pin per
    route heard from; a delivery posted later turns PP-102 green at the next refresh."""
    _post(service, stored, "V01", {"event_id": "m1", "kind": "delivered", "stop": "PP-101"})
    _post(service, stored, "V02", {"event_id": "m2", "kind": "failed", "stop": "PP-201",
                                   "reason": "closed"})  # fmt: skip
    with service.store.write() as session:
        _, secret = create_key(session, Role.DISPATCHER)
    page.set_extra_http_headers({"Authorization": f"Bearer {secret}"})
    page.clock.install()
    response = page.goto(f"{service.base_url}/plans/{stored.plan_id}/map")
    assert response is not None
    assert response.status == 200
    page.wait_for_selector("body[data-live-as-of]")
    assert _colour(page, "V01/PP-101") == GREEN
    assert _colour(page, "V02/PP-201") == RED
    assert _colour(page, "V01/PP-103") == AMBER
    assert "state-late" in (
        page.locator('.pin[data-key="V01/PP-103"]').get_attribute("class") or ""
    )
    assert page.locator(".pin-vehicle").count() == 2
    assert "1 delivered" in page.locator(".plan-summary").inner_text()
    page.screenshot(path=str(artifacts / "live-map.png"), full_page=True)

    _post(service, stored, "V01", {"event_id": "m3", "kind": "delivered", "stop": "PP-102"})
    first = page.locator("body").get_attribute("data-live-as-of")
    page.clock.run_for(16_000)
    page.wait_for_function(
        "(seen) => document.body.getAttribute('data-live-as-of') !== seen", arg=first
    )
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.pin[data-key=\"V01/PP-102\"]'))"
        ".backgroundColor === 'rgb(21, 128, 61)'"
    )
    assert "2 delivered" in page.locator(".plan-summary").inner_text()
    assert page.evaluate("window.__cspViolations") == []
    page.screenshot(path=str(artifacts / "live-map-refreshed.png"), full_page=True)
    assert browser.blocked == [], browser.blocked
