"""The driver page ``/d/{token}``, its events, the plan map and the static assets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.views.driver_page import TEMPLATES
from api.views.pages import choose_lang
from dispatch.live.tracking import FailureReason, issue_driver_links, link_expiry
from dispatch.planning.plan import Plan
from dispatch.store import Role, Store, create_key, list_events, revoke_driver_links
from tests.api.driver_data import (
    StoredPlan,
    build_app,
    expired_token,
    make_plan,
    store_plan,
)


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on a fresh SQLite file, without background tiles."""
    monkeypatch.setenv("DISPATCH_TILES_URL", "")
    app = build_app(f"sqlite:///{tmp_path / 'dispatch.sqlite'}")
    with TestClient(app) as c:
        yield c


@pytest.fixture
def store(client: TestClient) -> Store:
    s: Store = client.app.state.store  # type: ignore[attr-defined]
    return s


@pytest.fixture
def stored(store: Store) -> StoredPlan:
    """Two routes: V01 with 3 stops, V02 with 2."""
    return store_plan(store)


def _stop_names(html: str) -> list[str]:
    return re.findall(r"<h2>([^<]+)</h2>", html)


def test_page_lists_stops_in_route_order_with_times(client: TestClient, stored: StoredPlan) -> None:
    """The page shows the route's stops in order with arrival, window, loads and contacts."""
    response = client.get(f"/d/{stored.tokens['V01']}")
    assert response.status_code == 200
    html = response.text
    route = stored.plan["routes"][0]
    assert _stop_names(html) == [s["name"] for s in route["stops"]]
    assert re.findall(r'class="arrival">([^<]+)<', html) == ["09:30", "09:55", "10:20"]
    assert "09:00–18:00" in html
    assert 'class="load-chilled"' in html
    assert 'class="load-frozen"' in html
    assert "冷藏" in html
    assert "冷凍" in html
    assert 'href="tel:0912345001"' in html
    assert 'href="geo:25.004,121.51?q=25.004,121.51"' in html
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=25.004,121.51" in html
    assert "已送達" in html
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "V02" not in html


def test_language_from_query_or_accept_language(client: TestClient, stored: StoredPlan) -> None:
    """zh-TW by default, English by ?lang=en or the browser's Accept-Language."""
    path = f"/d/{stored.tokens['V01']}"
    assert 'lang="zh-TW"' in client.get(path).text
    assert "Delivered" in client.get(path, params={"lang": "en"}).text
    english = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9,zh-TW;q=0.5"})
    assert 'lang="en"' in english.text
    assert 'lang="zh-TW"' in client.get(path, headers={"Accept-Language": "zh-TW,en;q=0.8"}).text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh-TW"),
        ("en-US", "en"),
        ("fr-FR,en;q=0.5", "en"),
        ("zh-Hant-TW,zh;q=0.9,en;q=0.8", "zh-TW"),
        ("en;q=0.2,zh;q=0.9", "zh-TW"),
        ("de-DE", "zh-TW"),
    ],
)
def test_choose_lang(header: str | None, expected: str) -> None:
    """The best supported language of Accept-Language wins; zh-TW otherwise."""
    assert choose_lang(None, header) == expected


def test_wrong_expired_and_revoked_tokens_get_the_same_bare_404(
    client: TestClient, store: Store, stored: StoredPlan
) -> None:
    """Nothing tells an unknown token from an expired or a revoked one."""
    expired = expired_token(store, stored, "V01")
    with store.write() as session:
        revoke_driver_links(session, stored.plan_id, "V02")
    bodies = set()
    for token in ("not-a-token", expired, stored.tokens["V02"]):
        response = client.get(f"/d/{token}")
        assert response.status_code == 404
        assert token not in response.text
        bodies.add(response.text)
        event = client.post(f"/d/{token}/events", json={"stop": "PP-201", "kind": "arrived"})
        assert event.status_code == 404
        assert token not in event.text
        garbage = client.post(f"/d/{token}/events", content=b"{not json")
        assert garbage.status_code == 404
    assert len(bodies) == 1
    assert client.get(f"/d/{stored.tokens['V01']}").status_code == 200


def test_revoking_drops_a_cached_page(client: TestClient, store: Store, stored: StoredPlan) -> None:
    """A page served from the cache stops working as soon as its link is revoked."""
    path = f"/d/{stored.tokens['V01']}"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    with store.write() as session:
        revoke_driver_links(session, stored.plan_id, "V01")
    assert client.get(path).status_code == 404


def test_delivered_event_is_recorded(client: TestClient, store: Store, stored: StoredPlan) -> None:
    """A report is stored for the token's route and shows on the page afterwards."""
    path = f"/d/{stored.tokens['V01']}"
    before = client.get(path).text
    assert 'data-status="delivered"' not in before
    response = client.post(f"{path}/events", json={"stop": "PP-102", "kind": "delivered"})
    assert response.status_code == 201
    assert re.fullmatch(r"\d\d:\d\d", response.json()["time"])
    with store.read() as session:
        events = list_events(session, stored.plan_id, limit=10, offset=0).items
    assert [(e.vehicle, e.stop, e.kind.value) for e in events] == [("V01", "PP-102", "delivered")]
    after = client.get(path).text
    assert 'data-stop="PP-102" data-status="delivered"' in after


def test_failed_needs_a_reason(client: TestClient, store: Store, stored: StoredPlan) -> None:
    """A failure without a reason is refused; with one it is stored with its note."""
    token = stored.tokens["V01"]
    path = f"/d/{token}/events"
    refused = client.post(path, json={"stop": "PP-101", "kind": "failed"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        ("reason", "is required when kind is 'failed'")
    ]
    assert token not in refused.text
    assert client.post(path, content=b"{not json").status_code == 422
    ok = client.post(
        path, json={"stop": "PP-101", "kind": "failed", "reason": "other", "note": "鐵門深鎖"}
    )
    assert ok.status_code == 201
    with store.read() as session:
        (event,) = list_events(session, stored.plan_id, limit=10, offset=0).items
    assert (event.reason, event.note) == ("other", "鐵門深鎖")


def test_token_works_only_for_its_route(
    client: TestClient, store: Store, stored: StoredPlan
) -> None:
    """V01's token cannot report on V02's stops, and V02's page is not V01's."""
    response = client.post(
        f"/d/{stored.tokens['V01']}/events", json={"stop": "PP-201", "kind": "delivered"}
    )
    assert response.status_code == 422
    with store.read() as session:
        assert list_events(session, stored.plan_id, limit=10, offset=0).count == 0
    other = client.get(f"/d/{stored.tokens['V02']}").text
    assert _stop_names(other) == ["團購點 2-1", "團購點 2-2"]


def test_forty_stop_page_is_small(client: TestClient, store: Store) -> None:
    """A 40-stop route is one HTML response well under 300 KB."""
    big = store_plan(store, make_plan((40,)))
    response = client.get(f"/d/{big.tokens['V01']}")
    assert response.status_code == 200
    assert len(_stop_names(response.text)) == 40
    assert len(response.content) < 300_000


def test_links_stay_out_of_the_plan_and_expire_after_the_day() -> None:
    """Each route gets ``/d/<token>``, returned, never written into the plan document (which
    every role reads); links last to the end of the plan day plus the grace."""
    plan = Plan.model_validate(make_plan())
    before = plan.document()
    links = issue_driver_links(plan, lambda vehicle, _expires: f"tok-{vehicle}")
    assert plan.document() == before
    assert links == {"V01": "/d/tok-V01", "V02": "/d/tok-V02"}
    expires = link_expiry(date(2026, 11, 11), "Asia/Taipei")
    assert expires == datetime(2026, 11, 11, 22, 0, tzinfo=UTC)


def test_vendored_assets_are_served_with_long_cache(client: TestClient) -> None:
    """Library files are cached for a year; paths cannot leave the asset folders."""
    response = client.get("/static/vendor/leaflet-1.9.3/leaflet.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "javascript" in response.headers["content-type"]
    page_js = client.get("/static/app/driver/driver.js?v=1")
    assert page_js.status_code == 200
    assert "immutable" in page_js.headers["cache-control"]
    assert client.get("/static/vendor/../../maps.py").status_code == 404
    assert client.get("/static/vendor/%2e%2e/%2e%2e/maps.py").status_code == 404
    assert client.get("/static/vendor/nothing.js").status_code == 404


def test_page_references_only_local_assets(client: TestClient, stored: StoredPlan) -> None:
    """The driver page loads its scripts and styles from /static only."""
    html = client.get(f"/d/{stored.tokens['V01']}").text
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(u.startswith("/static/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_plan_map_needs_a_key(client: TestClient, store: Store, stored: StoredPlan) -> None:
    """The plan map is for key holders; it draws one line per route with local assets."""
    assert client.get(f"/plans/{stored.plan_id}/map").status_code == 401
    with store.write() as session:
        _, secret = create_key(session, Role.PLANNER)
    response = client.get(
        f"/plans/{stored.plan_id}/map", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    data = re.search(r'id="map-data">(.*?)</script>', response.text)
    assert data is not None
    assert [len(layer["lines"]) for layer in json.loads(data.group(1))["layers"]] == [1, 1, 0]
    assert "https://" not in response.text
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "private, no-cache"
    for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', response.text):
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in asset.headers["cache-control"]
    again = client.get(
        f"/plans/{stored.plan_id}/map", headers={"Authorization": f"Bearer {secret}"}
    )
    assert again.content == response.content
    assert again.headers["content-security-policy"] == response.headers["content-security-policy"]
    assert len(client.app.state.plan_maps) == 1  # type: ignore[attr-defined]
    missing = client.get("/plans/999/map", headers={"Authorization": f"Bearer {secret}"})
    assert missing.status_code == 404


def test_failure_reasons_are_offered_in_both_languages() -> None:
    """The page's reason choices are exactly the reasons an event accepts."""
    texts = json.loads((TEMPLATES / "driver.i18n.json").read_text(encoding="utf-8"))
    for lang in ("zh-TW", "en"):
        assert [code for code, _ in texts[lang]["reasons"]] == [r.value for r in FailureReason]


def test_a_note_with_a_nul_is_refused_naming_the_field(
    client: TestClient, store: Store, stored: StoredPlan
) -> None:
    """A NUL in a note is a 422 on ``note`` (PostgreSQL could not store it); nothing is kept."""
    response = client.post(
        f"/d/{stored.tokens['V01']}/events",
        json={"stop": "PP-101", "kind": "failed", "reason": "other", "note": "gate\x00locked"},
    )
    assert response.status_code == 422
    assert any(e["field"] == "note" for e in response.json()["errors"])
    with store.read() as session:
        assert list_events(session, stored.plan_id, limit=10, offset=0).count == 0
