"""The built-in demo day: Double 11 group-buy deliveries across Taipei and New Taipei.

:func:`demo_request` builds a contract request document (plain JSON data) from a
seed, the same for the same seed; :func:`write_demo` saves one as JSON, and
:func:`example_path` points at the small hand-written examples in ``examples/``.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

Json = dict[str, Any]
Window = tuple[str, str]


@dataclass(frozen=True, slots=True)
class _Sku:
    sku: str
    name: str
    weight_kg: float
    volume_l: float
    temperature: str
    popularity: float
    fragile: bool = False
    bulky: bool = False


@dataclass(frozen=True, slots=True)
class _District:
    name: str
    city: str
    region: str
    lat: float
    lon: float
    spread_km: float
    points: int
    homes: float
    roads: tuple[str, ...]


_CATALOGUE = (
    _Sku("milk-1l", "鮮乳 1L", 1.05, 1.1, "chilled", 3.0),
    _Sku("eggs-10", "雞蛋 10入", 0.65, 1.6, "chilled", 2.5, fragile=True),
    _Sku("yogurt-4", "優格 4入", 0.55, 0.8, "chilled", 1.5),
    _Sku("tofu", "板豆腐", 0.45, 0.5, "chilled", 1.0),
    _Sku("dumplings-frozen", "冷凍水餃 50入", 1.1, 1.8, "frozen", 3.0),
    _Sku("shrimp-frozen", "冷凍白蝦 600g", 0.7, 1.0, "frozen", 2.0),
    _Sku("chicken-frozen", "冷凍雞腿 1kg", 1.05, 1.4, "frozen", 1.5),
    _Sku("rice-5kg", "白米 5kg", 5.0, 6.5, "ambient", 1.5, bulky=True),
    _Sku("toilet-paper", "衛生紙 12捲", 2.4, 24.0, "ambient", 2.0, bulky=True),
    _Sku("water-24", "礦泉水 24入", 14.5, 17.0, "ambient", 0.8, bulky=True),
    _Sku("fruit-box", "水果禮盒", 3.0, 9.0, "ambient", 1.5),
    _Sku("snacks", "零食組合", 0.9, 4.0, "ambient", 2.5),
    _Sku("noodles-box", "泡麵 一箱", 2.6, 12.0, "ambient", 1.5),
    _Sku("oil-2l", "沙拉油 2L", 1.9, 2.2, "ambient", 1.0),
    _Sku("detergent", "洗衣精補充包", 2.1, 2.3, "ambient", 1.0),
)
_TEMPERATURES = ("ambient", "chilled", "frozen")
# Basket profiles: (share of orders, P(ambient, chilled, frozen) per item line).
# Overall about 72% ambient, 20% chilled and 8% frozen item lines.
_PROFILES = ((0.55, (1.0, 0.0, 0.0)), (0.30, (0.28, 0.5, 0.22)), (0.15, (0.6, 0.3, 0.1)))
_LINES = ((1, 2, 3, 4), (0.3, 0.35, 0.22, 0.13))
_QTY = ((1, 2, 3), (0.6, 0.3, 0.1))

_REGIONS: tuple[tuple[str, str, tuple[float, float, float, float]], ...] = (
    ("Beitou", "北投淡水", (121.38, 25.105, 121.56, 25.22)),
    ("Sanchong", "三重", (121.44, 25.045, 121.505, 25.105)),
    ("Zhongshan", "中山", (121.505, 25.045, 121.555, 25.105)),
    ("Neihu", "內湖", (121.555, 25.062, 121.65, 25.105)),
    ("Xinyi", "信義松山", (121.555, 25.0, 121.65, 25.062)),
    ("Daan", "大安萬華", (121.48, 25.015, 121.555, 25.045)),
    ("Banqiao", "板橋土城", (121.40, 24.96, 121.48, 25.045)),
    ("Zhonghe", "中永和", (121.48, 24.985, 121.555, 25.015)),
    ("Xindian", "新店", (121.48, 24.90, 121.60, 24.985)),
)
_FAR_REGIONS = frozenset({"Beitou", "Xindian"})
_REGION_MARGIN = 0.002

_TAIPEI, _NEW_TAIPEI = "臺北市", "新北市"
_DISTRICTS = (
    _District("信義", _TAIPEI, "Xinyi", 25.033, 121.567, 0.9, 7, 1.2,
              ("松仁", "松德", "吳興", "福德", "永吉", "基隆", "忠孝東")),
    _District("大安", _TAIPEI, "Daan", 25.027, 121.540, 0.9, 7, 1.4,
              ("復興南", "敦化南", "和平東", "師大", "安和", "辛亥", "羅斯福")),
    _District("中山", _TAIPEI, "Zhongshan", 25.064, 121.533, 0.9, 6, 1.0,
              ("長安東", "林森北", "吉林", "松江", "建國北", "中山北")),
    _District("內湖", _TAIPEI, "Neihu", 25.080, 121.590, 1.1, 6, 1.1,
              ("成功", "內湖", "港墘", "文德", "東湖", "康寧", "金龍")),
    _District("松山", _TAIPEI, "Xinyi", 25.052, 121.575, 0.7, 5, 0.8,
              ("八德", "南京東", "民生東", "健康", "敦化北")),
    _District("萬華", _TAIPEI, "Daan", 25.033, 121.498, 0.6, 4, 0.6,
              ("西園", "萬大", "康定", "青年", "環河南")),
    _District("板橋", _NEW_TAIPEI, "Banqiao", 25.012, 121.460, 1.1, 6, 1.3,
              ("文化", "四川", "民生", "府中", "中山", "漢生", "雙十")),
    _District("中和", _NEW_TAIPEI, "Zhonghe", 24.998, 121.500, 0.7, 5, 1.0,
              ("景平", "中和", "連城", "興南", "員山")),
    _District("永和", _NEW_TAIPEI, "Zhonghe", 25.006, 121.518, 0.5, 4, 0.7,
              ("永和", "竹林", "中正", "秀朗", "保生")),
    _District("新店", _NEW_TAIPEI, "Xindian", 24.962, 121.537, 1.2, 3, 0.8,
              ("北新", "中正", "安康", "民權")),
    _District("三重", _NEW_TAIPEI, "Sanchong", 25.063, 121.487, 0.8, 4, 0.9,
              ("重新", "三和", "正義", "自強", "光復")),
    _District("北投", _TAIPEI, "Beitou", 25.125, 121.500, 1.3, 2, 0.6,
              ("石牌", "大業", "中央", "光明")),
    _District("淡水", _NEW_TAIPEI, "Beitou", 25.168, 121.445, 1.3, 1, 0.5,
              ("中正", "英專", "民權")),
)  # fmt: skip

_POINT_WINDOWS: tuple[tuple[Window, ...], ...] = (
    (("09:00", "12:00"),),
    (("10:00", "13:00"), ("15:00", "19:00")),
    (("08:30", "11:30"),),
    (("13:00", "17:00"),),
    (("09:30", "12:30"), ("16:00", "20:00")),
    (("14:00", "18:00"),),
)
_LATE_POINT_WINDOWS = tuple(w for w in _POINT_WINDOWS if w[-1][1] >= "18:00")

_PLATFORMS = (("line", "LINE", 5, 0.5), ("web", "WEB", 4, 0.25), ("app", "APP", 4, 0.25))
_SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊"
_GIVEN = "淑芬美玲志明俊傑雅婷怡君家豪宗翰佩君建宏麗華秀英冠宇詩涵承恩欣怡明哲惠如柏翰玉珍"

_DEPOTS: tuple[Json, ...] = (
    {"id": "DC-N", "name": "內湖物流中心", "location": {"lat": 25.078, "lon": 121.575},
     "open": "06:00", "close": "22:00", "loading_minutes": 20},
    {"id": "DC-S", "name": "土城物流中心", "location": {"lat": 25.000, "lon": 121.450},
     "open": "06:00", "close": "22:00", "loading_minutes": 20},
)  # fmt: skip

COLD_LIMITS = {"chilled": 240, "frozen": 180}
"""Minutes chilled and frozen goods may ride in the demo's refrigerated vehicles."""
VEHICLE_KINDS: Mapping[str, Json] = {
    "ambient-van": {
        "capacity": {"weight_kg": 800, "volume_l": 6000},
        "cost": {"fixed": 1200, "per_km": 8, "per_hour": 250},
        "speed_factor": 1.05,
    },
    "reefer-van": {
        "capacity": {"weight_kg": 650, "volume_l": 4500, "chilled_l": 2400, "frozen_l": 1200},
        "max_cold_minutes": COLD_LIMITS,
        "cost": {"fixed": 1700, "per_km": 10, "per_hour": 300},
        "speed_factor": 1.0,
    },
    "truck": {
        "capacity": {"weight_kg": 1500, "volume_l": 10000, "chilled_l": 4000, "frozen_l": 2000},
        "max_cold_minutes": COLD_LIMITS,
        "cost": {"fixed": 2200, "per_km": 12, "per_hour": 350},
        "speed_factor": 0.9,
    },
}
# (id, kind, depot, count, shift start, shift end): 12 vehicles, 9 of them refrigerated.
_FLEET = (
    ("N-VAN", "ambient-van", "DC-N", 2, "10:00", "22:00"),
    ("N-REEFER", "reefer-van", "DC-N", 3, "07:00", "19:00"),
    ("N-REEFER-PM", "reefer-van", "DC-N", 1, "11:00", "22:00"),
    ("N-TRUCK", "truck", "DC-N", 1, "07:00", "19:00"),
    ("S-VAN", "ambient-van", "DC-S", 1, "09:00", "21:00"),
    ("S-REEFER", "reefer-van", "DC-S", 2, "08:00", "20:00"),
    ("S-REEFER-PM", "reefer-van", "DC-S", 1, "11:00", "22:00"),
    ("S-TRUCK", "truck", "DC-S", 1, "07:00", "19:00"),
)

_CARRIERS: tuple[Json, ...] = (
    {
        "id": "CAT", "name": "黑喵宅急便", "regions": ["*"],
        "handles": {"temperatures": ["ambient", "chilled", "frozen"], "fragile": True,
                    "bulky": True},
        "price": {"per_order": 95, "per_kg": 4, "cold_surcharge_per_order": 60,
                  "min_charge_per_region": 0},
        "handover_by": "10:00", "delivers_by": "18:00", "on_time_rate": 0.96, "max_orders": 800,
    },
    {
        "id": "HCT", "name": "新竹快遞", "regions": ["Beitou", "Xindian", "Sanchong", "Banqiao"],
        "handles": {"temperatures": ["ambient"], "fragile": False, "bulky": True},
        "price": {"per_order": 70, "per_kg": 3, "cold_surcharge_per_order": 0,
                  "min_charge_per_region": 600},
        "handover_by": "11:00", "delivers_by": "18:00", "on_time_rate": 0.93, "max_orders": 500,
    },
    {
        "id": "POST", "name": "郵局包裹", "regions": ["*"],
        "handles": {"temperatures": ["ambient", "chilled"], "fragile": False, "bulky": False},
        "price": {"per_order": 65, "per_kg": 2, "cold_surcharge_per_order": 45,
                  "min_charge_per_region": 0},
        "handover_by": "09:30", "delivers_by": "17:00", "on_time_rate": 0.9, "max_orders": 400,
    },
)  # fmt: skip

TIMEZONE = "Asia/Taipei"
_PICKUP_SHARE = 0.75
_BUSY_SIGMA = 0.8
_TWIN_SHARE = 0.03


def demo_day(now: datetime | None = None) -> str:
    """Today in the demo's time zone (ISO date), so a new user's driver links are live."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(TIMEZONE)).date().isoformat()


def demo_request(
    seed: int = 7,
    *,
    orders: int = 600,
    date: str | None = None,
    carriers_enabled: bool = True,
) -> Json:
    """A realistic one-day request: 2 depots, 12 vehicles, 60 pickup points, ``orders`` orders.

    The day is ``date`` (ISO), today in Taipei by default.
    """
    if orders < 0:
        raise ValueError(f"orders must be >= 0, got {orders}")
    rng = np.random.default_rng(seed)
    points = _pickup_points(rng)
    return {
        "date": date or demo_day(),
        "timezone": TIMEZONE,
        "travel": {"metric": "haversine", "speed_kmh": 28, "circuity": 1.3},
        "depots": copy.deepcopy(list(_DEPOTS)),
        "vehicles": _vehicles(),
        "orders": _orders(rng, orders, points),
        "pickup_points": points,
        "regions": demo_regions(),
        "carriers": copy.deepcopy(list(_CARRIERS)) if carriers_enabled else [],
        "policy": {
            "unserved_penalty": 5000,
            "late_penalty_per_minute": 0,
            "carrier_late_penalty_per_order": 200,
            "outsourcing": "region" if carriers_enabled else "none",
        },
        "options": {"time_limit_s": 30, "seed": 0},
    }


def write_demo(path: str | Path, **kw: Any) -> Path:
    """Write ``demo_request(**kw)`` as UTF-8 JSON to ``path``, returning the path."""
    out = Path(path)
    out.write_text(json.dumps(demo_request(**kw), ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def example_path(name: str = "small") -> Path:
    """Path of a bundled example request, ``scenarios/examples/<name>.json``."""
    return Path(__file__).with_name("examples") / f"{name}.json"


def demo_regions() -> Json:
    """The demo's district polygons as a GeoJSON FeatureCollection (lon/lat, non-overlapping)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": rid, "name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
                },
            }
            for rid, name, (x0, y0, x1, y1) in _REGIONS
        ],
    }


def _vehicles() -> list[Json]:
    vehicles = []
    for vid, kind, depot, count, start, end in _FLEET:
        vehicles.append(
            {
                "id": vid,
                "kind": kind,
                "depot": depot,
                "count": count,
                "shift": {"start": start, "end": end},
                **copy.deepcopy(VEHICLE_KINDS[kind]),
            }
        )
    return vehicles


def _pickup_points(rng: np.random.Generator) -> list[Json]:
    """Sixty pickup points clustered by district; far ones receive in the afternoon too."""
    points: list[Json] = []
    for district in _DISTRICTS:
        roads = rng.choice(len(district.roads), size=district.points, replace=False)
        choices = _LATE_POINT_WINDOWS if district.region in _FAR_REGIONS else _POINT_WINDOWS
        for road_idx in roads.tolist():
            road = district.roads[road_idx]
            windows = choices[int(rng.integers(len(choices)))]
            lat, lon = _near(rng, district, district.spread_km)
            points.append(
                {
                    "id": f"PP-{len(points) + 1:03d}",
                    "name": f"{district.name}{road[:2]}團購站",
                    "location": {"lat": lat, "lon": lon},
                    "time_windows": _windows(windows),
                    "service_minutes": int(rng.integers(5, 11)),
                    "contact": _person(rng),
                    "phone": _phone(rng),
                    "address": _address(rng, district, road),
                }
            )
    return points


def _orders(rng: np.random.Generator, count: int, points: list[Json]) -> list[Json]:
    """Pickup-point orders (skewed towards busy points) and home deliveries, shuffled."""
    n_pickup = round(_PICKUP_SHARE * count)
    busy = rng.lognormal(0.0, _BUSY_SIGMA, size=len(points))
    chosen = rng.choice(len(points), size=n_pickup, p=busy / busy.sum())
    orders = [_pickup_order(rng, points[k]) for k in chosen.tolist()]

    homes = np.array([d.homes for d in _DISTRICTS])
    districts = rng.choice(len(_DISTRICTS), size=count - n_pickup, p=homes / homes.sum())
    home_orders = [_home_order(rng, _DISTRICTS[k]) for k in districts.tolist()]
    twins = round(_TWIN_SHARE * len(home_orders)) if len(home_orders) >= 4 else 0
    for k in rng.choice(len(home_orders), size=2 * twins, replace=False).reshape(-1, 2):
        first, second = home_orders[k[0]], home_orders[k[1]]
        for key in ("location", "address", "time_windows"):
            second[key] = copy.deepcopy(first[key])
    orders += home_orders

    ids = _order_ids(rng, len(orders))
    profiles = _basket_profiles(rng, len(orders))
    for order, (oid, platform), profile in zip(orders, ids, profiles, strict=True):
        order["id"], order["platform"] = oid, platform
        order["items"] = _items(rng, profile)
    order_by = rng.permutation(len(orders))
    return [_ordered_keys(orders[k]) for k in order_by.tolist()]


def _pickup_order(rng: np.random.Generator, point: Json) -> Json:
    return {
        "pickup_point": point["id"],
        "location": dict(point["location"]),
        "time_windows": [dict(w) for w in point["time_windows"]],
        "service_minutes": int(rng.choice((1, 2), p=(0.7, 0.3))),
        "customer": _person(rng),
    }


def _home_order(rng: np.random.Generator, district: _District) -> Json:
    hours = int(rng.integers(2, 5))
    earliest = 18 - hours if district.region in _FAR_REGIONS else 9
    start = int(rng.integers(earliest, 21 - hours + 1))
    lat, lon = _near(rng, district, district.spread_km * 0.8)
    road = district.roads[int(rng.integers(len(district.roads)))]
    return {
        "location": {"lat": lat, "lon": lon},
        "address": f"{_address(rng, district, road)}{int(rng.integers(2, 16))}樓",
        "time_windows": _windows(((f"{start:02d}:00", f"{start + hours:02d}:00"),)),
        "service_minutes": int(rng.integers(2, 5)),
        "customer": _person(rng),
    }


def _basket_profiles(rng: np.random.Generator, count: int) -> list[tuple[float, ...]]:
    """Temperature mix of each order's basket, the profiles in their exact shares."""
    sizes = np.floor(np.array([p[0] for p in _PROFILES]) * count).astype(int)
    sizes[0] += count - sizes.sum()
    kinds = rng.permutation(np.repeat(np.arange(len(_PROFILES)), sizes))
    return [_PROFILES[k][1] for k in kinds.tolist()]


def _items(rng: np.random.Generator, profile: tuple[float, ...]) -> list[Json]:
    """Item lines of one order: distinct SKUs per temperature class, drawn by popularity."""
    lines = int(rng.choice(_LINES[0], p=_LINES[1]))
    per_class = rng.multinomial(lines, profile)
    items = []
    for temperature, n in zip(_TEMPERATURES, per_class.tolist(), strict=True):
        if n == 0:
            continue
        skus = [s for s in _CATALOGUE if s.temperature == temperature]
        weights = np.array([s.popularity for s in skus])
        picked = rng.choice(
            len(skus), size=min(n, len(skus)), replace=False, p=weights / weights.sum()
        )
        for k in picked.tolist():
            s = skus[k]
            items.append(
                {
                    "sku": s.sku,
                    "name": s.name,
                    "qty": int(rng.choice(_QTY[0], p=_QTY[1])),
                    "weight_kg": s.weight_kg,
                    "volume_l": s.volume_l,
                    "temperature": s.temperature,
                    "fragile": s.fragile,
                    "bulky": s.bulky,
                }
            )
    return items


def _order_ids(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    """Unique platform order ids (LINE-xxxxx, WEB-xxxx, APP-xxxx), increasing per platform."""
    shares = np.array([p[3] for p in _PLATFORMS])
    platforms = rng.choice(len(_PLATFORMS), size=count, p=shares)
    nxt = [int(rng.integers(10 ** (d - 1), 6 * 10 ** (d - 1))) for _, _, d, _ in _PLATFORMS]
    ids = []
    for k in platforms.tolist():
        platform, prefix, digits, _ = _PLATFORMS[k]
        ids.append((f"{prefix}-{nxt[k]:0{digits}d}", platform))
        nxt[k] += int(rng.integers(1, 4))
    return ids


def _near(rng: np.random.Generator, district: _District, spread_km: float) -> tuple[float, float]:
    """A point scattered around a district centre, kept inside its region."""
    dy, dx = rng.normal(0.0, spread_km, size=2)
    lat = district.lat + dy / 111.0
    lon = district.lon + dx / (111.0 * math.cos(math.radians(district.lat)))
    x0, y0, x1, y1 = next(b for rid, _, b in _REGIONS if rid == district.region)
    lat = min(max(lat, y0 + _REGION_MARGIN), y1 - _REGION_MARGIN)
    lon = min(max(lon, x0 + _REGION_MARGIN), x1 - _REGION_MARGIN)
    return round(lat, 6), round(lon, 6)


def _windows(windows: tuple[Window, ...]) -> list[Json]:
    return [{"start": start, "end": end} for start, end in windows]


def _person(rng: np.random.Generator) -> str:
    given = 2 * int(rng.integers(len(_GIVEN) // 2))
    return _SURNAMES[int(rng.integers(len(_SURNAMES)))] + _GIVEN[given : given + 2]


def _phone(rng: np.random.Generator) -> str:
    a, b, c = rng.integers(10, 100), rng.integers(0, 1000), rng.integers(0, 1000)
    return f"09{a:02d}-{b:03d}-{c:03d}"


def _address(rng: np.random.Generator, district: _District, road: str) -> str:
    return f"{district.city}{district.name}區{road}路{int(rng.integers(1, 400))}號"


def _ordered_keys(order: Json) -> Json:
    """Put id and platform first, for readable JSON."""
    return {"id": order.pop("id"), "platform": order.pop("platform"), **order}
