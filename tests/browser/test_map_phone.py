"""The plan map on a phone: the layer list and the summary fold behind their buttons, open
on a tap, and stay open on a desk-sized screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dispatch.store import Role, create_key
from tests.api.driver_data import StoredPlan, store_plan
from tests.browser.conftest import NEEDS_CHROMIUM, Browser, Service

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def stored(service: Service) -> StoredPlan:
    return store_plan(service.store)


@pytest.fixture
def page(browser: Browser, service: Service) -> Iterator[Any]:
    p = browser.context.new_page()
    with service.store.write() as session:
        _, secret = create_key(session, Role.PLANNER)
    p.set_extra_http_headers({"Authorization": f"Bearer {secret}"})
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.close()
    assert errors == []
    assert browser.blocked == [], browser.blocked


def _open(page: Any, service: Service, stored: StoredPlan) -> None:
    page.goto(f"{service.base_url}/plans/{stored.plan_id}/map")
    page.wait_for_selector("path.route-line")


def test_layers_and_summary_fold_away_on_a_phone(
    service: Service, stored: StoredPlan, page: Any, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, service, stored)
    layers = page.locator(".plan-layers")
    toggle = layers.locator("button.fold-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not layers.locator(".leaflet-control-layers-list").is_visible()
    assert not page.locator(".plan-summary .summary-text").is_visible()
    assert page.locator(".plan-summary button.fold-toggle").is_visible()
    assert layers.bounding_box()["width"] < 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "plan-map-phone-folded.png"))
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert layers.locator(".leaflet-control-layers-list").is_visible()
    assert layers.locator(".leaflet-control-layers-overlays label").first.is_visible()
    page.locator(".plan-summary button.fold-toggle").click()
    assert page.locator(".plan-summary .summary-text").is_visible()
    page.screenshot(path=str(artifacts / "plan-map-phone-open.png"))
    toggle.click()
    assert not layers.locator(".leaflet-control-layers-list").is_visible()


def test_a_desk_screen_shows_them_without_buttons(
    service: Service, stored: StoredPlan, page: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    _open(page, service, stored)
    assert page.locator(".plan-layers .leaflet-control-layers-list").is_visible()
    assert page.locator(".plan-summary .summary-text").is_visible()
    assert page.locator("button.fold-toggle:visible").count() == 0
