"""The plan request of the contract (``spec/plan-request.md``) as typed, validated models.

Shape and range errors come from pydantic; cross-record checks (duplicate ids,
references, windows) are gathered by :func:`dispatch.loading.load_request`,
which reports every problem at once, each naming its record and field.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dispatch.clock import Clock
from optimizer import MAX_SEED


class Temperature(StrEnum):
    AMBIENT = "ambient"
    CHILLED = "chilled"
    FROZEN = "frozen"


COLD = (Temperature.CHILLED, Temperature.FROZEN)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Location(_Model):
    """Either geographic (lat/lon) or planar (x/y, for the euclidean metric)."""

    lat: float | None = None
    lon: float | None = None
    x: float | None = None
    y: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Location:
        values = {k: v for k, v in self.__dict__.items() if v is not None}
        for k, v in values.items():
            if not math.isfinite(v):
                raise ValueError(f"{k} is not a finite number")
        if self.lat is not None or self.lon is not None:
            if self.lat is None or self.lon is None:
                raise ValueError("lat and lon must be given together")
            if not -90 <= self.lat <= 90:
                raise ValueError(f"lat {self.lat} is outside -90..90")
            if not -180 <= self.lon <= 180:
                raise ValueError(f"lon {self.lon} is outside -180..180")
        elif self.x is None or self.y is None:
            raise ValueError("needs lat and lon (or x and y for the euclidean metric)")
        return self

    @property
    def is_geo(self) -> bool:
        return self.lat is not None

    def coords(self) -> tuple[float, float]:
        """(lat, lon) for a geographic location, (x, y) for a planar one."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        assert self.x is not None
        assert self.y is not None
        return self.x, self.y


class TimeWindow(_Model):
    start: Clock
    end: Clock


class Item(_Model):
    sku: str = ""
    qty: int = Field(1, ge=0)
    weight_kg: float = Field(0.0, ge=0, allow_inf_nan=False)
    volume_l: float = Field(0.0, ge=0, allow_inf_nan=False)
    temperature: Temperature = Temperature.AMBIENT
    fragile: bool = False
    bulky: bool = False


class Order(_Model):
    id: str = Field(min_length=1)
    platform: str = ""
    pickup_point: str | None = None
    location: Location | None = None
    time_windows: tuple[TimeWindow, ...] = ()
    service_minutes: float = Field(0.0, ge=0, allow_inf_nan=False)
    items: tuple[Item, ...] = ()
    region: str | None = None
    address: str | None = None
    customer: str | None = None

    def weight(self) -> float:
        return sum(i.qty * i.weight_kg for i in self.items)

    def volume(self, temperature: Temperature | None = None) -> float:
        return sum(
            i.qty * i.volume_l
            for i in self.items
            if temperature is None or i.temperature == temperature
        )

    def temperatures(self) -> set[Temperature]:
        return {i.temperature for i in self.items if i.qty > 0}

    @property
    def is_cold(self) -> bool:
        return bool(self.temperatures() & set(COLD))


class PickupPoint(_Model):
    id: str = Field(min_length=1)
    name: str = ""
    location: Location
    time_windows: tuple[TimeWindow, ...] = ()
    service_minutes: float = Field(0.0, ge=0, allow_inf_nan=False)
    contact: str | None = None
    phone: str | None = None
    address: str | None = None


class Depot(_Model):
    id: str = Field(min_length=1)
    name: str = ""
    location: Location
    open: Clock = 0
    close: Clock = 24 * 60
    loading_minutes: float = Field(0.0, ge=0, allow_inf_nan=False)


class Capacity(_Model):
    weight_kg: float = Field(0.0, ge=0, allow_inf_nan=False)
    volume_l: float = Field(0.0, ge=0, allow_inf_nan=False)
    chilled_l: float = Field(0.0, ge=0, allow_inf_nan=False)
    frozen_l: float = Field(0.0, ge=0, allow_inf_nan=False)


class ColdLimits(_Model):
    chilled: float | None = Field(None, ge=0, allow_inf_nan=False)
    frozen: float | None = Field(None, ge=0, allow_inf_nan=False)

    def for_class(self, temperature: Temperature) -> float | None:
        return self.chilled if temperature == Temperature.CHILLED else self.frozen


class Shift(_Model):
    start: Clock = 0
    end: Clock = 24 * 60


class VehicleCost(_Model):
    fixed: float = Field(0.0, ge=0, allow_inf_nan=False)
    per_km: float = Field(0.0, ge=0, allow_inf_nan=False)
    per_hour: float = Field(0.0, ge=0, allow_inf_nan=False)


class Vehicle(_Model):
    id: str = Field(min_length=1)
    depot: str
    end_depot: str | None = None
    count: int = Field(1, ge=0, le=500)
    capacity: Capacity = Capacity()
    max_cold_minutes: ColdLimits = ColdLimits()
    shift: Shift = Shift()
    cost: VehicleCost = VehicleCost()
    speed_factor: float = Field(1.0, gt=0, le=10, allow_inf_nan=False)
    kind: str = ""

    def unit_ids(self) -> list[str]:
        """Ids of the identical vehicles this entry stands for (``V01#1`` ... when count > 1)."""
        if self.count == 1:
            return [self.id]
        return [f"{self.id}#{k}" for k in range(1, self.count + 1)]


class Handles(_Model):
    temperatures: tuple[Temperature, ...] = (Temperature.AMBIENT,)
    fragile: bool = False
    bulky: bool = False


class CarrierPrice(_Model):
    per_order: float = Field(0.0, ge=0, allow_inf_nan=False)
    per_kg: float = Field(0.0, ge=0, allow_inf_nan=False)
    cold_surcharge_per_order: float = Field(0.0, ge=0, allow_inf_nan=False)
    min_charge_per_region: float = Field(0.0, ge=0, allow_inf_nan=False)


class Carrier(_Model):
    id: str = Field(min_length=1)
    name: str = ""
    regions: tuple[str, ...] = ("*",)
    handles: Handles = Handles()
    price: CarrierPrice = CarrierPrice()
    handover_by: Clock | None = None
    delivers_by: Clock | None = None
    on_time_rate: float = Field(1.0, ge=0, le=1, allow_inf_nan=False)
    max_orders: int | None = Field(None, ge=0)


class Travel(_Model):
    metric: Literal["haversine", "euclidean", "matrix"] = "haversine"
    speed_kmh: float = Field(30.0, gt=0, allow_inf_nan=False)
    circuity: float = Field(1.3, ge=1, le=5, allow_inf_nan=False)
    locations: tuple[str, ...] | None = None
    durations: tuple[tuple[float, ...], ...] | None = None
    distances: tuple[tuple[float, ...], ...] | None = None


class Policy(_Model):
    unserved_penalty: float = Field(5000.0, ge=0, allow_inf_nan=False)
    late_penalty_per_minute: float = Field(0.0, ge=0, allow_inf_nan=False)
    carrier_late_penalty_per_order: float = Field(0.0, ge=0, allow_inf_nan=False)
    outsourcing: Literal["region", "order", "none"] = "none"
    pin: dict[str, str] = Field(default_factory=dict)
    max_late_minutes: float = Field(120.0, ge=0, allow_inf_nan=False)


class Options(_Model):
    time_limit_s: float = Field(30.0, gt=0, le=3600, allow_inf_nan=False)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    engine: Literal["ortools", "pyvrp", "hybrid", "portfolio"] = "portfolio"

    def limit(self, override: float | None) -> float:
        """The search time: a caller's ``override`` when given (0 included), else the request's."""
        return self.time_limit_s if override is None else override


class Request(_Model):
    """One day's plan request."""

    date: dt.date
    timezone: str = "Asia/Taipei"
    travel: Travel = Travel()
    depots: tuple[Depot, ...] = Field(min_length=1)
    vehicles: tuple[Vehicle, ...] = ()
    orders: tuple[Order, ...] = ()
    pickup_points: tuple[PickupPoint, ...] = ()
    regions: dict[str, Any] | None = None
    carriers: tuple[Carrier, ...] = ()
    policy: Policy = Policy()
    options: Options = Options()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
