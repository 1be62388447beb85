"""A vehicle still at its depot keeping its own orders in a re-plan with ``keep_assignments``."""

from __future__ import annotations

import json
from pathlib import Path

from dispatch.intake.loading import load_request
from dispatch.planning.grouping import Stop
from dispatch.planning.model import fleet as units_of
from dispatch.replan import fleet

SMALL = Path(__file__).parents[3] / "scenarios" / "examples" / "small.json"
REQUEST = fleet.priced(load_request(json.loads(SMALL.read_text(encoding="utf-8"))), 1.0)
ORDERS = {o.id: o for o in REQUEST.orders}
VAN = next(u for u in units_of(REQUEST) if u.id == "VAN-1")


def _cheap(stop: Stop) -> float:
    """Leaving a stop out costs next to nothing (a carrier would take it for 1)."""
    return 1.0


def _served(solved: fleet.Solved) -> set[str]:
    return {o for r in solved.routes for s in r.stops for o in s.orders}


def test_own_orders_stay_on_their_vehicle_even_when_leaving_them_out_is_cheaper() -> None:
    mine = [ORDERS[o] for o in ("LINE-10002", "APP-3001", "LINE-10004")]
    spare = [ORDERS[o] for o in ("WEB-2002", "APP-3002")]
    solved, lost = fleet.route_keeping(REQUEST, VAN, mine, spare, (), 0.5, None, _cheap)
    assert _served(solved) == {"LINE-10002", "APP-3001", "LINE-10004"}
    assert {u.order for u in solved.unserved} == {"WEB-2002", "APP-3002"}
    assert lost == {}


def test_an_own_order_the_vehicle_cannot_carry_is_named_with_why() -> None:
    mine = [ORDERS[o] for o in ("LINE-10002", "LINE-10003")]  # LINE-10003 is frozen
    solved, lost = fleet.route_keeping(REQUEST, VAN, mine, [], (), 0.5, None, _cheap)
    assert _served(solved) == {"LINE-10002"}
    assert list(lost) == ["LINE-10003"]
    assert "frozen" in lost["LINE-10003"]
