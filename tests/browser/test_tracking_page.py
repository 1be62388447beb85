"""The customer's tracking page in headless Chromium: phone-sized, offline, under its CSP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dispatch.live.status import DayStatus, Position
from dispatch.store import create_tracking_link
from tests.api.driver_data import StoredPlan, store_plan
from tests.browser.conftest import NEEDS_CHROMIUM, WATCH_CSP, Browser, Service
from tests.dispatch.live.days import day, route, stop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def stored(service: Service) -> StoredPlan:
    return store_plan(service.store)


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    p = browser.context.new_page()
    p.add_init_script(WATCH_CSP)
    yield p
    p.close()


def _status(stored: StoredPlan) -> DayStatus:
    """V01's second stop 20 minutes late, the van last seen between its first two stops."""
    first, second = stored.plan["routes"][0]["stops"][:2]
    status = day(
        route(
            "V01",
            stop(first["stop"], tuple(first["orders"]), planned="09:30"),
            stop(second["stop"], tuple(second["orders"]), late=20, planned="09:55"),
            heard="09:40",
        )
    )
    (van,) = status.routes
    where = Position(
        (first["location"]["lat"] + second["location"]["lat"]) / 2,
        (first["location"]["lon"] + second["location"]["lon"]) / 2,
        van.last_event.at if van.last_event else datetime.now(UTC),
    )
    return replace(status, routes=(replace(van, position=where),))


def test_tracking_page_shows_state_window_and_van_on_a_phone(
    service: Service,
    stored: StoredPlan,
    browser: Browser,
    page: Any,
    artifacts: Path,
) -> None:
    """A pickup point's page: its state, the window around the predicted arrival, the van
    and the stop on the map; no sideways scrolling at 390×844; no CSP violation; nothing
    fetched from outside the service."""
    second = stored.plan["routes"][0]["stops"][1]
    status = _status(stored)
    live = service.app.state.live
    live.status_of = lambda session, plan_id, now: status
    with service.store.write() as session:
        token = create_tracking_link(
            session, stored.plan_id, stop=second["stop"], vehicle="V01",
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )  # fmt: skip
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        response = page.goto(f"{service.base_url}/t/{token}")
        assert response is not None
        assert response.status == 200
        page.wait_for_selector(".van-pin")
        assert page.locator("#state").inner_text() == "配送中"
        assert page.locator("#window").inner_text() == "10:00–10:30"
        assert page.locator(".dest-pin").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("window.__cspViolations") == []
        page.screenshot(path=str(artifacts / "tracking-page.png"), full_page=True)
        page.goto(f"{service.base_url}/t/{token}?lang=en")
        assert page.locator("#state").inner_text() == "Out for delivery"
        page.screenshot(path=str(artifacts / "tracking-page-en.png"), full_page=True)
    finally:
        live.status_of = lambda session, plan_id, now: None
    assert browser.blocked == [], browser.blocked
