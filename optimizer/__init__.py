"""Rich vehicle routing with time windows on plain integer data, solved by OR-Tools and PyVRP."""

from optimizer.params import MAX_SEED, Engine, SolveParams
from optimizer.problem import Node, Problem, ProblemError, Vehicle
from optimizer.pyvrp_engine import UnsupportedError
from optimizer.solution import Progress, Route, Solution, Visit
from optimizer.solve import solve

__all__ = [
    "MAX_SEED",
    "Engine",
    "Node",
    "Problem",
    "ProblemError",
    "Progress",
    "Route",
    "Solution",
    "SolveParams",
    "UnsupportedError",
    "Vehicle",
    "Visit",
    "solve",
]
