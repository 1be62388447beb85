"""Locally served browser assets (Leaflet and what folium pulls in), pinned and vendored.

The files live in ``geo/static/vendor`` under versioned folders, so their URLs can be
cached forever; ``scripts/fetch_assets.py`` refreshes them from the npm registry.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""Root of everything served under ``/static``."""

VENDOR_DIR = STATIC_DIR / "vendor"

MAP_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", "vendor/leaflet-1.9.3/leaflet.js"),
    ("jquery", "vendor/jquery-3.7.1/jquery.min.js"),
    ("bootstrap", "vendor/bootstrap-5.2.2/js/bootstrap.bundle.min.js"),
    ("awesome_markers", "vendor/leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.min.js"),
)
"""Folium's ``default_js`` names with the vendored file replacing each CDN URL."""

MAP_CSS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", "vendor/leaflet-1.9.3/leaflet.css"),
    ("bootstrap_css", "vendor/bootstrap-5.2.2/css/bootstrap.min.css"),
    ("glyphicons_css", "vendor/glyphicons-3.4.1/css/bootstrap-glyphicons.css"),
    ("awesome_markers_font_css", "vendor/fontawesome-free-6.2.0/css/all.min.css"),
    ("awesome_markers_css", "vendor/leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.css"),
    ("awesome_rotate_css", "vendor/leaflet.awesome.rotate/leaflet.awesome.rotate.css"),
)
"""Folium's ``default_css`` names with their vendored files."""

LEAFLET_JS = MAP_JS[0][1]
LEAFLET_CSS = MAP_CSS[0][1]

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


def asset_url(asset_base: str, path: str) -> str:
    """The URL of a static file below ``asset_base`` (``/static`` or a relative folder)."""
    return f"{asset_base.rstrip('/')}/{path}" if asset_base else path


def map_js(asset_base: str) -> list[tuple[str, str]]:
    """Folium ``default_js`` entries pointing at ``asset_base``."""
    return [(name, asset_url(asset_base, path)) for name, path in MAP_JS]


def map_css(asset_base: str) -> list[tuple[str, str]]:
    """Folium ``default_css`` entries pointing at ``asset_base``."""
    return [(name, asset_url(asset_base, path)) for name, path in MAP_CSS]


def manifest() -> dict[str, str]:
    """Vendored file (relative to ``vendor/``) → SHA-256, as recorded when fetched."""
    data = json.loads((VENDOR_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    return dict(data["files"])


def missing_assets() -> list[str]:
    """Vendored files the manifest lists that are absent or differ; empty when all is well."""
    problems = []
    for name, digest in manifest().items():
        path = VENDOR_DIR / name
        if not path.is_file():
            problems.append(f"missing {name}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"changed {name}")
    return problems


def copy_vendor(target: Path) -> Path:
    """Copy the vendored assets to ``target/vendor`` (for standalone HTML); skip if current."""
    dest = target / "vendor"
    stamp = dest / "MANIFEST.json"
    source_stamp = VENDOR_DIR / "MANIFEST.json"
    if stamp.is_file() and stamp.read_bytes() == source_stamp.read_bytes():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(VENDOR_DIR, dest)
    return dest
