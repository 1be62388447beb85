"""A day's facts written as a document and read back unchanged."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given, settings

from dispatch.kpis.facts import DayFacts, day_document, day_from_document
from dispatch.kpis.frame import frame_of
from dispatch.kpis.outcomes import day_facts
from tests.dispatch.kpis.day import CARRIER, REQUEST, ROAD, plan
from tests.dispatch.kpis.test_measures import DAY, days


def _again(day: DayFacts) -> DayFacts:
    return day_from_document(json.loads(json.dumps(day_document(day))))


def test_the_hand_made_day_reads_back_as_counted() -> None:
    counted = day_facts(frame_of(plan(), REQUEST), ROAD, CARRIER)
    assert _again(counted) == counted
    assert _again(DayFacts()) == DayFacts()


@settings(max_examples=60, deadline=None)
@given(days())
def test_any_day_reads_back_as_it_was_written(day: DayFacts) -> None:
    one_day = DayFacts(tuple(replace(o, day=DAY) for o in day.orders), day.routes, day.notices)
    assert _again(one_day) == one_day
