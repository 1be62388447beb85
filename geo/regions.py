"""Delivery regions as lon/lat polygons, validated, indexed, and vectorised point assignment.

Regions come from a GeoJSON FeatureCollection (the request's ``regions``) or any file
geopandas reads. Repairable problems (self-intersections, ring orientation) are fixed
and reported as warnings; the rest raise :class:`RegionError` listing every problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

Bounds = tuple[float, float, float, float]
"""``(min_lon, min_lat, max_lon, max_lat)``, the order of shapely's ``bounds``."""

Polygonal: TypeAlias = Polygon | MultiPolygon

_POLYGON_TYPES = ("Polygon", "MultiPolygon")
_OVERLAP_TOLERANCE = 1e-9


class RegionError(ValueError):
    """The regions cannot be used; ``messages`` lists every problem found."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        lines = "\n".join(f"  {m}" for m in self.messages)
        super().__init__(f"{len(self.messages)} problem(s) in the regions:\n{lines}")


@dataclass(frozen=True, slots=True)
class RegionSet:
    """Named, valid, counter-clockwise region polygons in EPSG:4326 with their spatial index.

    ``warnings`` lists what was repaired or looks suspicious while reading them.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    geometries: tuple[Polygonal, ...]
    warnings: tuple[str, ...] = ()
    tree: STRtree = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not len(self.ids) == len(self.names) == len(self.geometries):
            raise ValueError("ids, names and geometries must have the same length")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("region ids must be unique")
        object.__setattr__(self, "tree", STRtree(self.geometries))

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, region_id: str) -> int:
        """Position of a region by id (raises ``ValueError`` when unknown)."""
        return self.ids.index(region_id)

    @property
    def bounds(self) -> Bounds:
        """Bounding box of all regions (NaNs when there are none)."""
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(self.geometries, dtype=object))
        return float(minx), float(miny), float(maxx), float(maxy)


Regions = RegionSet


def extent(lons: npt.ArrayLike, lats: npt.ArrayLike) -> Bounds:
    """Bounding box of the finite points, to pass as ``bounds`` when reading regions."""
    x, y = _coordinates(lons, lats)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        raise ValueError("no finite points to take the extent of")
    x, y = x[finite], y[finite]
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def regions_from_geojson(
    doc: Mapping[str, Any],
    *,
    bounds: Bounds | None = None,
    id_field: str = "id",
    name_field: str = "name",
) -> RegionSet:
    """Validate a GeoJSON FeatureCollection of lon/lat polygons as regions.

    ``bounds``, the extent of the data to be assigned (see :func:`extent`), lets
    regions off that extent be recognised as having lat and lon swapped.
    """
    features = _features(doc)
    errors: list[str] = []
    warnings: list[str] = []
    ids: list[str] = []
    names: list[str] = []
    geometries: list[Polygonal] = []
    first_use: dict[str, int] = {}
    for i, feature in enumerate(features):
        where = f"regions.features[{i}]"
        if not isinstance(feature, Mapping):
            errors.append(f"{where}: is not a GeoJSON Feature object")
            continue
        properties = feature.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        region_id, problem = _region_id(properties.get(id_field, feature.get("id")), id_field)
        if region_id is None:
            errors.append(f"{where}: {problem}")
        else:
            where += f" (id {region_id})"
            if region_id in first_use:
                errors.append(
                    f"{where}: duplicate id, also used by features[{first_use[region_id]}]"
                )
            first_use.setdefault(region_id, i)
        geometry = _geometry(feature.get("geometry"), where, bounds, errors, warnings)
        if region_id is not None and geometry is not None:
            ids.append(region_id)
            names.append(str(properties.get(name_field) or region_id))
            geometries.append(geometry)
    if errors:
        raise RegionError(errors)
    warnings += _overlaps(ids, geometries)
    return RegionSet(tuple(ids), tuple(names), tuple(geometries), tuple(warnings))


def read_regions(
    path: str | Path,
    *,
    bounds: Bounds | None = None,
    id_field: str = "id",
    name_field: str = "name",
) -> RegionSet:
    """Read regions from any file geopandas reads, reprojected to EPSG:4326 when it has a CRS."""
    import geopandas as gpd

    frame = gpd.read_file(path)
    if frame.crs is not None and not frame.crs.equals("EPSG:4326", ignore_axis_order=True):
        frame = frame.to_crs("EPSG:4326")
    doc = frame.to_geo_dict(na="null", drop_id=True)
    return regions_from_geojson(doc, bounds=bounds, id_field=id_field, name_field=name_field)


def locate(regions: RegionSet, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Index of the region covering each point, the lowest on shared borders, -1 for none."""
    x, y = _coordinates(lons, lats)
    points = shapely.points(x, y)
    point_idx, region_idx = regions.tree.query(points, predicate="intersects")
    best = np.full(x.shape[0], len(regions), dtype=np.intp)
    np.minimum.at(best, point_idx, region_idx)
    best[best == len(regions)] = -1
    return best


def assign(
    regions: RegionSet,
    lons: npt.ArrayLike,
    lats: npt.ArrayLike,
    fallback: str = "unassigned",
) -> list[str]:
    """Region id of each point (lowest index on shared borders), ``fallback`` outside all."""
    labels = np.asarray([*regions.ids, fallback], dtype=object)
    found = locate(regions, lons, lats)
    return [str(label) for label in labels[np.where(found < 0, len(regions), found)]]


def _coordinates(
    lons: npt.ArrayLike, lats: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x = np.asarray(lons, dtype=np.float64)
    y = np.asarray(lats, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"lons and lats must be 1-D of one length, got {x.shape} and {y.shape}")
    return x, y


def _features(doc: Mapping[str, Any]) -> list[Any]:
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, Mapping) else type(doc).__name__
        raise RegionError([f"regions: expected a GeoJSON FeatureCollection, got {kind!r}"])
    features = doc.get("features")
    if not isinstance(features, list):
        raise RegionError(["regions.features: must be a list of Features"])
    return features


def _region_id(raw: Any, id_field: str) -> tuple[str | None, str]:
    if isinstance(raw, str) and raw.strip():
        return raw.strip(), ""
    if isinstance(raw, Integral) and not isinstance(raw, bool | np.bool_):
        return str(int(raw)), ""
    if raw is None or raw == "":
        return None, f"missing properties.{id_field}"
    return None, f"properties.{id_field} must be a string, got {raw!r}"


def _geometry(
    raw: Any, where: str, bounds: Bounds | None, errors: list[str], warnings: list[str]
) -> Polygonal | None:
    """Parse, check and repair one feature's geometry; record problems, None when unusable."""
    if not isinstance(raw, Mapping) or raw.get("type") is None:
        errors.append(f"{where}: missing geometry")
        return None
    if raw["type"] not in _POLYGON_TYPES:
        errors.append(f"{where}: geometry type {raw['type']} is not a Polygon or MultiPolygon")
        return None
    try:
        geometry = shapely.force_2d(shape(raw))
    except (KeyError, TypeError, ValueError, IndexError, ShapelyError) as exc:
        errors.append(f"{where}: malformed {raw['type']} coordinates ({exc})")
        return None
    if geometry.is_empty:
        errors.append(f"{where}: empty geometry")
        return None
    coords = shapely.get_coordinates(geometry)
    problem = _coordinate_problem(coords, bounds)
    if problem:
        errors.append(f"{where}: {problem}")
        return None
    if bounds is not None and not _overlap(geometry.bounds, bounds):
        warnings.append(f"{where}: lies entirely outside the extent of the data")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        geometry = _polygonal(shapely.make_valid(geometry))
        if geometry.is_empty:
            errors.append(f"{where}: invalid geometry ({reason}) with no area left once repaired")
            return None
        warnings.append(f"{where}: invalid geometry ({reason}) repaired")
    return _oriented(geometry)


def _coordinate_problem(coords: npt.NDArray[np.float64], bounds: Bounds | None) -> str | None:
    x, y = coords[:, 0], coords[:, 1]
    if not np.isfinite(coords).all():
        return "coordinates are not finite numbers"
    swapped = "coordinates look like [lat, lon]; GeoJSON wants [lon, lat]"
    if (np.abs(x) > 180).any() or (np.abs(y) > 90).any():
        if (np.abs(x) <= 90).all() and (np.abs(y) <= 180).all():
            return swapped
        return "coordinates are not lon/lat degrees (projected? reproject to EPSG:4326)"
    if bounds is not None:
        box = (x.min(), y.min(), x.max(), y.max())
        flipped = (y.min(), x.min(), y.max(), x.max())
        if not _overlap(box, bounds) and _overlap(flipped, bounds):
            return f"{swapped} (off the data's extent, inside it once swapped)"
    return None


def _overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _polygonal(geometry: shapely.Geometry) -> Polygonal:
    """The areal part of a repaired geometry (make_valid may add lines and points)."""
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    if len(polygons) == 1:
        return polygons[0]
    return MultiPolygon(polygons)


def _oriented(geometry: Polygonal) -> Polygonal:
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946)."""
    if isinstance(geometry, Polygon):
        return orient(geometry, sign=1.0)
    return MultiPolygon([orient(p, sign=1.0) for p in geometry.geoms])


def _overlaps(ids: Sequence[str], geometries: Sequence[Polygonal]) -> list[str]:
    """Warnings for pairs of regions sharing area, not just a border."""
    if len(geometries) < 2:
        return []
    array = np.asarray(geometries, dtype=object)
    left, right = STRtree(array).query(array, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.area(shapely.intersection(array[left], array[right]))
    smaller = np.minimum(shapely.area(array[left]), shapely.area(array[right]))
    real = shared > _OVERLAP_TOLERANCE * smaller
    return [
        f"regions.features[{i}] (id {ids[i]}) overlaps regions.features[{j}] (id {ids[j]}); "
        f"points in both go to {ids[i]}"
        for i, j in zip(left[real].tolist(), right[real].tolist(), strict=True)
    ]
