"""A real OSRM on loopback: ``osrm-extract``, ``osrm-contract`` and ``osrm-routed`` over an
extract, from the binaries the ``osrm-bindings`` wheel ships (``make osrm`` puts them in the
virtual environment) or from ``DISPATCH_OSRM_BIN``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.launch import free_port

PROGRAMS = ("osrm-extract", "osrm-contract", "osrm-routed")


def osrm_bin() -> Path | None:
    """The folder holding the OSRM programs, or None when this machine has none."""
    given = os.environ.get("DISPATCH_OSRM_BIN")
    candidates = [Path(given)] if given else []
    candidates.append(Path(sys.prefix) / "osrm" / "osrm" / "bin")
    found = shutil.which("osrm-routed")
    if found:
        candidates.append(Path(found).parent)
    for folder in candidates:
        if all((folder / p).is_file() and os.access(folder / p, os.X_OK) for p in PROGRAMS):
            return folder
    return None


def car_profile(folder: Path) -> Path:
    """OSRM's car profile beside the programs (the wheel's layout) or in a system install."""
    for path in (folder.parent / "share" / "profiles" / "car.lua", Path("/usr/share/osrm/car.lua")):
        if path.is_file():
            return path
    raise FileNotFoundError(f"no car.lua profile near {folder}")


@contextmanager
def osrm_server(pbf: str | Path, workdir: Path, folder: Path) -> Iterator[str]:
    """Prepare ``pbf`` for OSRM's contraction hierarchies in ``workdir``, serve it on a free
    loopback port, and yield the server's address; the server stops on exit."""
    source = workdir / "area.osm.pbf"
    shutil.copy(pbf, source)
    run = {"check": True, "capture_output": True, "cwd": workdir}
    subprocess.run([folder / "osrm-extract", "-p", car_profile(folder), source], **run)
    subprocess.run([folder / "osrm-contract", workdir / "area.osrm"], **run)
    port = free_port()
    log = (workdir / "routed.log").open("w")
    command = [folder / "osrm-routed", "--ip", "127.0.0.1", "--port", str(port)]
    command += ["--algorithm", "ch", "--max-table-size", "1000", workdir / "area.osrm"]
    server = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], within_s: float = 30.0) -> None:
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"osrm-routed stopped with code {server.returncode}")
        try:
            httpx.get(f"{url}/nearest/v1/driving/0,0", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"osrm-routed did not answer at {url} within {within_s:.0f} s")
