"""The kept live status: after any events, the same as computed afresh from the store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.views.live import LiveViews
from dispatch.live.events import RoadEventIn, add_road_event
from dispatch.live.predict import status_of
from dispatch.store import Store, carrier_events, road_event, road_events
from tests.api.driver_data import TZ, make_plan, store_plan

PLAN = make_plan((3, 2))
STOPS = {r["vehicle"]: [s["stop"] for s in r["stops"]] for r in PLAN["routes"]}

Event = tuple[str, str, int, int]
"""Vehicle, kind, stop index, minutes after 08:00."""

events = st.lists(
    st.tuples(
        st.sampled_from(sorted(STOPS)),
        st.sampled_from(["departed", "position", "arrived", "delivered"]),
        st.integers(0, 2),
        st.integers(0, 600),
    ),
    max_size=12,
)


def _body(vehicle: str, kind: str, stop: int, minutes: int, n: int, start: datetime) -> bytes:
    body: dict[str, object] = {"event_id": f"e-{n}", "kind": kind}
    body["at"] = (start + timedelta(minutes=minutes)).isoformat()
    if kind == "position":
        body.update(lat=25.01 + 0.001 * minutes / 60, lon=121.51)
    elif kind in ("arrived", "delivered"):
        stops = STOPS[vehicle]
        body["stop"] = stops[stop % len(stops)]
    return json.dumps(body).encode()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=events)
def test_the_kept_status_is_the_status_computed_afresh(store: Store, events: list[Event]) -> None:
    stored = store_plan(store, PLAN)
    plan_id = stored.plan_id
    zone = ZoneInfo(TZ)
    start = datetime.fromisoformat(f"{PLAN['date']}T08:00:00").replace(tzinfo=zone)
    now = start + timedelta(hours=11)
    kept = LiveViews()
    with store.read() as session:
        kept.status(session, plan_id, now)
    for n, (vehicle, kind, stop, minutes) in enumerate(events):
        event = RoadEventIn.parse(_body(vehicle, kind, stop, minutes, n, start))
        with store.write() as session:
            day = kept.day(session, plan_id)
            row = add_road_event(session, day.plan, plan_id, vehicle, event, now)
            added = (vehicle, row.id, road_event(row))
            after = kept.status(session, plan_id, now, added=added)
        with store.read() as session:
            fresh = LiveViews().status(session, plan_id, now)
            again = kept.status(session, plan_id, now)
            rows = [e for _, e in road_events(session, plan_id)]
            computed = status_of(day, rows, carrier_events(session, day.plan.date), now)
        assert after.status == fresh.status == again.status == computed
        assert after.body == fresh.body == again.body
        assert json.loads(after.body)["plan_id"] == plan_id
