"""Events of a hand-made day turned into facts and KPIs, each figure worked out by hand."""

from __future__ import annotations

import pytest

from dispatch.kpis.facts import Outcome
from dispatch.kpis.measures import measure
from dispatch.kpis.outcomes import SentNotice, day_facts, frame_of
from dispatch.live.status import LiveKind
from tests.dispatch.kpis.day import CARRIER, REQUEST, ROAD, at, plan, road

NOTICES = [
    SentNotice(1, "order:H-1", "H-1", at("10:13"), 0.0),
    SentNotice(2, "order:A-1", "A-1", at("09:40"), 50.0),
    SentNotice(3, "order:A-1", "A-1", at("10:00"), 80.0),
    SentNotice(4, "order:A-2", "A-2", None, 50.0),
]


def facts(**kw: object):  # type: ignore[no-untyped-def]
    return day_facts(frame_of(plan(), REQUEST, plan_id=1), ROAD, CARRIER, NOTICES, **kw)


def test_each_order_ends_as_its_events_say() -> None:
    by_order = {o.order: o for o in facts().orders}
    assert {k: o.outcome for k, o in by_order.items()} == {
        "A-1": Outcome.DELIVERED, "A-2": Outcome.DELIVERED, "H-1": Outcome.FAILED,
        "C-1": Outcome.DELIVERED, "C-2": Outcome.FAILED, "U-1": Outcome.UNSERVED,
    }  # fmt: skip
    # PP-1's window ends 09:30, reached 09:50: 20 minutes late; departed 08:40, delivered 09:55.
    assert by_order["A-1"].late_minutes == 20
    assert by_order["A-1"].minutes_from_departure == 75
    # Chilled A-1 served 70 minutes after the real departure, over the 60 allowed.
    assert (by_order["A-1"].cold, by_order["A-1"].cold_ok) == (True, False)
    assert by_order["A-2"].cold_ok is None
    assert by_order["C-1"].late_minutes == 0
    assert by_order["C-1"].minutes_from_departure == 150
    assert (by_order["H-1"].reason, by_order["C-2"].reason) == ("nobody", "refused")
    assert (by_order["C-1"].region, by_order["A-1"].region) == ("R", "all")
    assert by_order["A-1"].cost == pytest.approx(400.0)
    assert by_order["C-2"].cost == pytest.approx(150.0)


def test_the_day_in_total() -> None:
    (total,) = measure([facts()])
    assert (total.orders, total.delivered, total.failed, total.unserved, total.open) == (
        6, 3, 2, 1, 0,
    )  # fmt: skip
    assert total.failed_by_reason == {"nobody": 1, "refused": 1}
    assert total.success_rate == 0.5
    assert total.on_time_rate == pytest.approx(1 / 3, abs=1e-4)
    assert total.avg_delay_minutes == pytest.approx(13.3)
    assert total.p95_delay_minutes == 20
    assert total.avg_minutes_from_departure == 100
    assert total.cost == 1500
    assert total.cost_per_delivered_order == 500
    assert total.own_share == 0.5
    assert total.carrier_share == pytest.approx(1 / 3, abs=1e-4)
    # One route: load 100 of 500 kg and 200 of 1000 l; worked 08:40-10:30 of a 10-hour shift.
    assert total.routes == 1
    assert total.load_utilisation == 0.2
    assert total.time_utilisation == pytest.approx(110 / 600, abs=1e-4)
    assert (total.cold_orders, total.cold_chain_compliance) == (1, 0.0)
    # Three notices sent; A-1's later promise of 80 replaces its 50.
    assert (total.notices, total.compensation_total) == (3, 80.0)


def test_grouped_by_carrier() -> None:
    rows = {r.group: r for r in measure([facts()], "carrier")}
    assert set(rows) == {"own", "CAT", "unserved"}
    assert (rows["own"].orders, rows["own"].delivered, rows["own"].routes) == (3, 2, 1)
    assert (rows["CAT"].orders, rows["CAT"].success_rate, rows["CAT"].on_time_rate) == (2, 0.5, 1)
    assert rows["CAT"].routes == 0
    assert rows["CAT"].load_utilisation is None
    assert (rows["own"].notices, rows["own"].compensation_total) == (3, 80.0)


def test_grouped_by_platform() -> None:
    rows = {r.group: r for r in measure([facts()], "platform")}
    assert {k: r.orders for k, r in rows.items()} == {"app": 2, "line": 2, "web": 2}
    assert rows["line"].routes == 0


def test_skipped_and_carried_over_orders_are_not_counted() -> None:
    day = day_facts(
        frame_of(plan(), REQUEST, plan_id=1, carried_over=["H-1"]), ROAD, CARRIER, skip=["C-2"]
    )
    assert {o.order for o in day.orders} == {"A-1", "A-2", "C-1", "U-1"}


def test_events_out_of_order_and_repeated_count_once() -> None:
    shuffled = [*list(reversed(ROAD)), ROAD[2]]
    assert day_facts(frame_of(plan(), REQUEST), shuffled, CARRIER) == day_facts(
        frame_of(plan(), REQUEST), ROAD, CARRIER
    )


def test_the_last_event_of_an_order_wins() -> None:
    again = [*ROAD, road("e7", LiveKind.DELIVERED, "10:20", "H-1")]
    by_order = {o.order: o for o in day_facts(frame_of(plan(), REQUEST), again, []).orders}
    assert by_order["H-1"].outcome is Outcome.DELIVERED
    assert by_order["H-1"].late_minutes == 10
    assert by_order["C-1"].outcome is Outcome.OPEN


def test_without_events_nothing_is_delivered_and_no_route_counts() -> None:
    day = day_facts(frame_of(plan(), REQUEST), [], [])
    (total,) = measure([day])
    assert (total.orders, total.open, total.delivered, total.routes) == (6, 5, 0, 0)
    assert total.success_rate == 0
    assert total.cost_per_delivered_order is None
    assert total.cost == 300  # the carrier's price is owed; an idle van costs nothing


def test_a_typed_request_gives_the_same_frame_as_its_document() -> None:
    from dispatch.intake.request import Request

    typed = frame_of(plan(), Request.model_validate(REQUEST))
    stored = frame_of(plan(), REQUEST)
    assert (typed.region_of, typed.platform_of) == (stored.region_of, stored.platform_of)
    assert (typed.window_end_of, typed.temps_of) == (stored.window_end_of, stored.temps_of)
    assert stored.window_end_of["A-1"] == 9 * 60 + 30
    assert stored.temps_of["A-1"] == {"chilled"}


def test_regions_come_from_the_polygons_as_the_planner_assigns_them() -> None:
    square = [[121.54, 25.03], [121.57, 25.03], [121.57, 25.06], [121.54, 25.06], [121.54, 25.03]]
    request = {
        **REQUEST,
        "regions": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "Xinyi"},
             "geometry": {"type": "Polygon", "coordinates": [square]}}]},
    }  # fmt: skip
    region_of = frame_of(plan(), request).region_of
    assert (region_of["A-1"], region_of["H-1"]) == ("Xinyi", "Xinyi")
    assert region_of["U-1"] == "unassigned"
    assert region_of["C-1"] == "R"
