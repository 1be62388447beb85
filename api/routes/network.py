"""The delivery network: depots, vehicles, pickup points, regions, carriers and defaults."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.deps import Admin, Reader, ReadSession, SettingsDep, WriteSession, finite_body
from api.problems import problem_responses
from api.schemas import NetworkCounts
from dispatch.intake.travel_sources import check_travel_sources
from dispatch.store import audit, load_network, replace_network, validate_network

router = APIRouter(prefix="/network", tags=["network"], responses=problem_responses(400, 401, 403))

_NETWORK = {
    "timezone": "Asia/Taipei",
    "travel": {"metric": "haversine", "speed_kmh": 28, "circuity": 1.3},
    "depots": [{"id": "DC-N", "location": {"lat": 25.06, "lon": 121.52},
                "open": "06:00", "close": "22:00", "loading_minutes": 20}],
    "vehicles": [{"id": "V01", "depot": "DC-N", "count": 3,
                  "capacity": {"weight_kg": 1500, "volume_l": 9000, "chilled_l": 3000},
                  "shift": {"start": "07:00", "end": "19:00"},
                  "cost": {"fixed": 1500, "per_km": 9, "per_hour": 320}}],
    "pickup_points": [{"id": "PP-017", "location": {"lat": 25.041, "lon": 121.565},
                       "time_windows": [{"start": "09:00", "end": "12:00"}],
                       "service_minutes": 8}],
    "regions": None,
    "carriers": [],
    "policy": {"unserved_penalty": 5000, "outsourcing": "none"},
    "options": {"time_limit_s": 30},
}  # fmt: skip


@router.get(
    "",
    responses={200: {"content": {"application/json": {"example": _NETWORK}}}},
)
def read_network(session: ReadSession, _: Reader) -> dict[str, Any]:
    """The stored network, in the plan request's shape (without date and orders).

    **Roles:** admin, dispatcher, planner.
    """
    return load_network(session)


@router.put("", responses=problem_responses(400, 409, 413, 422))
def put_network(
    who: Admin,
    session: WriteSession,
    settings: SettingsDep,
    network: Annotated[dict[str, Any], Body(openapi_examples={"small": {"value": _NETWORK}})],
) -> NetworkCounts:
    """Replace the network. Pickup points that stored orders use cannot be removed (409).

    **Roles:** admin.
    """
    finite_body(network)
    check_travel_sources(network, settings.travel_sources)
    counts = replace_network(session, validate_network(network))
    audit(session, who.actor, "network.replace", "network", **counts)
    return NetworkCounts(**counts)
