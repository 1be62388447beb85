"""A request from outside names only the road extracts and OSRM servers the service allows."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from dispatch.intake.travel_sources import TravelSources
from tests.api.conftest import Keys, assert_problem
from tests.api.routes.test_plans import SCENARIO


def _with_travel(travel: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(SCENARIO)
    doc["travel"] = travel
    return doc


@pytest.mark.parametrize(
    ("travel", "field"),
    [
        ({"metric": "road", "osm_file": "/etc/passwd.pbf"}, "travel.osm_file"),
        ({"metric": "road", "osm_file": "/no/such/file.pbf"}, "travel.osm_file"),
        ({"metric": "osrm", "url": "http://127.0.0.1:9/table"}, "travel.url"),
    ],
)
def test_files_and_servers_are_refused_by_default_alike_whether_they_exist(
    client: TestClient, keys: Keys, travel: dict[str, Any], field: str
) -> None:
    response = client.post("/plans", json=_with_travel(travel), headers=keys.planner)
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == [field]
    assert "no such" not in response.text
    assert "readable" not in response.text
    network = {k: v for k, v in _with_travel(travel).items() if k not in ("date", "orders")}
    assert_problem(client.put("/network", json=network, headers=keys.admin), 422)


def test_only_extracts_inside_the_allowed_folders_and_servers_under_the_urls(
    tmp_path: Path,
) -> None:
    allowed = tmp_path / "osm"
    allowed.mkdir()
    (allowed / "city.osm.pbf").write_bytes(b"")
    sources = TravelSources((str(allowed),), ("http://osrm.internal:5000",))
    assert sources.allows_file(str(allowed / "city.osm.pbf"))
    assert not sources.allows_file(str(allowed / ".." / "city.osm.pbf"))
    assert not sources.allows_file(str(tmp_path / "osm-evil" / "x.pbf"))
    (allowed / "escape.pbf").symlink_to("/etc/hostname")
    assert not sources.allows_file(str(allowed / "escape.pbf"))
    assert sources.allows_url("http://osrm.internal:5000/table/v1/driving/")
    assert not sources.allows_url("http://osrm.internal:50001/")
    assert not sources.allows_url("http://osrm.internal:5000.evil.example/")


def test_the_settings_read_the_lists_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DISPATCH_OSM_DIRS", '["/srv/osm"]')
    monkeypatch.setenv("DISPATCH_OSRM_URLS", '["http://osrm:5000"]')
    settings = Settings(database_url=database_url, load_demo=False)
    assert settings.travel_sources == TravelSources(("/srv/osm",), ("http://osrm:5000",))
    assert create_app(settings).state.settings.osm_dirs == ["/srv/osm"]
