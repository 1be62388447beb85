"""Regions: reading, validation, repair and vectorised point assignment."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo.regions import (
    RegionError,
    RegionSet,
    assign,
    extent,
    locate,
    read_regions,
    regions_from_geojson,
)

Ring = Sequence[Sequence[float]]


def square(x0: float, y0: float, x1: float, y1: float) -> Ring:
    """Counter-clockwise closed ring of an axis-aligned rectangle."""
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def feature(region_id: Any, ring: Ring | None, **properties: Any) -> dict[str, Any]:
    """A polygon Feature with ``properties.id`` (omitted when None)."""
    props = dict(properties)
    if region_id is not None:
        props["id"] = region_id
    geometry = None if ring is None else {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def two_squares() -> RegionSet:
    """A = [0,1]x[0,1] and B = [1,2]x[0,1], sharing the border x = 1."""
    return regions_from_geojson(
        collection(
            feature("A", square(0, 0, 1, 1), name="甲"),
            feature("B", square(1, 0, 2, 1), name="乙"),
        )
    )


def test_points_get_the_region_they_fall_in(two_squares: RegionSet) -> None:
    """Interior points map to their square; far points to the fallback."""
    assert assign(two_squares, [0.5, 1.5, 5.0], [0.5, 0.5, 5.0]) == ["A", "B", "unassigned"]


def test_names_default_to_ids_and_keep_given_names(two_squares: RegionSet) -> None:
    """Names come from ``properties.name``."""
    assert two_squares.ids == ("A", "B")
    assert two_squares.names == ("甲", "乙")
    assert two_squares.warnings == ()
    assert two_squares.bounds == (0.0, 0.0, 2.0, 1.0)


def test_shared_border_goes_to_the_lowest_index(two_squares: RegionSet) -> None:
    """A point on x = 1 belongs to A, the first feature; reversing the features flips it."""
    assert assign(two_squares, [1.0, 1.0], [0.5, 1.0]) == ["A", "A"]
    flipped = regions_from_geojson(
        collection(feature("B", square(1, 0, 2, 1)), feature("A", square(0, 0, 1, 1)))
    )
    assert assign(flipped, [1.0], [0.5]) == ["B"]


def test_outer_border_counts_as_inside(two_squares: RegionSet) -> None:
    """Points on a region's outer edge or corner are covered by it."""
    assert assign(two_squares, [0.0, 2.0, 0.0], [0.5, 1.0, 0.0]) == ["A", "B", "A"]


def test_fallback_for_points_outside_and_not_finite(two_squares: RegionSet) -> None:
    """Outside points and NaN coordinates take the given fallback id."""
    out = assign(two_squares, [-1.0, np.nan, 0.5], [0.5, 0.5, np.nan], fallback="OUT")
    assert out == ["OUT", "OUT", "OUT"]
    assert locate(two_squares, [-1.0, 0.5], [0.5, 0.5]).tolist() == [-1, 0]


def test_no_points_and_no_regions() -> None:
    """Empty inputs give empty answers; no regions means everything falls back."""
    empty = regions_from_geojson(collection())
    assert assign(empty, [0.5], [0.5]) == ["unassigned"]
    assert assign(empty, [], []) == []


def test_mismatched_coordinates_rejected(two_squares: RegionSet) -> None:
    """lons and lats must pair up."""
    with pytest.raises(ValueError, match="one length"):
        assign(two_squares, [0.5, 0.6], [0.5])


def test_feature_level_id_is_used_without_properties() -> None:
    """``Feature.id`` stands in when the properties carry none."""
    doc = collection(
        {
            "type": "Feature",
            "id": "Top",
            "geometry": {"type": "Polygon", "coordinates": [square(0, 0, 1, 1)]},
        }
    )
    assert regions_from_geojson(doc).ids == ("Top",)


def test_numeric_ids_become_strings() -> None:
    """An integer id is kept as its decimal string."""
    regions = regions_from_geojson(collection(feature(7, square(0, 0, 1, 1))))
    assert regions.ids == ("7",)


def test_bow_tie_is_repaired_with_a_warning() -> None:
    """A self-intersecting ring becomes two valid triangles, and the repair is reported."""
    bow_tie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    regions = regions_from_geojson(collection(feature("Bow", bow_tie)))
    geometry = regions.geometries[0]
    assert geometry.is_valid
    assert geometry.area == pytest.approx(0.5)
    assert len(regions.warnings) == 1
    assert regions.warnings[0].startswith("regions.features[0] (id Bow): invalid geometry")
    assert "Self-intersection" in regions.warnings[0]
    assert assign(regions, [0.1, 0.9, 0.5], [0.5, 0.5, 0.9]) == ["Bow", "Bow", "unassigned"]


def test_clockwise_ring_is_oriented_silently() -> None:
    """Exterior rings come out counter-clockwise without a warning."""
    clockwise = square(0, 0, 1, 1)[::-1]
    regions = regions_from_geojson(collection(feature("CW", clockwise)))
    assert regions.warnings == ()
    assert regions.geometries[0].exterior.is_ccw


def test_swapped_coordinates_are_reported() -> None:
    """Taipei written as [lat, lon] has a 'latitude' of 121: reported, not guessed."""
    swapped = [[lat, lon] for lon, lat in square(121.55, 25.02, 121.59, 25.05)]
    with pytest.raises(RegionError) as info:
        regions_from_geojson(collection(feature("Xinyi", swapped)))
    assert info.value.messages == [
        "regions.features[0] (id Xinyi): coordinates look like [lat, lon]; GeoJSON wants [lon, lat]"
    ]


def test_swapped_coordinates_found_against_the_data_extent() -> None:
    """Amsterdam as [lat, lon] is in range, but off the stops' extent until swapped."""
    swapped = [[lat, lon] for lon, lat in square(4.85, 52.33, 4.95, 52.40)]
    with pytest.raises(RegionError, match=r"features\[0\] \(id Centrum\).*\[lat, lon\]"):
        regions_from_geojson(
            collection(feature("Centrum", swapped)), bounds=extent([4.8, 5.0], [52.3, 52.45])
        )


def test_extent_skips_missing_points() -> None:
    """The extent is that of the finite points; none at all is an error."""
    assert extent([1.0, np.nan, 3.0], [2.0, 5.0, -1.0]) == (1.0, -1.0, 3.0, 2.0)
    with pytest.raises(ValueError, match="no finite points"):
        extent([np.nan], [np.nan])


def test_region_off_the_data_extent_warns() -> None:
    """A region nowhere near the data, even swapped, is kept with a warning."""
    regions = regions_from_geojson(
        collection(feature("Far", square(10, 10, 11, 11))), bounds=(121.4, 24.9, 121.7, 25.2)
    )
    assert regions.warnings == (
        "regions.features[0] (id Far): lies entirely outside the extent of the data",
    )


def test_projected_coordinates_are_rejected() -> None:
    """Metres (TWD97) are not degrees."""
    with pytest.raises(RegionError, match="not lon/lat degrees"):
        regions_from_geojson(collection(feature("X", square(300000, 2770000, 301000, 2771000))))


def test_every_problem_is_reported_at_once() -> None:
    """Missing or duplicate ids and empty, missing or line geometries each name the feature."""
    line = {
        "type": "Feature",
        "properties": {"id": "Line"},
        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
    }
    empty = {
        "type": "Feature",
        "properties": {"id": "Empty"},
        "geometry": {"type": "Polygon", "coordinates": []},
    }
    doc = collection(
        feature("A", square(0, 0, 1, 1)),
        feature(None, square(1, 0, 2, 1)),
        feature("A", square(2, 0, 3, 1)),
        line,
        empty,
        feature("NoGeom", None),
    )
    with pytest.raises(RegionError) as info:
        regions_from_geojson(doc)
    assert info.value.messages == [
        "regions.features[1]: missing properties.id",
        "regions.features[2] (id A): duplicate id, also used by features[0]",
        "regions.features[3] (id Line): geometry type LineString is not a Polygon or MultiPolygon",
        "regions.features[4] (id Empty): empty geometry",
        "regions.features[5] (id NoGeom): missing geometry",
    ]
    assert str(info.value).startswith("5 problem(s) in the regions:")


def test_not_a_feature_collection() -> None:
    """A bare geometry is refused with a clear message."""
    with pytest.raises(RegionError, match="expected a GeoJSON FeatureCollection, got 'Polygon'"):
        regions_from_geojson({"type": "Polygon", "coordinates": [square(0, 0, 1, 1)]})


def test_overlapping_regions_warn() -> None:
    """Regions sharing area are kept; the warning says which one wins."""
    regions = regions_from_geojson(
        collection(feature("A", square(0, 0, 2, 2)), feature("B", square(1, 1, 3, 3)))
    )
    assert regions.warnings == (
        "regions.features[0] (id A) overlaps regions.features[1] (id B); points in both go to A",
    )
    assert assign(regions, [1.5], [1.5]) == ["A"]


def test_multipolygon_with_hole() -> None:
    """A MultiPolygon part with a hole leaves the hole unassigned."""
    doc = collection(
        {
            "type": "Feature",
            "properties": {"id": "Ring"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[square(0, 0, 3, 3), square(1, 1, 2, 2)], [square(5, 5, 6, 6)]],
            },
        }
    )
    regions = regions_from_geojson(doc)
    assert assign(regions, [0.5, 1.5, 5.5], [0.5, 1.5, 5.5]) == ["Ring", "unassigned", "Ring"]


def test_geojson_file_round_trip(tmp_path: Path) -> None:
    """Regions written by geopandas as GeoJSON read back with the same ids, names and shapes."""
    frame = gpd.GeoDataFrame(
        {"id": ["Xinyi", "Daan"], "name": ["信義", "大安"]},
        geometry=[box(121.555, 25.0, 121.65, 25.062), box(121.48, 25.015, 121.555, 25.045)],
        crs="EPSG:4326",
    )
    path = tmp_path / "regions.geojson"
    frame.to_file(path, driver="GeoJSON")
    regions = read_regions(path)
    assert regions.ids == ("Xinyi", "Daan")
    assert regions.names == ("信義", "大安")
    assert regions.geometries[0].equals(frame.geometry[0])
    assert assign(regions, [121.57, 121.54, 121.0], [25.03, 25.03, 25.0]) == [
        "Xinyi",
        "Daan",
        "unassigned",
    ]


def test_projected_file_is_reprojected(tmp_path: Path) -> None:
    """A GeoPackage in TWD97 (EPSG:3826) comes back in lon/lat."""
    wgs84 = gpd.GeoDataFrame(
        {"id": ["Xinyi"]}, geometry=[box(121.555, 25.0, 121.65, 25.062)], crs="EPSG:4326"
    )
    path = tmp_path / "regions.gpkg"
    wgs84.to_crs("EPSG:3826").to_file(path, driver="GPKG")
    regions = read_regions(path)
    assert regions.bounds == pytest.approx((121.555, 25.0, 121.65, 25.062), abs=1e-6)
    assert assign(regions, [121.6], [25.03]) == ["Xinyi"]


def brute_force(geometries: list[shapely.Geometry], x: float, y: float, ids: list[str]) -> str:
    """The first region covering the point, by checking every polygon."""
    point = Point(x, y)
    return next((rid for rid, g in zip(ids, geometries, strict=True) if g.covers(point)), "none")


half_steps = st.integers(-20, 20).map(lambda k: k / 2)
breakpoints = st.lists(half_steps, min_size=2, max_size=5, unique=True).map(sorted)


@st.composite
def grids(draw: st.DrawFn) -> tuple[list[str], list[shapely.Geometry], dict[str, Any]]:
    """Non-overlapping rectangles on a random grid, some cells missing, in random order."""
    xs, ys = draw(breakpoints), draw(breakpoints)
    cells = [(x0, y0, x1, y1) for x0, x1 in pairwise(xs) for y0, y1 in pairwise(ys)]
    kept = [
        c
        for c, keep in zip(
            cells,
            draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells))),
            strict=True,
        )
        if keep
    ]
    order = draw(st.permutations(range(len(kept))))
    clockwise = draw(st.booleans())
    ids, geometries, features = [], [], []
    for k in order:
        ring = square(*kept[k])
        ids.append(f"R{k}")
        geometries.append(box(*kept[k]))
        features.append(feature(f"R{k}", ring[::-1] if clockwise else ring))
    return ids, geometries, collection(*features)


@settings(max_examples=150, deadline=None)
@given(
    grid=grids(),
    points=st.lists(
        st.tuples(
            st.one_of(half_steps, st.floats(-11, 11)), st.one_of(half_steps, st.floats(-11, 11))
        ),
        max_size=40,
    ),
)
def test_assign_matches_brute_force(
    grid: tuple[list[str], list[shapely.Geometry], dict[str, Any]],
    points: list[tuple[float, float]],
) -> None:
    """For any grid of rectangles and any points, borders included, assign equals a brute force."""
    ids, geometries, doc = grid
    regions = regions_from_geojson(doc)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    expected = [brute_force(geometries, x, y, ids) for x, y in points]
    assert assign(regions, xs, ys, fallback="none") == expected
