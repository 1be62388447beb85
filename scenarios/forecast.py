"""Turn a day's forecast into a scenario: the base day's demand scaled region by region.

A scenario is YAML: a ``name``, a ``base`` (a request file, a stored date, or the
built-in demo day) and ``changes``; here one change, ``demand.by_region``, the
factor that brings each region's orders in the base to the forecast's mean or to
a percentile of it. A ``forecast`` section records where the factors come from.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from dispatch.forecast.campaigns import campaign_offset, lunar_new_year
from dispatch.forecast.history import History, read_history
from dispatch.forecast.predict import forecast_levels
from dispatch.forecast.result import DEFAULT_LEVEL, Forecast, ForecastError
from dispatch.intake.loading import load_request, read_request
from dispatch.intake.request import Request
from dispatch.sourcing.order_regions import assign_regions

Json = dict[str, Any]
DEMO_SEED, DEMO_ORDERS = 7, 600

_PERCENTILE = re.compile(r"^p(\d{2})$")


@dataclass(frozen=True, slots=True)
class Base:
    """The day a scenario scales: how the scenario names it and its orders per region."""

    ref: Json
    orders: Mapping[str, int]
    label: str


def demand_level(demand: str, level: float) -> tuple[float, str]:
    """The interval level whose upper bound is ``demand`` and how to name it.

    ``mean`` uses the point forecast; ``upper`` the upper bound at ``level``
    (the ``(1 + level) / 2`` quantile); ``pNN`` the NN-th percentile (51 to 99).
    """
    if demand == "mean":
        return level, "mean"
    if demand == "upper":
        return level, f"{_ordinal(round(50 * (1 + level)))} percentile"
    found = _PERCENTILE.match(demand)
    if found is None or not 51 <= int(found.group(1)) <= 99:
        raise ForecastError(f"demand must be mean, upper or p51 … p99, got {demand!r}")
    p = int(found.group(1))
    return (2 * p - 100) / 100, f"{_ordinal(p)} percentile"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def day_label(day: date) -> str:
    """``Double 11`` on a campaign day, ``Lunar New Year`` on 初一, else the date."""
    found = campaign_offset(day)
    if found is not None and found[1] == 0:
        return f"{found[0].name} {day.year}"
    if day == lunar_new_year(day.year):
        return f"Lunar New Year {day.year}"
    return day.isoformat()


def request_base(path: str | Path) -> Base:
    """A request file as the base: its orders counted per region."""
    request = read_request(path)
    return Base({"request": str(path)}, _orders_per_region(request), Path(path).name)


def demo_base(day: date, *, seed: int = DEMO_SEED, orders: int = DEMO_ORDERS) -> Base:
    """The built-in demo day (``dispatch demo``) on ``day`` as the base."""
    from scenarios.demo import demo_request

    request = load_request(demo_request(seed, orders=orders, date=day.isoformat()))
    ref = {"demo": {"seed": seed, "orders": orders, "date": day.isoformat()}}
    return Base(ref, _orders_per_region(request), "the demo day")


def history_base(history: History, day: date) -> Base:
    """A stored day as the base: its orders per region taken from the history."""
    counts = {r: int(s[day]) for r, s in history.series.items() if day in s}
    if not counts:
        raise ForecastError(f"the history has no orders on {day} to scale from")
    return Base({"date": day.isoformat()}, counts, day.isoformat())


def _orders_per_region(request: Request) -> dict[str, int]:
    regions = assign_regions(request)
    return dict(Counter(regions.region_of[o.id] for o in request.orders))


def scenario(
    forecast: Forecast,
    base: Base,
    *,
    demand: str = "upper",
    quantile: Forecast | None = None,
    history: str | None = None,
) -> tuple[Json, list[str]]:
    """The scenario document for ``forecast`` over ``base``, and notes on regions left alone.

    ``quantile`` is the forecast whose upper bounds are the targets (``forecast``
    itself when None); with ``demand="mean"`` the targets are the means.
    """
    source = quantile or forecast
    _, how = demand_level(demand, forecast.level)
    targets = {
        r.region: (r.mean if demand == "mean" else source.region(r.region).upper)
        for r in forecast.regions
    }
    factors: dict[str, float] = {}
    orders: dict[str, Json] = {}
    notes: list[str] = []
    for region, target in targets.items():
        have = base.orders.get(region, 0)
        if have <= 0:
            notes.append(f"region {region} has no orders in {base.label}: it cannot be scaled")
            continue
        factors[region] = round(target / have, 3)
        orders[region] = {"base": have, "target": round(target, 1)}
    for region in base.orders:
        if region not in targets:
            notes.append(f"region {region} of {base.label} is not in the forecast: left as it is")
    name = f"{day_label(forecast.day)}, {how}"
    doc: Json = {
        "name": name,
        "description": (
            f"Orders per region scaled from {base.label} to the forecast's {how} "
            f"for {forecast.day.isoformat()}."
        ),
        "base": base.ref,
        "changes": [{"demand": {"by_region": factors}}],
        "forecast": {
            "day": forecast.day.isoformat(),
            "level": forecast.level,
            "demand": demand,
            **({"history": history} if history is not None else {}),
            "orders": orders,
        },
    }
    return doc, notes


def write_scenario(doc: Json, path: str | Path) -> Path:
    """Write a scenario document as YAML (keys in the order given)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)
    out.write_text(text, encoding="utf-8")
    return out


def run_forecast(
    history_path: str | Path,
    day: date,
    out: str | Path,
    *,
    level: float = DEFAULT_LEVEL,
    regions: Sequence[str] | None = None,
    scenario_out: str | Path | None = None,
    scenario_base: str | None = None,
    demand: str = "upper",
) -> list[str]:
    """``dispatch forecast``: write the forecast JSON (and a scenario); return what to say."""
    history = read_history(history_path)
    levels = [level]
    if scenario_out is not None:
        quantile_level, _ = demand_level(demand, level)
        levels.append(quantile_level)
    found = forecast_levels(history, day, levels, regions=regions)
    result = found[0]
    _write_json(Path(out), result.as_json())
    total = sum(r.mean for r in result.regions)
    said = [*result.notes, f"forecast of {day} for {len(result.regions)} region(s), "
            f"{total:,.0f} orders in all, written to {out}"]  # fmt: skip
    if scenario_out is not None:
        base = _base(scenario_base, day, history)
        doc, notes = scenario(
            result, base, demand=demand, quantile=found[1], history=str(history_path)
        )
        write_scenario(doc, scenario_out)
        said += [*notes, f"scenario {doc['name']!r} written to {scenario_out}"]
    return said


def _base(text: str | None, day: date, history: History) -> Base:
    if text is None:
        return demo_base(day)
    try:
        stored = date.fromisoformat(text)
    except ValueError:
        return request_base(text)
    return history_base(history, stored)


def _write_json(path: Path, data: Json) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
