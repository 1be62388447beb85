"""A driver link of an earlier plan version shows the newest version of its route with a
"route changed" banner, and its events go to that version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dispatch.store import Store, road_events
from tests.api.driver_data import build_app, make_plan, store_plan


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DISPATCH_TILES_URL", "")
    app = build_app(f"sqlite:///{tmp_path / 'dispatch.sqlite'}")
    with TestClient(app) as c:
        yield c


def test_an_old_link_shows_the_newest_version_with_a_banner(client: TestClient) -> None:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    first = store_plan(store, make_plan((3, 2)))
    page = client.get(f"/d/{first.tokens['V01']}").text
    assert 'id="route-changed"' not in page
    newer = make_plan((4, 2))
    second = store_plan(store, {**newer, "previous_plan_id": first.plan_id})
    page = client.get(f"/d/{first.tokens['V01']}").text
    assert 'id="route-changed"' in page
    assert len(re.findall(r'class="stop" id="stop-', page)) == 4
    assert client.get(f"/d/{second.tokens['V01']}").text.count('id="route-changed"') == 0
    event = {"event_id": "dep-1", "kind": "departed"}
    response = client.post(f"/d/{first.tokens['V01']}/events", json=event)
    assert response.status_code == 201, response.text
    with store.read() as session:
        assert [e.event_id for _, e in road_events(session, second.plan_id)] == ["dep-1"]
        assert road_events(session, first.plan_id) == []
