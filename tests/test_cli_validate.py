"""``bthd validate``: every bad input gives a clear message, exit code 2, and writes nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from bthd.cli import app
from bthd.io import write

X0, Y0 = 270_000.0, 6_840_000.0


def communes(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "insee_code": [f"22{i:03d}" for i in range(1, n + 1)],
            "name": [f"Commune {i}" for i in range(1, n + 1)],
            "departement": "22",
            "epci_siren": "200069391",
            "population": np.arange(1, n + 1) * 1000,
            "locaux": np.arange(1, n + 1) * 600,
            "zone_type": "RIP",
        },
        geometry=[shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(n)],
        crs="EPSG:2154",
    )


def bowtie() -> shapely.Polygon:
    return shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])


def run(*args: str | Path) -> tuple[int, str, str]:
    """Run ``bthd validate ...``; return the exit code, stdout and stderr (whitespace joined)."""
    result = CliRunner().invoke(app, ["validate", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def listing(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def rejected(folder: Path, *args: str | Path) -> str:
    """Run the command on an input that must be rejected; return its error message."""
    before = listing(folder)
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert err.startswith("error: ")
    assert listing(folder) == before  # nothing written, nothing changed
    return err


def test_a_valid_file_passes(folder: Path) -> None:
    path = folder / "communes.gpkg"
    write(communes(), path, layer="communes")
    code, out, err = run(path, "--kind", "communes")
    assert code == 0, err
    assert f"valid: {path} — 3 communes rows, geometry Polygon, CRS EPSG:2154" in out


def test_a_file_without_crs(folder: Path) -> None:
    path = folder / "communes.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        pyogrio.write_dataframe(communes().set_crs(None, allow_override=True), path)
    err = rejected(folder, path, "--kind", "communes")
    assert str(path) in err and "the layer has no CRS" in err and "Fix:" in err


def test_a_wgs84_file_is_reprojected_not_rejected(folder: Path) -> None:
    path = folder / "communes.geojson"
    write(communes().to_crs("EPSG:4326"), path)
    code, out, err = run(path, "--kind", "communes")
    assert code == 0, err
    assert "CRS EPSG:2154" in out


def test_a_self_intersecting_polygon_is_rejected_then_repaired_with_a_warning(
    folder: Path,
) -> None:
    gdf = communes()
    gdf.loc[2, "geometry"] = bowtie()
    path = folder / "communes.gpkg"
    write(gdf, path, layer="communes")
    err = rejected(folder, path, "--kind", "communes")
    assert "invalid geometries" in err and "insee_code=22003" in err and "--repair" in err

    before = listing(folder)
    code, out, err = run(path, "--kind", "communes", "--repair")
    assert code == 0, err
    assert re.search(r"warning: .*repaired 1 invalid geometry with make_valid", out)
    assert "valid:" in out and "MultiPolygon" in out
    assert listing(folder) == before  # the repair is not written back


def test_an_empty_polygon(folder: Path) -> None:
    gdf = communes()
    gdf.loc[0, "geometry"] = shapely.Polygon()
    path = folder / "communes.parquet"
    write(gdf, path)
    err = rejected(folder, path, "--kind", "communes")
    assert re.search(r"empty geometries \(1 row: (row 1 )?insee_code=22001\)", err)


def test_a_missing_required_column(folder: Path) -> None:
    path = folder / "communes.gpkg"
    write(communes().drop(columns="zone_type"), path, layer="communes")
    err = rejected(folder, path, "--kind", "communes")
    assert "1 problem in the communes layer" in err
    assert "missing required column `zone_type`" in err


def test_duplicated_ids(folder: Path) -> None:
    gdf = communes(4)
    gdf.loc[3, "insee_code"] = "22002"
    path = folder / "communes.geojson"
    write(gdf, path)
    err = rejected(folder, path, "--kind", "communes")
    assert re.search(
        r"duplicated insee_code values 22002 \(2 rows: (row 2 )?insee_code=22002, "
        r"(row 4 )?insee_code=22002\)",
        err,
    )


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_an_empty_file(folder: Path, suffix: str) -> None:
    path = folder / f"communes{suffix}"
    path.touch()
    err = rejected(folder, path, "--kind", "communes")
    assert str(path) in err and "empty (0 bytes)" in err


def test_a_geojson_without_features(folder: Path) -> None:
    path = folder / "communes.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    err = rejected(folder, path, "--kind", "communes")
    assert str(path) in err and "the layer is empty (no rows)" in err


def test_a_truncated_geopackage(folder: Path) -> None:
    path = folder / "communes.gpkg"
    write(communes(50), path, layer="communes")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    err = rejected(folder, path, "--kind", "communes")
    assert str(path) in err and "truncated" in err


def test_a_latin1_csv_with_semicolons(folder: Path) -> None:
    path = folder / "premises.csv"
    path.write_bytes(
        (
            "premise_id;insee_code;commune;logements;locaux_pro;kind;synthetic;x;y\n"
            "A1;22187;Plérin;2;0;residential;0;276540,12;6843210,5\n"
            "A2;22278;Saint-Brieuc;1;1;mixed;0;274000,5;6839000\n"
        ).encode("latin-1")
    )
    code, out, err = run(path, "--kind", "premises")
    assert code == 0, err
    assert "2 premises rows, geometry Point, CRS EPSG:2154" in out


def test_a_csv_in_another_crs_takes_crs(folder: Path) -> None:
    path = folder / "premises.csv"
    path.write_text(
        "premise_id,insee_code,logements,locaux_pro,kind,synthetic,x,y\n"
        "A1,35238,2,0,residential,false,-188000,6125000\n"  # Rennes in Web Mercator metres
    )
    err = rejected(folder, path, "--kind", "premises")
    assert "no CRS" in err
    code, out, err = run(path, "--kind", "premises", "--crs", "EPSG:3857")
    assert code == 0, err
    assert "CRS EPSG:2154" in out


def test_a_path_that_does_not_exist(folder: Path) -> None:
    path = folder / "nowhere.gpkg"
    err = rejected(folder, path, "--kind", "communes")
    assert str(path) in err and "not found" in err


def test_an_unknown_kind(folder: Path) -> None:
    path = folder / "communes.gpkg"
    write(communes(), path, layer="communes")
    code, _, err = run(path, "--kind", "parcels")
    assert code == 2
    assert "unknown kind 'parcels'" in err


def test_a_multi_layer_geopackage_needs_layer(folder: Path) -> None:
    from bthd.io import write_layers

    path = folder / "region.gpkg"
    write_layers({"a": communes(), "b": communes(2)}, path)
    err = rejected(folder, path, "--kind", "communes")
    assert "holds 2 layers (a, b)" in err and "--layer" in err
    code, out, err = run(path, "--kind", "communes", "--layer", "b")
    assert code == 0, err
    assert "2 communes rows" in out
