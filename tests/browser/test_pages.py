"""The plan map and the driver page in headless Chromium, offline, against the running service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from api.views.plan_map import write_plan_map
from dispatch.store import Role, create_key, list_events
from tests.api.driver_data import StoredPlan, store_plan
from tests.api.views.payloads import map_texts, payload_plan, payload_request, typed
from tests.browser.conftest import NEEDS_CHROMIUM, WATCH_CSP, Browser, Service

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
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


"""Collects the page's CSP violations in ``window.__cspViolations`` (runs before the page)."""

OPEN_EVERY_OVERLAY = """
() => {
  const texts = [];
  window.planMap.eachLayer((layer) => {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      texts.push(layer.getPopup().getElement().textContent);
      layer.closePopup();
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      texts.push(layer.getTooltip().getElement().textContent);
      layer.closeTooltip();
    }
  });
  return texts;
}
"""
"""Opens each popup and tooltip of the map in turn; returns their texts."""

FIT_AGAIN = """
() => {
  const data = JSON.parse(document.getElementById("map-data").textContent);
  window.planMap.fitBounds(data.bounds, { padding: [20, 20], animate: false });
}
"""
"""Puts the whole plan back in view after popups have panned the map."""


@dataclass
class Watched:
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _watch(page: Any) -> Watched:
    """Record dialogs (dismissed), console errors and uncaught exceptions of ``page``."""
    seen = Watched()

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    return seen


def _open_map(page: Any, service: Service, plan_id: int) -> Any:
    with service.store.write() as session:
        _, secret = create_key(session, Role.DISPATCHER)
    page.set_extra_http_headers({"Authorization": f"Bearer {secret}"})
    response = page.goto(f"{service.base_url}/plans/{plan_id}/map")
    assert response is not None
    assert response.status == 200
    page.wait_for_selector("path.route-line")
    return response


def test_plan_map_draws_a_line_per_route_and_a_marker_per_stop(
    service: Service, stored: StoredPlan, browser: Browser, page: Any, artifacts: Path
) -> None:
    """Two route lines; five numbered stops plus the depot; a layer switch with swatches;
    everything from the service, under the page's policy, with no error."""
    seen = _watch(page)
    response = _open_map(page, service, stored.plan_id)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert page.locator("path.route-line").count() == 2
    assert page.locator(".stop-marker").count() == 5
    assert page.locator(".leaflet-marker-pane > *").count() == 5 + 1
    assert page.locator(".stop-marker .pin").all_text_contents() == ["1", "2", "3", "1", "2"]
    labels = page.locator(".leaflet-control-layers-overlays label")
    assert labels.count() == 2 + 1
    assert labels.first.text_content().strip() == "V01 · 3 stops · 30.0 km"
    assert page.locator(".leaflet-control-layers-overlays .swatch").count() == 3
    summary = page.locator(".plan-summary").text_content()
    assert "complete · 2 routes · 5 stops · 0 outsourced · 0 unserved" in summary
    page.locator(".stop-marker").first.click()
    popup = page.locator(".leaflet-popup-content .plan-popup")
    assert popup.locator(".popup-title").text_content() == "1. 團購點 1-1"
    assert popup.locator("tr.row-chilled").count() == 0
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".stop-marker").nth(1).dispatch_event("click")
    page.wait_for_selector(".leaflet-popup-content .popup-title:text-is('2. 團購點 1-2')")
    assert popup.locator("tr.row-chilled .popup-value").text_content() == "12 L"
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / "plan-map-popup.png"))
    page.locator(".leaflet-control-layers-selector").first.uncheck()
    assert page.locator("path.route-line").count() == 1
    page.locator(".leaflet-control-layers-selector").first.check()
    assert page.locator("path.route-line").count() == 2
    assert page.evaluate("window.__cspViolations") == []
    assert seen.errors == []
    page.screenshot(path=str(artifacts / "plan-map.png"), full_page=True)
    _local_only(browser)


def test_plan_map_shows_injected_names_as_text(
    service: Service, browser: Browser, page: Any, artifacts: Path, tmp_path: Path
) -> None:
    """Template, script and HTML payloads in stop, depot, region, carrier, unserved, order and
    vehicle names show literally in popups, tooltips and the layer switch; nothing runs."""
    marker = tmp_path / "pwned"
    plan = payload_plan(str(marker))
    request = payload_request(plan)
    stored = store_plan(service.store, plan, request)
    seen = _watch(page)
    _open_map(page, service, stored.plan_id)
    assert page.locator("path.region-area").count() == 2
    assert page.locator(".unserved-marker").count() == 1
    page.locator(".stop-marker").first.click()
    title = page.locator(".leaflet-popup-content .popup-title").text_content()
    assert title == "1. " + plan["routes"][0]["stops"][0]["name"]
    shown = "\n".join(
        [
            *page.evaluate(OPEN_EVERY_OVERLAY),
            page.locator(".plan-layers").text_content(),
        ]
    )
    for text in map_texts(plan, request):
        assert text in shown, text
    assert "[49]" not in shown
    assert page.locator("#map img, #map script, #map iframe").count() == 0
    page.evaluate(FIT_AGAIN)
    page.locator(".leaflet-marker-pane .unserved-marker").click()
    page.wait_for_selector(".leaflet-popup-content .popup-title")
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / "plan-map-payloads.png"), full_page=True)
    assert seen.dialogs == []
    assert seen.errors == []
    assert page.evaluate("window.__cspViolations") == []
    assert not marker.exists()
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


def _stored_events(service: Service, plan_id: int, vehicle: str, timeout: float = 10) -> list[Any]:
    """The route's stored events, once the page's queue has sent at least one (the page
    shows a report at once and sends it in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        with service.store.read() as session:
            events = list_events(session, plan_id, vehicle=vehicle, limit=50, offset=0).items
        if events or time.monotonic() > deadline:
            return list(events)
        time.sleep(0.1)


def test_pressing_delivered_records_an_event(
    service: Service, stored: StoredPlan, page: Any
) -> None:
    """已送達 on the second stop stores a delivered event and marks the stop done."""
    page.goto(f"{service.base_url}/d/{stored.tokens['V01']}")
    card = page.locator('li.stop[data-stop="PP-102"]')
    card.locator("button.btn-delivered").click()
    page.wait_for_selector('li.stop[data-stop="PP-102"][data-status="delivered"]')
    page.wait_for_selector('body[data-queued="0"]')
    assert card.locator(".status").inner_text() == "已送達"
    events = _stored_events(service, stored.plan_id, "V01")
    assert ("PP-102", "delivered") in [(e.stop, e.kind.value) for e in events]


def test_reporting_a_failure_with_a_reason(service: Service, stored: StoredPlan, page: Any) -> None:
    """失敗 opens the reason form; sending it stores the failure with its reason."""
    page.goto(f"{service.base_url}/d/{stored.tokens['V02']}?lang=en")
    card = page.locator('li.stop[data-stop="PP-201"]')
    card.locator("button.btn-failed").first.click()
    card.locator("select[name=reason]").select_option("closed")
    card.locator("button.btn-send").click()
    page.wait_for_selector('li.stop[data-stop="PP-201"][data-status="failed"]')
    page.wait_for_selector('body[data-queued="0"]')
    events = _stored_events(service, stored.plan_id, "V02")
    assert [(e.stop, e.kind.value, e.reason) for e in events] == [("PP-201", "failed", "closed")]


def test_map_file_written_by_the_cli_opens_from_disk(
    browser: Browser, page: Any, artifacts: Path, tmp_path: Path
) -> None:
    """The standalone file draws the same map from file:// under its meta policy."""
    plan = payload_plan(str(tmp_path / "pwned"))
    out = write_plan_map(payload_request(plan), typed(plan), tmp_path / "plan.html", tiles_url=None)
    seen = _watch(page)
    page.goto(out.as_uri())
    page.wait_for_selector("path.route-line")
    assert page.locator("path.route-line").count() == 2
    assert page.locator("path.region-area").count() == 2
    assert page.locator(".leaflet-marker-pane > *").count() == 5 + 1 + 1
    page.locator(".depot-marker").click()
    title = page.locator(".leaflet-popup-content .popup-title").text_content()
    assert title == payload_request(plan)["depots"][0]["name"]
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / "plan-map-file.png"), full_page=True)
    assert seen.dialogs == []
    assert seen.errors == []
    assert page.evaluate("window.__cspViolations") == []
    _local_only(browser)


def test_driver_page_shows_injected_names_as_text(
    service: Service, browser: Browser, page: Any, artifacts: Path, tmp_path: Path
) -> None:
    """The same payloads in the driver's stop names, vehicle and orders show literally in the
    list and on the map's markers; reporting a delivery on such a stop works; nothing runs."""
    plan = payload_plan(str(tmp_path / "pwned"))
    stored = store_plan(service.store, plan, payload_request(plan))
    vehicle = plan["routes"][0]["vehicle"]
    seen = _watch(page)
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(f"{service.base_url}/d/{stored.tokens[vehicle]}")
    assert response is not None
    assert response.status == 200
    page.wait_for_selector("path.route-line")
    names = [s["name"] for s in plan["routes"][0]["stops"]]
    assert page.locator("li.stop h2").all_text_contents() == names
    assert page.locator("h1").text_content() == vehicle
    orders = [
        page.locator("li.stop")
        .nth(k)
        .locator("input[name=order]")
        .evaluate_all("boxes => boxes.map(b => b.value)")
        for k in range(len(names))
    ]
    assert orders == [list(s["orders"]) for s in plan["routes"][0]["stops"]]
    labels = page.locator("li.stop").first.locator(".order-list label").all_text_contents()
    assert [x.strip() for x in labels] == list(plan["routes"][0]["stops"][0]["orders"])
    assert page.locator("main img, main iframe").count() == 0
    page.locator("li.stop").nth(1).locator("button.btn-delivered").click()
    page.wait_for_selector('li.stop:nth-child(2)[data-status="delivered"]')
    page.screenshot(path=str(artifacts / "driver-page-payloads.png"), full_page=True)
    assert seen.dialogs == []
    assert seen.errors == []
    assert page.evaluate("window.__cspViolations") == []
    assert not (tmp_path / "pwned").exists()
    _local_only(browser)


def test_offline_reports_are_queued_and_sent_once_when_online(
    service: Service, browser: Browser, page: Any, artifacts: Path
) -> None:
    """Offline, 已送達 tapped twice on each of two stops and 出發 once: the page shows three
    reports queued for this link; back online they are sent, and each is stored exactly once.
    (Another link's queue in the same browser is its own: a report whose answer was cut off by
    leaving its page stays there until that page opens again.)"""
    stored = store_plan(service.store)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{service.base_url}/d/{stored.tokens['V01']}")
    page.wait_for_selector("path.route-line")
    browser.context.set_offline(True)
    try:
        page.locator("#depart").click()
        for stop in ("PP-101", "PP-102"):
            button = page.locator(f'li.stop[data-stop="{stop}"] button.btn-delivered')
            button.click()
            button.click()
        page.wait_for_selector('body[data-queued="3"]')
        assert page.locator("#queued-count").inner_text() == "3"
        queued = page.evaluate(
            "JSON.parse(localStorage.getItem('dispatch.events.' + location.pathname))"
            ".map(e => [e.kind, e.stop || null, e.event_id.length > 0, !!e.at])"
        )
        assert queued == [["departed", None, True, True], ["delivered", "PP-101", True, True],
                          ["delivered", "PP-102", True, True]]  # fmt: skip
        page.screenshot(path=str(artifacts / "driver-page-offline-queue.png"), full_page=False)
        with service.store.read() as session:
            assert list_events(session, stored.plan_id, limit=50, offset=0).count == 0
    finally:
        browser.context.set_offline(False)
    page.wait_for_selector('body[data-queued="0"]', timeout=15000)
    with service.store.read() as session:
        events = list_events(session, stored.plan_id, limit=50, offset=0).items
    assert sorted((e.kind.value, e.stop) for e in events) == [
        ("delivered", "PP-101"), ("delivered", "PP-102"), ("departed", None),
    ]  # fmt: skip
    assert len({e.event_id for e in events}) == 3
    assert page.locator('li.stop[data-stop="PP-102"] .msg').inner_text().startswith("已記錄")
    page.screenshot(path=str(artifacts / "driver-page-sent.png"), full_page=False)


def test_partial_delivery_with_recipient(service: Service, page: Any) -> None:
    """Unticking an order and naming the recipient reports a partial delivery."""
    stored = store_plan(service.store)
    page.goto(f"{service.base_url}/d/{stored.tokens['V02']}?lang=en")
    card = page.locator('li.stop[data-stop="PP-201"]')
    card.locator("details.orders summary").click()
    card.locator('input[name=order][value="O-201-2"]').uncheck()
    card.locator("input[name=recipient]").fill("王小姐")
    card.locator("button.btn-delivered").click()
    page.wait_for_selector('body[data-queued="0"]')
    page.wait_for_selector('li.stop[data-stop="PP-201"][data-status="partly_delivered"]')
    with service.store.read() as session:
        (event,) = list_events(session, stored.plan_id, limit=50, offset=0).items
    assert (event.orders, event.recipient) == (["O-201-1", "O-201-3"], "王小姐")
