"""VRPTW instances in VRPLIB format (Solomon, Gehring & Homberger) in DIMACS integer units.

Distances are floor(10 · euclid), times and demands as in the file with times ×10;
solutions are written back in VRPLIB ``.sol`` form with customer numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

SCALE = 10
Matrix = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Instance:
    """One VRPTW instance; node 0 is the depot, every array is in DIMACS integers."""

    name: str
    distances: Matrix
    demand: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]
    service: tuple[int, ...]
    capacity: int
    vehicles: int

    @property
    def customers(self) -> range:
        """Customer node numbers (1..n)."""
        return range(1, len(self.demand))


def read(path: Path) -> Instance:
    """Parse a VRPLIB CVRPTW ``.vrp`` file."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in path.read_text().splitlines():
        words = line.split()
        if not words or words[0] == "EOF":
            continue
        if ":" in line and not words[0][0].isdigit() and not words[0].startswith("-"):
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
            current = None
        elif words[0].endswith("_SECTION"):
            current = sections.setdefault(words[0], [])
        elif current is not None:
            current.append(words)
    coords = np.array([[float(x) for x in row[1:3]] for row in sections["NODE_COORD_SECTION"]])
    n = len(coords)
    service = [0] + [int(float(header.get("SERVICE_TIME", "0")) * SCALE)] * (n - 1)
    for row in sections.get("SERVICE_TIME_SECTION", []):
        service[int(row[0]) - 1] = int(float(row[1]) * SCALE)
    windows = [
        (int(float(r[1]) * SCALE), int(float(r[2]) * SCALE))
        for r in _rows(sections, "TIME_WINDOW_SECTION")
    ]
    return Instance(
        name=header.get("NAME", path.stem),
        distances=dimacs_distances(coords),
        demand=tuple(int(r[1]) for r in _rows(sections, "DEMAND_SECTION")),
        windows=tuple(windows),
        service=(0, *service[1:]),
        capacity=int(header["CAPACITY"]),
        vehicles=int(header.get("VEHICLES", n - 1)),
    )


def _rows(sections: dict[str, list[list[str]]], name: str) -> list[list[str]]:
    return sorted(sections[name], key=lambda row: int(row[0]))


def dimacs_distances(coords: npt.NDArray[np.float64]) -> Matrix:
    """floor(10 · euclid), exact for integer coordinates (integer square root)."""
    squared = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2) * SCALE**2
    if np.all(coords == np.round(coords)):
        exact = np.round(squared).astype(np.int64)
        root = np.floor(np.sqrt(exact)).astype(np.int64)
        root -= root * root > exact
        root += (root + 1) * (root + 1) <= exact
        return root
    return np.floor(np.sqrt(squared)).astype(np.int64)


def read_bks(path: Path) -> dict[str, float]:
    """``bks.csv``: instance name to best-known distance."""
    lines = path.read_text().splitlines()[1:]
    return {line.split(",")[0]: float(line.split(",")[1]) for line in lines if line}


def write_solution(path: Path, routes: Sequence[Sequence[int]], distance: int) -> None:
    """A VRPLIB ``.sol`` file: one ``Route #k:`` line per route, then the cost."""
    lines = [f"Route #{k}: {' '.join(map(str, route))}" for k, route in enumerate(routes, 1)]
    path.write_text("\n".join([*lines, f"Cost {distance / SCALE:.1f}", ""]))
