"""The plan map's response headers and the map's own static files."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.routes.maps import map_headers
from geo import assets
from tests.api.driver_data import build_app


def test_map_headers_allow_images_from_the_tiles_only() -> None:
    """The policy adds the tile origin to img-src and nothing else; the page is never framed."""
    headers = map_headers(assets.OSM_TILES)
    policy = headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert policy.endswith("frame-ancestors 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "private, no-cache"
    assert "img-src 'self' data:;" in map_headers(None)["Content-Security-Policy"]


def test_map_script_is_served_as_javascript(tmp_path: Path) -> None:
    """The map's script and stylesheet come with their types, nosniff, and no way out."""
    with TestClient(build_app(f"sqlite:///{tmp_path / 'maps.sqlite'}")) as client:
        script = client.get(f"/static/{assets.MAP_JS}?v={assets.fingerprint(assets.MAP_JS)}")
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert script.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in script.headers["cache-control"]
        style = client.get(f"/static/{assets.MAP_CSS}")
        assert style.headers["content-type"].startswith("text/css")
        assert "immutable" not in style.headers["cache-control"]
        assert client.get("/static/map/../maps.py").status_code == 404
        assert client.get("/static/map/%2e%2e/maps.py").status_code == 404
        assert client.get("/static/vendor/jquery-3.7.1/jquery.min.js").status_code == 404
