"""Each carrier's measured rates over a span of days, from its own events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from dispatch.kpis.facts import NONE, OWN, DayFacts, Outcome


@dataclass(frozen=True, slots=True)
class CarrierScore:
    """``success_rate`` = delivered / (delivered + failed); ``on_time_rate`` = delivered by
    the end of the order's last window / delivered; None over nothing. Orders without a
    delivered or failed event yet are ``open`` and in neither rate."""

    carrier: str
    orders: int
    delivered: int
    failed: int
    open: int
    on_time: int
    success_rate: float | None
    on_time_rate: float | None

    def document(self) -> dict[str, object]:
        return asdict(self)


def scorecard(days: Iterable[DayFacts]) -> tuple[CarrierScore, ...]:
    """One score per carrier that was given orders on these days, by carrier id."""
    counts: dict[str, list[int]] = {}
    for day in days:
        for o in day.orders:
            if o.carrier in (OWN, NONE):
                continue
            c = counts.setdefault(o.carrier, [0, 0, 0, 0, 0])
            c[0] += 1
            if o.outcome is Outcome.DELIVERED:
                c[1] += 1
                c[4] += o.late_minutes == 0
            elif o.outcome is Outcome.FAILED:
                c[2] += 1
            else:
                c[3] += 1
    scores = []
    for carrier in sorted(counts):
        orders, delivered, failed, open_, on_time = counts[carrier]
        ended = delivered + failed
        scores.append(
            CarrierScore(
                carrier, orders, delivered, failed, open_, on_time,
                None if ended == 0 else round(delivered / ended, 4),
                None if delivered == 0 else round(on_time / delivered, 4),
            )
        )  # fmt: skip
    return tuple(scores)
