"""The plan request of the contract (``spec/plan-request.md``) as typed, validated models.

Shape and range errors come from pydantic; cross-record checks (duplicate ids,
references, windows) are gathered by :func:`dispatch.intake.loading.load_request`,
which reports every problem at once, each naming its record and field.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from dispatch.clock import MAX_MINUTES, Clock
from dispatch.text import (
    MAX_ADDRESS,
    MAX_ID,
    MAX_LABEL,
    MAX_NAME,
    MAX_NOTE,
    MAX_ORDER_ID,
    MAX_PHONE,
    MAX_PLATFORM,
    MAX_SKU,
    PlainText,
)
from optimizer import MAX_SEED

_LINE = AfterValidator(PlainText())
_LINES = AfterValidator(PlainText(lines=True))

RecordId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID), _LINE]
"""The id of a depot, vehicle, pickup point, carrier or region, or a reference to one."""
OrderId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ORDER_ID), _LINE]
Platform = Annotated[str, StringConstraints(max_length=MAX_PLATFORM), _LINE]
Name = Annotated[str, StringConstraints(max_length=MAX_NAME), _LINE]
Label = Annotated[str, StringConstraints(max_length=MAX_LABEL), _LINE]
Sku = Annotated[str, StringConstraints(max_length=MAX_SKU), _LINE]
Phone = Annotated[str, StringConstraints(max_length=MAX_PHONE), _LINE]
Address = Annotated[str, StringConstraints(max_length=MAX_ADDRESS), _LINES]
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE), _LINES]
FilePath = Annotated[str, StringConstraints(min_length=1, max_length=4096), _LINE]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048), _LINE]

DEFAULT_TIMEZONE = "Asia/Taipei"
"""The time zone of a request (and so of its plan) that names none."""
MAX_QTY = 1_000_000
MAX_UNIT_LOAD = 100_000.0
"""Largest weight (kg) or volume (l) of one unit of an item."""
MAX_CAPACITY = 1e9
"""Largest capacity of a vehicle, in kg or l."""
MAX_RATE = 1e6
"""Largest money per km, hour, kg or late minute."""
MAX_MONEY = 1e8
"""Largest fixed cost, price per order or penalty."""
MAX_COORDINATE = 1e6
"""Largest planar (x/y) coordinate of the euclidean metric."""
MIN_SPEED_KMH = 1.0
MAX_SPEED_KMH = 200.0
MAX_MATRIX_MINUTES = 7 * 24 * 60.0
MAX_MATRIX_KM = 100_000.0
MAX_WINDOWS = 50
"""Most time windows of one order or pickup point."""
MAX_ITEMS = 1000
"""Most item lines of one order."""
MAX_FLEET = 5000
"""Most vehicles of one request, counting each of an entry's ``count``."""
MAX_REGIONS = 1000
"""Most region polygons one request may hold."""
MAX_REGION_POINTS = 100_000
"""Most coordinates of all region polygons together."""

_Minutes = Annotated[float, Field(ge=0, le=MAX_MINUTES, allow_inf_nan=False)]
_Rate = Annotated[float, Field(ge=0, le=MAX_RATE, allow_inf_nan=False)]
_Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
_Speed = Annotated[float, Field(ge=MIN_SPEED_KMH, le=MAX_SPEED_KMH, allow_inf_nan=False)]
_Capacity = Annotated[float, Field(ge=0, le=MAX_CAPACITY, allow_inf_nan=False)]
_UnitLoad = Annotated[float, Field(ge=0, le=MAX_UNIT_LOAD, allow_inf_nan=False)]


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
        for k in ("x", "y"):
            v = values.get(k)
            if v is not None and abs(v) > MAX_COORDINATE:
                raise ValueError(f"{k} {v} is outside ±{MAX_COORDINATE:g}")
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

    def lat_lon(self) -> tuple[float, float] | None:
        """(lat, lon) of a geographic location; None for a planar one."""
        if self.lat is None or self.lon is None:
            return None
        return self.lat, self.lon

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
    sku: Sku = ""
    name: Name | None = None
    qty: int = Field(1, ge=0, le=MAX_QTY)
    weight_kg: _UnitLoad = 0.0
    volume_l: _UnitLoad = 0.0
    temperature: Temperature = Temperature.AMBIENT
    fragile: bool = False
    bulky: bool = False


class Order(_Model):
    id: OrderId
    platform: Platform = ""
    pickup_point: RecordId | None = None
    location: Location | None = None
    time_windows: Annotated[tuple[TimeWindow, ...], Field(max_length=MAX_WINDOWS)] = ()
    service_minutes: _Minutes = 0.0
    items: Annotated[tuple[Item, ...], Field(max_length=MAX_ITEMS)] = ()
    region: RecordId | None = None
    address: Address | None = None
    customer: Name | None = None
    notes: Note | None = None

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
    id: RecordId
    name: Name = ""
    location: Location
    time_windows: Annotated[tuple[TimeWindow, ...], Field(max_length=MAX_WINDOWS)] = ()
    service_minutes: _Minutes = 0.0
    contact: Name | None = None
    phone: Phone | None = None
    address: Address | None = None


class Depot(_Model):
    id: RecordId
    name: Name = ""
    location: Location
    open: Clock = 0
    close: Clock = 24 * 60
    loading_minutes: _Minutes = 0.0


class Capacity(_Model):
    weight_kg: _Capacity = 0.0
    volume_l: _Capacity = 0.0
    chilled_l: _Capacity = 0.0
    frozen_l: _Capacity = 0.0


class ColdLimits(_Model):
    chilled: _Minutes | None = None
    frozen: _Minutes | None = None

    def for_class(self, temperature: Temperature) -> float | None:
        return self.chilled if temperature == Temperature.CHILLED else self.frozen


class Shift(_Model):
    start: Clock = 0
    end: Clock = 24 * 60


class VehicleCost(_Model):
    fixed: _Money = 0.0
    per_km: _Rate = 0.0
    per_hour: _Rate = 0.0


class Vehicle(_Model):
    id: RecordId
    depot: RecordId
    end_depot: RecordId | None = None
    count: int = Field(1, ge=0, le=500)
    capacity: Capacity = Capacity()
    max_cold_minutes: ColdLimits = ColdLimits()
    shift: Shift = Shift()
    cost: VehicleCost = VehicleCost()
    speed_factor: float = Field(1.0, ge=0.1, le=10, allow_inf_nan=False)
    kind: Label = ""
    latest_start: Clock | None = Field(
        None, description="The latest start of its route (a vehicle already on its way)"
    )

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
    per_order: _Money = 0.0
    per_kg: _Rate = 0.0
    cold_surcharge_per_order: _Money = 0.0
    min_charge_per_region: _Money = 0.0


_Rate01 = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class Carrier(_Model):
    id: RecordId
    name: Name = ""
    regions: tuple[RecordId, ...] = ("*",)
    handles: Handles = Handles()
    price: CarrierPrice = CarrierPrice()
    handover_by: Clock | None = None
    delivers_by: Clock | None = None
    on_time_rate: float = Field(1.0, ge=0, le=1, allow_inf_nan=False)
    max_orders: int | None = Field(None, ge=0)


GEO_METRICS = ("haversine", "road", "osrm")
"""The metrics that need lat/lon locations."""


class Travel(_Model):
    """How travel is measured: a formula, a given matrix, a road network, or an OSRM server.

    ``road`` routes over the OpenStreetMap extract ``osm_file`` (``.osm.pbf``) at the
    road-class ``speeds`` (km/h, over the defaults); ``osrm`` asks the table service
    at ``url``. Both refuse locations more than ``max_snap_m`` from a road.
    """

    metric: Literal["haversine", "euclidean", "matrix", "road", "osrm"] = "haversine"
    speed_kmh: float = Field(30.0, ge=MIN_SPEED_KMH, le=MAX_SPEED_KMH, allow_inf_nan=False)
    circuity: float = Field(1.3, ge=1, le=5, allow_inf_nan=False)
    locations: tuple[OrderId, ...] | None = None
    durations: tuple[tuple[float, ...], ...] | None = None
    distances: tuple[tuple[float, ...], ...] | None = None
    osm_file: FilePath | None = None
    speeds: dict[Label, _Speed] | None = Field(None, max_length=100)
    url: Url | None = None
    max_snap_m: float = Field(500.0, gt=0, le=100_000, allow_inf_nan=False)


OWN = "own"
"""The option of serving a region with the own fleet (also the pin value for it)."""


class Policy(_Model):
    unserved_penalty: _Money = 5000.0
    late_penalty_per_minute: _Rate = 0.0
    carrier_late_penalty_per_order: _Money = 0.0
    outsourcing: Literal["region", "order", "none"] = "none"
    pin: dict[RecordId, RecordId] = Field(default_factory=dict)
    max_late_minutes: _Minutes = 120.0
    carrier_rates: Literal["typed", "measured"] = "typed"
    """``measured``: plan with the carriers' measured on-time rates (``measured_rates``, which
    the service fills in from the scorecard) where known, else their typed-in ones."""
    measured_rates: dict[RecordId, _Rate01] = Field(default_factory=dict)

    def on_time_rate(self, carrier: Carrier) -> float:
        """The on-time rate the plan prices ``carrier``'s lateness with."""
        if self.carrier_rates == "measured" and carrier.id in self.measured_rates:
            return self.measured_rates[carrier.id]
        return carrier.on_time_rate


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
    timezone: Label = DEFAULT_TIMEZONE
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
