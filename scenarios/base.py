"""A scenario set's base day as a request document: a request file, the request inline, a stored
date or the demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from dispatch.errors import DispatchError, FieldError
from scenarios.spec import ScenarioError, ScenarioSet

Json = dict[str, Any]
StoredDay = Callable[[date], Json]
"""Gives the request of a stored date (``dispatch.planning.stored_job.stored_request``)."""


def base_request(spec: ScenarioSet, stored: StoredDay | None = None) -> Json:
    """The base request of ``spec``; a request file is read relative to the scenario file."""
    base = spec.base
    if "request" in base:
        path = spec.folder / base["request"]
        try:
            data: Json = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScenarioError(
                [FieldError(spec.source, "base.request", f"cannot read {path}: {exc}")]
            ) from exc
        return data
    if "inline" in base:
        inline: Json = base["inline"]
        return inline
    if "demo" in base:
        from scenarios.demo import demo_request

        demo = base["demo"]
        return demo_request(
            demo.get("seed", 7), orders=demo.get("orders", 600), date=demo.get("date")
        )
    if stored is None:
        raise ScenarioError(
            [FieldError(spec.source, "base.date", "a stored date needs the service's database")]
        )
    try:
        return stored(date.fromisoformat(base["date"]))
    except DispatchError as exc:
        raise ScenarioError([FieldError(spec.source, "base.date", str(exc))]) from exc
