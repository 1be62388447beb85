"""Re-planning during the day: the state at a time from the events, and a new plan version
for what is left (see :mod:`dispatch.replan.replan`)."""

from dispatch.replan.replan import effective_request, replan
from dispatch.replan.spec import ReplanSpec, check_spec, read_spec
from dispatch.replan.state import DayState, VehicleState, day_state

__all__ = [
    "DayState",
    "ReplanSpec",
    "VehicleState",
    "check_spec",
    "day_state",
    "effective_request",
    "read_spec",
    "replan",
]
