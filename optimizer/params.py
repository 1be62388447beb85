"""Search settings, independent of the engine that runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from optimizer.solution import Progress

Engine = Literal["ortools", "pyvrp", "hybrid", "portfolio"]
MAX_SEED = 2**20
"""Largest seed ``solve`` takes: the searches it starts draw blocks of seeds from it (see
``optimizer.portfolio``), and all of them must fit PyVRP's 32 bits."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveParams:
    """How long and how to search; ``on_progress`` is called with each improvement.

    ``iterations`` also ends each search after that many solutions (OR-Tools'
    ``solution_limit``) or iterations (PyVRP), whichever limit comes first: with
    ``engine="ortools"`` a search that ends by it is the same on any machine.
    """

    time_limit_s: float = 30.0
    iterations: int | None = None
    seed: int = 0
    engine: Engine = "ortools"
    on_progress: Callable[[Progress], None] | None = None
    log_search: bool = False
