"""The console's plan page, publishing from it, and new driver links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from dispatch.store import Store, get_plan
from tests.api.driver_data import store_plan
from tests.api.routes.console.conftest import cells, page, post_form
from tests.api.session_data import session_csrf, sign_in, snapshot


def test_the_plan_page_shows_routes_stops_loads_and_reasons(
    client: TestClient, mei: str, plan_id: int
) -> None:
    html = page(client, f"/console/plans/{plan_id}", lang="en").text
    assert 'id="route-1" data-vehicle="VAN#1"' in html
    assert "DC · 08:30–10:05 · 12.5 km · Cost 1,200" in html
    assert "weight 6.0 kg" in html
    assert cells(html.replace('<table class="stops">', '<table id="stops">'), "stops") == [
        ["1", "PP-1", "09:00–09:10", "", "", "A-1, A-2"]
    ]
    assert "A-3" in html
    assert "no vehicle can reach it in its window" in html
    assert f'href="/plans/{plan_id}/routes/VAN%231/sheet.pdf"' in html
    assert f'href="/plans/{plan_id}/map"' in html
    assert 'id="publish-form"' in html


def test_publishing_from_the_console_supersedes_the_old_plan(
    client: TestClient, mei: str, api_store: Store, plan_id: int
) -> None:
    done = post_form(client, f"/console/plans/{plan_id}/publish", {"csrf_token": mei})
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/plans/{plan_id}?lang=zh-TW"
    html = page(client, f"/console/plans/{plan_id}").text
    assert 'id="publish-form"' not in html
    assert re.search(r'id="plan-state-label" class="badge ok">已發布<', html)
    with api_store.read() as session:
        assert (get_plan(session, plan_id).published_by or "").endswith("(mei)")
    assert (
        f'id="current-plan-link" href="/console/plans/{plan_id}'
        in page(client, "/console/today", date="2026-11-11").text
    )


def test_a_planner_sees_no_publish_button_and_cannot_publish(
    client: TestClient, people: None, api_store: Store, plan_id: int
) -> None:
    sign_in(client, "pat")
    html = page(client, f"/console/plans/{plan_id}").text
    assert 'id="publish-form"' not in html
    assert "driver-link" not in html
    before = snapshot(api_store)
    refused = post_form(
        client, f"/console/plans/{plan_id}/publish", {"csrf_token": session_csrf(client)}
    )
    assert refused.status_code == 403
    assert snapshot(api_store) == before


def test_new_driver_links_are_shown_once_and_work(
    client: TestClient, mei: str, api_store: Store, plan_id: int
) -> None:
    """Without the link key a link shows only in the answer that makes it; a past day's plan
    gets no links."""
    today = store_plan(api_store)
    assert 'class="driver-link"' not in page(client, f"/console/plans/{today.plan_id}").text
    made = post_form(client, f"/console/plans/{today.plan_id}/driver-links", {"csrf_token": mei})
    assert made.status_code == 200
    links = re.findall(r'class="driver-link" href="(/d/[^"]+)"', made.text)
    assert len(links) == 2
    assert client.get(links[0]).status_code == 200
    assert client.get(f"/d/{today.tokens['V01']}").status_code == 404
    past = post_form(client, f"/console/plans/{plan_id}/driver-links", {"csrf_token": mei})
    assert past.status_code == 422
    assert "the day is over" in past.text
