"""JSON documents as the database keeps them: plain JSON, so no NaN or infinite numbers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any


def non_finite(value: Any, path: str = "") -> Iterator[str]:
    """Paths (``orders[3].items[0].qty``) of the NaN and infinite numbers in ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from non_finite(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from non_finite(item, f"{path}[{k}]")
