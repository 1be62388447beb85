"""Re-planning the demo day at 11:00 after one van breaks down.

python -m benchmarks.replan [--orders 600] [--plan-time 20] [--time 8] [--factor 10]
    [--engine ortools|hybrid|portfolio]  (the first plan's engine; re-plans search with OR-Tools)

Plans the demo day (OR-Tools, ``--plan-time`` seconds), drives it to 11:00 with the live-day
simulator without delays (every route reports its departure, and each stop its arrival and
delivery at the plan's times), breaks down the running van with the most stops still on
board, and prints:

1. the seconds from the events to a validated re-plan with ``--time`` seconds of search
   (target: at most 10 s);
2. its cost against the same re-plan given ``--factor`` times the search (target: at most
   2% above);
3. with ``keep_assignments``, how many orders of other vehicles change vehicle, go to a
   carrier or go unserved (target: none; only the broken van's orders move), counting
   apart those the re-plan says their own vehicle cannot serve any more.
"""

from __future__ import annotations

import argparse
import time

from dispatch.intake.loading import load_request
from dispatch.live.live_day import prepare_day
from dispatch.live.simulate import Delays, as_received, simulate_day
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_replan
from dispatch.replan import ReplanSpec, day_state, replan
from scenarios.demo import demo_request

AT = 11 * 60


def _vehicle_of(plan: Plan) -> dict[str, str]:
    return {o: r.vehicle for r in plan.routes for s in r.stops for o in s.orders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--plan-time", type=float, default=20.0)
    parser.add_argument("--time", type=float, default=8.0)
    parser.add_argument("--factor", type=float, default=10.0)
    parser.add_argument("--engine", default="ortools", help="the day's engine (options.engine)")
    args = parser.parse_args()

    doc = demo_request(orders=args.orders, date="2026-12-08")
    doc["options"] = {"time_limit_s": args.plan_time, "seed": 0, "engine": args.engine}
    request = load_request(doc)
    plan = plan_day(request, time_limit_s=args.plan_time)
    live = prepare_day(plan, request)
    at = live.time(AT)
    timeline = simulate_day(live, Delays(departure_max=0, leg_max=0))
    events, carried = as_received(e for e in timeline if e.sent_at <= at)
    probe = day_state(plan, request, events, carried, ReplanSpec(at=at))
    running = [v for v in probe.vehicles if v.status == "running"]
    broken = max(running, key=lambda v: len(v.on_board))
    print(f"plan: {len(plan.routes)} routes, {args.orders} orders; {len(running)} vans on the "
          f"road at 11:00; {broken.vehicle} breaks down with {len(broken.on_board)} orders on "
          f"board and {broken.fixed.stop if broken.fixed else '-'} next")  # fmt: skip

    def run(limit: float, keep: bool) -> tuple[Plan, float, int]:
        started = time.perf_counter()
        spec = ReplanSpec(at=at, vehicles_down=[{"vehicle": broken.vehicle, "at": at}],
                          keep_assignments=keep)  # fmt: skip
        state = day_state(plan, request, events, carried, spec)
        new = replan(request, plan, state, spec, previous_plan_id=1, time_limit_s=limit)
        violations = validate_replan(request, state.document(), new.document())
        return new, time.perf_counter() - started, len(violations)

    quick, seconds, bad = run(args.time, False)
    print(f"re-plan ({args.time:g} s search): {seconds:.1f} s to a plan, {bad} validator "
          f"violations, cost {quick.objective.total:.0f}, {len(quick.unserved)} unserved "
          f"(target: at most 10 s, 0 violations)")  # fmt: skip
    long, long_s, long_bad = run(args.time * args.factor, False)
    gap = (quick.objective.total - long.objective.total) / long.objective.total * 100
    print(f"re-plan ({args.time * args.factor:g} s search): {long_s:.1f} s, {long_bad} "
          f"violations, cost {long.objective.total:.0f}; the quick one is {gap:+.2f}% "
          f"(target: at most +2%)")  # fmt: skip
    kept, kept_s, kept_bad = run(args.time, True)
    before, after = _vehicle_of(plan), _vehicle_of(kept)
    moved = [o for o, v in before.items() if v != broken.vehicle and after.get(o) != v]
    forced = {m.order for m in kept.changes.orders_moved if m.reason} if kept.changes else set()
    broken_orders = [o for o, v in before.items() if v == broken.vehicle]
    print(f"keep_assignments: {kept_s:.1f} s, {kept_bad} violations, cost "
          f"{kept.objective.total:.0f}; {len(set(moved) - forced)} orders of other vehicles "
          f"change vehicle (go to a carrier or unserved), against the broken van's "
          f"{len(broken_orders)} (target: none), and {len(set(moved) & forced)} more that "
          f"their own vehicle cannot serve any more")  # fmt: skip


if __name__ == "__main__":
    main()
