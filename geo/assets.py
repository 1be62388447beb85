"""Locally served browser assets: vendored Leaflet, pinned, and the map page's own files.

Vendored files live in ``geo/static/vendor`` under versioned folders, so their URLs can
be cached forever; ``scripts/fetch_assets.py`` refreshes them from the npm registry. The
map's own script and stylesheet live in ``geo/static/map`` and are versioned by content.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""Root of everything served under ``/static``."""

VENDOR_DIR = STATIC_DIR / "vendor"

MAP_DIR = STATIC_DIR / "map"
"""The map page's own script and stylesheet (served under ``/static/map``)."""

LEAFLET_DIR = "vendor/leaflet-1.9.3"
LEAFLET_JS = f"{LEAFLET_DIR}/leaflet.js"
LEAFLET_CSS = f"{LEAFLET_DIR}/leaflet.css"
MAP_JS = "map/plan-map.js"
MAP_CSS = "map/plan-map.css"

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
OSM_ATTRIBUTION_TEXT = "© OpenStreetMap contributors"
OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"


def asset_url(asset_base: str, path: str) -> str:
    """The URL of a static file below ``asset_base`` (``/static`` or a relative folder)."""
    return f"{asset_base.rstrip('/')}/{path}" if asset_base else path


@cache
def fingerprint(path: str) -> str:
    """A short content hash of a file below ``static/``, for cache-busting URLs."""
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]


def map_asset_url(asset_base: str, path: str, *, versioned: bool = True) -> str:
    """The URL of the map's own script or stylesheet, with ``?v=<hash>`` when ``versioned``."""
    url = asset_url(asset_base, path)
    return f"{url}?v={fingerprint(path)}" if versioned else url


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


def copy_map_assets(target: Path) -> Path:
    """Copy Leaflet and the map's script and stylesheet below ``target`` (for offline files)."""
    for folder in (LEAFLET_DIR, "map"):
        dest = target / folder
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(STATIC_DIR / folder, dest)
    return target
