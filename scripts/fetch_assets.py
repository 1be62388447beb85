"""Vendor the browser libraries (Leaflet for maps, Chart.js for charts) from the npm registry
into ``geo/static/vendor``.

Versions are pinned in ``scripts/assets/package.json`` and its lock file; ``npm ci``
installs them into a temporary folder, the needed files are copied under versioned
folders, and ``MANIFEST.json`` records each file's SHA-256. ``--check`` only verifies
the vendored files against the manifest (no network).

    python scripts/fetch_assets.py          # (re)vendor
    python scripts/fetch_assets.py --check  # verify
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "scripts" / "assets"
VENDOR = ROOT / "geo" / "static" / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"

# (npm package folder, source path or glob, destination under vendor/)
COPIES: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "dist/leaflet.js", "leaflet-1.9.3/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet-1.9.3/leaflet.css"),
    ("leaflet", "dist/images/*.png", "leaflet-1.9.3/images/"),
    ("leaflet", "LICENSE", "leaflet-1.9.3/LICENSE"),
    ("chart.js", "dist/chart.umd.min.js", "chartjs-4.5.1/chart.umd.min.js"),
    ("chart.js", "LICENSE.md", "chartjs-4.5.1/LICENSE.md"),
)


def _npm_ci(workdir: Path) -> Path:
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(PACKAGE_DIR / name, workdir / name)
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=workdir,
        check=True,
    )
    return workdir / "node_modules"


def _copy(modules: Path) -> None:
    for package, pattern, dest in COPIES:
        sources = sorted((modules / package).glob(pattern))
        if not sources:
            raise SystemExit(f"{package}: nothing matches {pattern}")
        for src in sources:
            target = VENDOR / dest / src.name if dest.endswith("/") else VENDOR / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files() -> list[Path]:
    return sorted(p for p in VENDOR.rglob("*") if p.is_file() and p != MANIFEST)


def _versions() -> dict[str, str]:
    deps = json.loads((PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return {name: re.sub(r"^npm:[^@]+@", "", spec) for name, spec in deps.items()}


def vendor() -> None:
    """Install the pinned packages and copy their files into ``geo/static/vendor``."""
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="dispatch-assets-") as tmp:
        modules = _npm_ci(Path(tmp))
        _copy(modules)
    manifest = {
        "packages": _versions(),
        "files": {p.relative_to(VENDOR).as_posix(): _digest(p) for p in _files()},
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"vendored {len(manifest['files'])} files into {VENDOR.relative_to(ROOT)}\n")


def check() -> int:
    """Compare the vendored files with the manifest; 0 when they match."""
    if not MANIFEST.exists():
        sys.stderr.write(f"missing {MANIFEST.relative_to(ROOT)}: run scripts/fetch_assets.py\n")
        return 1
    expected: dict[str, str] = json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]
    actual = {p.relative_to(VENDOR).as_posix(): _digest(p) for p in _files()}
    problems = [f"missing {n}" for n in expected if n not in actual]
    problems += [f"changed {n}" for n in expected if n in actual and actual[n] != expected[n]]
    problems += [f"unexpected {n}" for n in actual if n not in expected]
    for line in problems:
        sys.stderr.write(line + "\n")
    if not problems:
        sys.stdout.write(f"{len(expected)} vendored asset files match the manifest\n")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only, fetch nothing")
    args = parser.parse_args()
    if args.check:
        return check()
    vendor()
    return check()


if __name__ == "__main__":
    sys.exit(main())
