"""The portfolio's trade of plans between its two searches."""

from __future__ import annotations

import queue

from hypothesis import given
from hypothesis import strategies as st

from optimizer import Problem, Solution, plan
from optimizer.params import MAX_SEED
from optimizer.portfolio import Trade, search_seeds
from optimizer.pyvrp_engine import SEEDS_PER_SEARCH


def two_plans(problem: Problem) -> tuple[Solution, Solution]:
    """One route through stops at 10, -10 and 20: in the order -10, 10, 20 it runs 60,
    in the order 10, -10, 20 it runs 80."""
    a, b, c = problem.stops
    good = plan.assemble(problem, {0: [b, a, c]}, engine="test", elapsed_s=0)
    bad = plan.assemble(problem, {0: [a, b, c]}, engine="test", elapsed_s=0)
    assert good.cost < bad.cost
    return good, bad


def test_trade_posts_ours_and_keeps_the_better(consolidation: Problem) -> None:
    good, bad = two_plans(consolidation)
    outbox: queue.Queue[Solution] = queue.Queue()
    inbox: queue.Queue[Solution] = queue.Queue()
    inbox.put(good)
    kept = Trade(outbox, inbox).bind(consolidation)(bad)
    assert kept is good
    assert outbox.get_nowait() is bad


def test_trade_keeps_ours_when_theirs_is_worse(consolidation: Problem) -> None:
    good, bad = two_plans(consolidation)
    inbox: queue.Queue[Solution] = queue.Queue()
    inbox.put(bad)
    assert Trade(queue.Queue(), inbox).bind(consolidation)(good) is good


def test_trade_carries_on_alone_when_the_partner_is_silent(consolidation: Problem) -> None:
    good, _ = two_plans(consolidation)
    assert Trade(queue.Queue(), queue.Queue(), wait_s=0.01).bind(consolidation)(good) is good


def test_seed_zero_searches_first_with_seed_zero_as_the_hybrid_does() -> None:
    assert search_seeds(0)[0] == 0


def _blocks(user_seed: int) -> list[range]:
    """The seeds each search of a run may use, its restarts included."""
    return [range(s, s + SEEDS_PER_SEARCH) for s in search_seeds(user_seed)]


@given(st.integers(0, MAX_SEED), st.integers(0, MAX_SEED))
def test_searches_share_no_seed_within_a_run_or_across_user_seeds(a: int, b: int) -> None:
    blocks = _blocks(a) + ([] if a == b else _blocks(b))
    seeds = [seed for block in blocks for seed in block]
    assert len(set(seeds)) == len(seeds)
    assert max(seeds) < 2**32
