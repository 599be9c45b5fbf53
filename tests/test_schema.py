"""Validation collects every problem of a layer at once, with the rows and the fix."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from bthd import ValidationError
from bthd.schema import LAYERS, validate


def _premises(**over):
    d = {
        "premise_id": ["a", "b", "c"],
        "insee_code": ["22001", "22001", "22002"],
        "logements": [1, 4, 0],
        "locaux_pro": [0, 0, 1],
        "kind": ["residential", "residential", "business"],
        "synthetic": [False, False, False],
    }
    d.update(over)
    geom = d.pop("geometry", [shapely.Point(280_000 + i, 6_830_000) for i in range(3)])
    return gpd.GeoDataFrame(d, geometry=geom, crs="EPSG:2154")


def test_valid_layer_passes_and_is_a_copy():
    g = _premises()
    out = validate(g, "premises")
    assert out is not g and len(out) == 3 and out.crs.to_epsg() == 2154


def test_every_problem_is_listed_at_once():
    g = _premises(
        premise_id=["a", "a", "c"],
        kind=["residential", "villa", "business"],
        logements=[1, -2, 0],
        geometry=[shapely.Point(0, 0), None, shapely.Polygon()],
    )
    g = g.drop(columns="insee_code").set_crs(None, allow_override=True)
    with pytest.raises(ValidationError) as e:
        validate(g, "premises", source="locaux.gpkg")
    msg = str(e.value)
    assert msg.startswith("locaux.gpkg:")
    for expected in (
        "missing required column `insee_code`",
        "duplicated premise_id values a",
        "unknown codes in `kind`: villa",
        "below 0",
        "no CRS",
        "rows without geometry",
        "empty geometries",
    ):
        assert expected in msg, expected
    assert len(e.value.problems) == 7


def test_wgs84_is_reprojected_not_an_error():
    g = _premises().to_crs("EPSG:4326")
    out = validate(g, "premises")
    assert out.crs.to_epsg() == 2154
    assert out.geometry.x.iloc[0] == pytest.approx(280_000, abs=0.01)


def test_invalid_polygon_reported_then_repaired_with_a_warning(square_communes):
    bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    g = square_communes.copy()
    g.loc[0, "geometry"] = shapely.affinity.translate(
        shapely.affinity.scale(bow, 100, 100), 280_000, 6_830_000
    )
    with pytest.raises(
        ValidationError, match=r"invalid geometries.*Self-intersection.*insee_code=22901"
    ):
        validate(g, "communes")
    with pytest.warns(UserWarning, match="repaired 1 invalid geometry"):
        out = validate(g, "communes", repair=True)
    assert out.geometry.is_valid.all() and out.geom_type.iloc[0] in ("Polygon", "MultiPolygon")


def test_wrong_geometry_type_and_codes_as_integers(square_communes):
    g = square_communes.copy()
    g["insee_code"] = [22901, 22902]  # read from a Shapefile as numbers: accepted as text
    out = validate(g, "communes")
    assert out["insee_code"].tolist() == ["22901", "22902"]
    g = g.set_geometry(g.centroid)
    with pytest.raises(
        ValidationError, match="wrong geometry type Point; the communes layer takes"
    ):
        validate(g, "communes")


def test_fractional_and_text_numbers_are_wrong_dtypes():
    g = _premises(logements=[1.5, 2, 3], locaux_pro=["x", "0", "1"])
    with pytest.raises(ValidationError) as e:
        validate(g, "premises")
    assert "`logements` has fractional values" in str(e.value)
    assert "`locaux_pro` is" in str(e.value) and "non-numeric" in str(e.value)


def test_empty_layer_and_unknown_kind():
    with pytest.raises(ValidationError, match="empty"):
        validate(_premises().iloc[0:0], "premises")
    with pytest.raises(ValueError, match="unknown layer kind 'parcels'"):
        validate(_premises(), "parcels")


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_every_layer_names_an_id_or_geometry(kind):
    spec = LAYERS[kind]
    assert spec.geometry_types
    if spec.id_column:
        assert spec.id_column in spec.column_names
