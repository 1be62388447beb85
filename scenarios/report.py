"""A scenario run's outputs: the terminal table, ``comparison.csv`` and ``.json``, each plan's
JSON (and map), and ``report.html`` with its charts.

The report is a folder that opens offline: ``report.html`` loads the vendored Chart.js and
its own script from ``assets/`` beside it under a policy allowing scripts from there only;
the figures travel as JSON data in the page and every text in the page is escaped.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from geo.assets import VENDOR_DIR
from geo.maps import content_security_policy, script_json
from scenarios.risk import ranked_contingencies, risk_matrix

Json = dict[str, Any]
MapWriter = Callable[[Json, Json, Path], Path]
"""Writes a plan's map: ``(request, plan, path) -> path``."""
HERE = Path(__file__).parent
CHART_JS = VENDOR_DIR / "chartjs-4.5.1" / "chart.umd.min.js"
COLUMNS = (
    "scenario", "total", "own_fleet", "carriers", "penalties", "moved_cost", "fees",
    "cost_per_order", "orders", "vehicles_used", "km", "served_own", "served_carrier",
    "on_time_rate", "late", "unserved", "cold_max_minutes", "solve_s", "valid",
)  # fmt: skip
TABLE = (
    ("scenario", "scenario", 62), ("total", "total", 10), ("own", "own_fleet", 9),
    ("carriers", "carriers", 9), ("penalty", "penalties", 9), ("/order", "cost_per_order", 7),
    ("veh", "vehicles_used", 4), ("km", "km", 7), ("own%", "own_pct", 5),
    ("on-time", "on_time_rate", 7), ("late", "late", 5), ("unserved", "unserved", 8),
    ("cold", "cold_max_minutes", 5), ("s", "solve_s", 5),
)  # fmt: skip


def all_cases(result: Json) -> list[Json]:
    """The baseline, the scenarios, then the scenarios with contingencies."""
    return [result["baseline"], *result["scenarios"], *result["contingencies"]]


def rows(result: Json) -> list[Json]:
    """One flat row per case: the figures of :data:`COLUMNS` and the own share per region."""
    regions = sorted({r for c in all_cases(result) for r in c["figures"]["own_share"]})
    out = []
    for case in all_cases(result):
        f = case["figures"]
        row = {"scenario": case["name"], **{k: f.get(k) for k in COLUMNS[1:-1]}}
        row["valid"] = "yes" if f["violations"] == 0 else f"no ({f['violations']})"
        for region in regions:
            share = f["own_share"].get(region)
            row[f"own_share:{region}"] = "" if share is None else share
        served = f["served_own"] + f["served_carrier"]
        row["own_pct"] = f"{100 * f['served_own'] / served:.0f}" if served else "–"
        out.append(row)
    return out


def comparison_table(result: Json) -> str:
    """The side-by-side figures as fixed-width text for a terminal."""
    lines = [" ".join(f"{h:>{w}}" if k != "scenario" else f"{h:<{w}}" for h, k, w in TABLE)]
    for row in rows(result):
        cells = []
        for _, key, width in TABLE:
            value = row[key]
            if key == "scenario":
                cells.append(f"{str(value)[:width]:<{width}}")
            elif isinstance(value, float) and key not in ("on_time_rate",):
                cells.append(f"{value:>{width},.0f}" if value >= 100 else f"{value:>{width}.1f}")
            else:
                cells.append(f"{value!s:>{width}}")
        lines.append(" ".join(cells))
    return "\n".join(lines)


def slug(name: str) -> str:
    """A file name for a case: letters, digits and dashes."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "case"


def write_outputs(
    result: Json,
    out: str | Path,
    *,
    requests: dict[str, Json] | None = None,
    map_writer: MapWriter | None = None,
) -> Path:
    """Write every output of a run into ``out``; the path of ``report.html``.

    ``requests`` (case name → request) and ``map_writer`` add each plan's map.
    """
    folder = Path(out)
    (folder / "plans").mkdir(parents=True, exist_ok=True)
    table = rows(result)
    with (folder / "comparison.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[k for k in table[0] if k != "own_pct"],
                                extrasaction="ignore")  # fmt: skip
        writer.writeheader()
        writer.writerows(table)
    summary = {
        k: v for k, v in result.items() if k not in ("baseline", "scenarios", "contingencies")
    }
    summary["cases"] = [
        {k: v for k, v in case.items() if k != "plan"} for case in all_cases(result)
    ]
    summary["risk"] = risk_matrix(result)
    summary["contingency_ranking"] = ranked_contingencies(result)
    _write_json(folder / "comparison.json", summary)
    plans = []
    for case in all_cases(result):
        name = slug(case["name"])
        _write_json(folder / "plans" / f"{name}.json", case["plan"])
        entry = {"name": case["name"], "json": f"plans/{name}.json", "map": None}
        if map_writer is not None and requests and case["name"] in requests:
            map_writer(requests[case["name"]], case["plan"], folder / "maps" / f"{name}.html")
            entry["map"] = f"maps/{name}.html"
        plans.append(entry)
    return write_report(result, folder, plans, summary)


def write_report(result: Json, folder: Path, plans: list[Json], summary: Json) -> Path:
    """``report.html`` and its ``assets/`` in ``folder``."""
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CHART_JS, assets / "chart.umd.min.js")
    for name in ("report.js", "report.css"):
        shutil.copyfile(HERE / "report_assets" / name, assets / name)
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
    )
    table = rows(result)
    data = {
        "cases": [{"name": c["name"], "figures": c["figures"]} for c in all_cases(result)],
        "risk": summary["risk"],
        "sizing": result.get("sizing"),
    }
    html = env.get_template("report.html").render(
        result=result,
        policy=content_security_policy(None, frame_ancestors=False),
        columns=[c for c in table[0] if c != "own_pct"],
        rows=table,
        invalid=[c["name"] for c in all_cases(result) if c["figures"]["violations"]],
        risk=summary["risk"],
        contingencies=summary["contingency_ranking"],
        scenario_names=[c["name"] for c in result["scenarios"]],
        sizing=result.get("sizing"),
        promise=result.get("promise"),
        plans=plans,
        data=Markup(script_json(data)),
    )
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
