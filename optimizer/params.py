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
    """How long and how to search; ``on_progress`` is called with each improvement."""

    time_limit_s: float = 30.0
    seed: int = 0
    engine: Engine = "ortools"
    on_progress: Callable[[Progress], None] | None = None
    log_search: bool = False
