"""Loads per compartment: what an order or stop puts on a vehicle, and what a vehicle holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dispatch.intake.request import Capacity, Order, Temperature

DIMENSIONS = ("weight_kg", "volume_l", "chilled_l", "frozen_l")


@dataclass(frozen=True, slots=True)
class Load:
    """Weight and volume, with the chilled and frozen parts of the volume."""

    weight_kg: float = 0.0
    volume_l: float = 0.0
    chilled_l: float = 0.0
    frozen_l: float = 0.0

    def __add__(self, other: Load) -> Load:
        return Load(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[float, float, float, float]:
        return (self.weight_kg, self.volume_l, self.chilled_l, self.frozen_l)

    def fits(self, capacity: Capacity) -> bool:
        return all(
            v <= c + 1e-9 for v, c in zip(self.values(), capacity_values(capacity), strict=True)
        )

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in zip(DIMENSIONS, self.values(), strict=True)}


def capacity_values(capacity: Capacity) -> tuple[float, float, float, float]:
    return (capacity.weight_kg, capacity.volume_l, capacity.chilled_l, capacity.frozen_l)


def order_load(order: Order) -> Load:
    return Load(
        weight_kg=order.weight(),
        volume_l=order.volume(),
        chilled_l=order.volume(Temperature.CHILLED),
        frozen_l=order.volume(Temperature.FROZEN),
    )


def total_load(orders: Iterable[Order]) -> Load:
    return sum((order_load(o) for o in orders), Load())
