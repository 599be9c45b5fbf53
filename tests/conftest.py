"""Shared fixtures: small in-code layers with an explicit projected CRS, and embedded subsets."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from bthd.region import Region
from tests._export_run import make_small_run

SMALL_EPCI = "200069391"  # CA Lamballe Terre et Mer: 38 communes, 42,395 locaux


@pytest.fixture
def square_communes() -> gpd.GeoDataFrame:
    """Two adjacent 4 km × 4 km communes in Lambert-93 with real-looking attributes."""
    x0, y0 = 280_000.0, 6_830_000.0
    polys = [
        shapely.box(x0, y0, x0 + 4000, y0 + 4000),
        shapely.box(x0 + 4000, y0, x0 + 8000, y0 + 4000),
    ]
    return gpd.GeoDataFrame(
        {
            "insee_code": ["22901", "22902"],
            "name": ["Ker-Uhel", "Lann-Vras"],
            "departement": ["22", "22"],
            "epci_siren": ["299999999", "299999999"],
            "population": [1500, 600],
            "logements": [780, 320],
            "etablissements": [40, 10],
            "locaux": [820, 330],
            "zone_type": ["RIP", "RIP"],
            "centre_x": [x0 + 2000, x0 + 6000],
            "centre_y": [y0 + 2000, y0 + 2000],
        },
        geometry=polys,
        crs="EPSG:2154",
    )


@pytest.fixture(scope="session")
def lamballe() -> Region:
    """The embedded data for one EPCI, with synthetic premises and roads (generated once)."""
    return Region.embedded(epci=SMALL_EPCI)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory):
    """A design run of seven communes (about 2,900 premises), shared read-only by the tests."""
    return make_small_run(tmp_path_factory.mktemp("run") / "small")


@pytest.fixture(scope="session")
def delivery(small_run, tmp_path_factory: pytest.TempPathFactory):
    """The GraceTHD v2.0.1 delivery of :func:`small_run` (read-only)."""
    from bthd.export.gis import export

    out = tmp_path_factory.mktemp("export") / "out"
    export(small_run, ["gracethd"], out, gracethd_versions=["2.0.1"])
    return out / "gracethd-v2.0.1"
