"""KPIs measured from what happened: the counted plan of each day, its drivers' and carriers'
events and its notices, grouped by day, region, carrier, vehicle or platform; and the
carriers' measured on-time and success rates."""

from dispatch.kpis.choice import PlanHead, chain_of, counting_plan
from dispatch.kpis.facts import DayFacts, NoticeFact, OrderFact, Outcome, RouteFact
from dispatch.kpis.frame import DayFrame, frame_of
from dispatch.kpis.measures import GROUPINGS, Grouping, KpiRow, measure
from dispatch.kpis.outcomes import day_facts
from dispatch.kpis.scorecard import CarrierScore, scorecard

__all__ = [
    "GROUPINGS",
    "CarrierScore",
    "DayFacts",
    "DayFrame",
    "Grouping",
    "KpiRow",
    "NoticeFact",
    "OrderFact",
    "Outcome",
    "PlanHead",
    "RouteFact",
    "chain_of",
    "counting_plan",
    "day_facts",
    "frame_of",
    "measure",
    "scorecard",
]
