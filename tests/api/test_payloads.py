"""Injection payloads in every text field, planned by a planner and imported by a dispatcher.

Each page that shows the plan (its JSON, GeoJSON, map and the driver's page) must show the
payloads as the literal text they are: never evaluated as a template, never markup, never a
500. The browser half (nothing runs in Chromium) is in ``tests/browser``.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scenarios.demo import example_path
from tests.api.conftest import Keys
from tests.api.job_data import wait_job
from tests.api.payloads import PAYLOADS, poisoned_request

pytestmark = pytest.mark.slow

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
"""Links of a plan for tomorrow are live, so the driver's page can be read."""

_MAP_DATA = re.compile(r'<script type="application/json" id="map-data">(.*?)</script>', re.S)


def _request() -> dict[str, Any]:
    doc = json.loads(example_path("small").read_text(encoding="utf-8"))
    doc = poisoned_request(doc)
    doc["date"] = TOMORROW
    doc["options"] = {"time_limit_s": 2, "engine": "ortools"}
    return doc


def _texts(value: Any) -> list[str]:
    """Every string in a JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def _assert_literal(texts: list[str], where: str) -> None:
    joined = "\n".join(texts)
    for payload in PAYLOADS:
        assert payload in joined, f"{payload!r} is not shown literally on {where}"


class _Page(HTMLParser):
    """The text a browser shows, the tags it builds and the scripts it runs, of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._in_script = False

    @classmethod
    def read(cls, html: str) -> _Page:
        page = cls()
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def _assert_no_injected_markup(html: str) -> None:
    """No tag carries an event handler, no image points at ``x``, every script is a file or data."""
    page = _Page.read(html)
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert attrs.get("src") != "x", (tag, attrs)
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/json", attrs


def _plan(client: TestClient, body: dict[str, Any], headers: dict[str, str]) -> int:
    accepted = client.post("/plans", json=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    job = wait_job(
        lambda j: client.get(f"/jobs/{j}", headers=headers).json(), accepted.json()["job_id"]
    )
    assert job["status"] == "succeeded", job
    return int(job["plan_id"])


def _check_pages(client: TestClient, keys: Keys, plan_id: int) -> None:
    """The plan's JSON, GeoJSON, map and driver pages show every payload literally."""
    plan = client.get(f"/plans/{plan_id}", headers=keys.planner)
    assert plan.status_code == 200
    _assert_literal(_texts(plan.json()), "the plan JSON")

    geojson = client.get(f"/plans/{plan_id}/geojson", headers=keys.planner)
    assert geojson.status_code == 200
    _assert_literal(_texts(geojson.json()), "the GeoJSON")

    page = client.get(f"/plans/{plan_id}/map", headers=keys.planner)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    (data,) = _MAP_DATA.findall(page.text)
    _assert_literal(_texts(json.loads(data)), "the plan map")
    outside = _MAP_DATA.sub("", page.text)
    for payload in PAYLOADS:
        assert payload not in outside, f"{payload!r} reached the map page's markup"
    _assert_no_injected_markup(page.text)

    links = client.post(f"/plans/{plan_id}/driver-links", headers=keys.dispatcher)
    assert links.status_code == 201, links.text
    for link in links.json()["links"].values():
        driver = client.get(link)
        assert driver.status_code == 200
        assert "script-src 'self'" in driver.headers["content-security-policy"]
        _assert_no_injected_markup(driver.text)
        shown = _Page.read(driver.text)
        _assert_literal(shown.text, "the driver's page")


def test_a_planner_s_request_with_payloads_in_every_field_shows_them_literally(
    client: TestClient, keys: Keys
) -> None:
    plan_id = _plan(client, _request(), keys.planner)
    _check_pages(client, keys, plan_id)


def _csv(orders: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "platform", "date", "customer", "pickup_point", "sku", "name", "qty",
                     "weight_kg", "volume_l", "temperature"])  # fmt: skip
    for order in orders:
        for item in order["items"]:
            writer.writerow([order["id"], order["platform"], TOMORROW, order["customer"],
                             order["pickup_point"], item["sku"], item["name"], item["qty"],
                             item["weight_kg"], item["volume_l"], item["temperature"]])  # fmt: skip
    return out.getvalue().encode("utf-8")


def test_a_dispatcher_s_import_with_payloads_shows_them_literally(
    client: TestClient, keys: Keys
) -> None:
    doc = _request()
    network = {k: v for k, v in doc.items() if k not in ("date", "orders")}
    stored = client.put("/network", json=network, headers=keys.admin)
    assert stored.status_code == 200, stored.text
    orders = [o for o in copy.deepcopy(doc["orders"]) if o.get("pickup_point")]
    files = {"file": ("orders.csv", _csv(orders), "text/csv")}
    imported = client.post("/imports", files=files, headers=keys.dispatcher)
    assert imported.status_code == 201, imported.text
    assert imported.json()["stored"] == len(orders)
    plan_id = _plan(
        client, {"date": TOMORROW, "options": {"time_limit_s": 2, "engine": "ortools"}},
        keys.dispatcher,
    )  # fmt: skip
    _check_pages(client, keys, plan_id)
