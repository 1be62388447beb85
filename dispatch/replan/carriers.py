"""Carriers in a re-plan: who can still take an order now (``handover_by`` not passed, not
down, room left), the region's backup carrier first for a carrier that is down, at what price."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dispatch.intake.request import Carrier, Order, Request
from dispatch.sourcing.carriers import last_window_end, price, refusal


def backup_carriers(request: Request) -> dict[str, str]:
    """Region id → its backup carrier, from the regions' ``backup_carrier`` property."""
    out: dict[str, str] = {}
    for feature in (request.regions or {}).get("features") or []:
        props = feature.get("properties") or {} if isinstance(feature, Mapping) else {}
        rid, backup = props.get("id"), props.get("backup_carrier")
        if isinstance(rid, str) and isinstance(backup, str) and backup:
            out[rid] = backup
    return out


@dataclass(frozen=True, slots=True)
class Offer:
    carrier: str
    cost: float


class CarrierDesk:
    """The carriers that can still take orders at ``at`` and how many each still takes."""

    def __init__(
        self, request: Request, region_of: Mapping[str, str], at: float, down: Sequence[str],
        taken: Mapping[str, int],
    ) -> None:  # fmt: skip
        self.request = request
        self.region_of = region_of
        self.at = at
        self.down = set(down)
        self.room = {
            c.id: (None if c.max_orders is None else c.max_orders - taken.get(c.id, 0))
            for c in request.carriers
        }
        self.by_id = {c.id: c for c in request.carriers}

    def why_not(self, carrier: Carrier, order: Order) -> str | None:
        if carrier.id in self.down:
            return f"{carrier.id} is down"
        if carrier.handover_by is not None and carrier.handover_by < self.at:
            return f"{carrier.id}'s handover time has passed"
        room = self.room.get(carrier.id)
        if room is not None and room <= 0:
            return f"{carrier.id} takes no more orders"
        region = self.region_of.get(order.id, "")
        refused = refusal(carrier, order, region, last_window_end(self.request, order))
        return None if refused is None else f"{carrier.id} {refused.text}"

    def best(self, order: Order, prefer: str | None = None) -> tuple[Offer | None, list[str]]:
        """The cheapest carrier that can take ``order`` (``prefer`` first when it can), and
        why each other could not."""
        reasons: list[str] = []
        offers: list[Offer] = []
        for c in self.request.carriers:
            why = self.why_not(c, order)
            if why is None:
                offers.append(Offer(c.id, price(c, order, self.request.policy)))
            else:
                reasons.append(why)
        preferred = [o for o in offers if o.carrier == prefer]
        if preferred:
            return preferred[0], reasons
        return (min(offers, key=lambda o: o.cost) if offers else None), reasons

    def take(self, carrier: str) -> None:
        room = self.room.get(carrier)
        if room is not None:
            self.room[carrier] = room - 1
