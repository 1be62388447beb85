"""A stored plan as the console's plan page shows it: routes, stops, loads, links, reasons."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from api.views.driver_page import _clock
from dispatch.planning.plan import Cargo, Plan


def _loads(cargo: Cargo) -> list[tuple[str, float]]:
    """Litres per temperature class (the non-zero ones) and kilograms."""
    rows = [("ambient", cargo.ambient_l), ("chilled", cargo.chilled_l), ("frozen", cargo.frozen_l)]
    return [(kind, round(v, 1)) for kind, v in rows if v > 0]


def qr_maker() -> Callable[[str], str] | None:
    """The QR-code drawer (``api.views.qr.qr_svg``) when the service has it."""
    try:
        module = importlib.import_module("api.views.qr")
    except ImportError:
        return None
    maker: Callable[[str], str] | None = getattr(module, "qr_svg", None)
    return maker


def sheet_url(plan_id: int, vehicle: str, suffix: str) -> str:
    """The route sheet of ``vehicle`` (``pdf``, ``xlsx`` or ``csv``)."""
    return f"/plans/{plan_id}/routes/{quote(vehicle, safe='')}/sheet.{suffix}"


def plan_view(
    plan_id: int, plan: Plan, links: Mapping[str, str], *, public_url: str = ""
) -> dict[str, Any]:
    """The template's view of the plan; ``links`` are the driver links (paths) per vehicle."""
    qr = qr_maker()
    routes = []
    for route in plan.routes:
        link = links.get(route.vehicle)
        absolute = f"{public_url.rstrip('/')}{link}" if link else None
        routes.append(
            {
                "vehicle": route.vehicle,
                "depot": route.depot,
                "start": _clock(route.start),
                "end": _clock(route.end),
                "distance_km": route.distance_km,
                "weight_kg": round(route.load.weight_kg, 1),
                "loads": _loads(route.load),
                "cost": route.cost.total if route.cost is not None else None,
                "link": link,
                "qr": Markup(qr(absolute)) if qr is not None and absolute else None,
                "sheets": {s: sheet_url(plan_id, route.vehicle, s) for s in ("pdf", "xlsx", "csv")},
                "stops": [
                    {
                        "seq": k,
                        "stop": s.stop,
                        "name": s.name or s.stop,
                        "arrival": _clock(s.arrival),
                        "departure": _clock(s.departure),
                        "window": ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in s.windows),
                        "late": s.late_minutes,
                        "orders": s.orders,
                        "loads": _loads(s.unload),
                    }
                    for k, s in enumerate(route.stops, start=1)
                ],
            }
        )
    return {
        "status": plan.status,
        "objective": plan.objective,
        "kpis": plan.kpis,
        "routes": routes,
        "outsourced": plan.outsourced,
        "unserved": plan.unserved,
        "qr_available": qr is not None,
    }
