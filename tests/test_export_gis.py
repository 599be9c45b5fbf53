"""GIS exports of a run folder: every file reopens, styles for QGIS, DBF names, reproducible."""

from __future__ import annotations

import csv
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from bthd._errors import OutputExistsError, ParameterError
from bthd.export._run import load_run
from bthd.export.gis import dbf_names, export, export_layers, reproducible_gpkg_env
from tests._export_run import BRITTANY, tree_hashes


@pytest.fixture(scope="module")
def exported(small_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    export(small_run, ["gpkg", "geojson", "parquet", "shp"], out)
    return out


def test_every_layer_reopens_with_its_rows_and_crs(small_run: Path, exported: Path) -> None:
    layers = export_layers(load_run(small_run))
    assert {"nro", "pm", "pbo", "transport_cables", "distribution_cables", "zpbo"} <= set(layers)
    gpkg_layers = {n for n, _ in pyogrio.list_layers(exported / "bthd.gpkg")}
    assert set(layers) | {"layer_styles"} == gpkg_layers
    for name, (gdf, _) in layers.items():
        for path, crs in (
            (exported / "geojson" / f"{name}.geojson", "EPSG:4326"),
            (exported / "shp" / f"{name}.shp", "EPSG:2154"),
        ):
            info = pyogrio.read_info(path)
            assert info["features"] == len(gdf), path
            assert info["crs"] == crs, path
        info = pyogrio.read_info(exported / "bthd.gpkg", layer=name)
        assert (info["features"], info["crs"]) == (len(gdf), "EPSG:2154")
        back = gpd.read_parquet(exported / "parquet" / f"{name}.parquet")
        assert len(back) == len(gdf) and back.crs.to_epsg() == 2154
        assert (exported / "shp" / f"{name}.cpg").read_text() == "UTF-8"
    # the split is a partition: every site, link and zone is in exactly one exported layer
    run = load_run(small_run)
    assert sum(len(layers[n][0]) for n in ("nro", "pm", "pbo", "pop", "nra", "sr")) == len(
        run.layer("sites")
    )
    assert len(layers["zpbo"][0]) + len(layers["zpm"][0]) + len(layers["znro"][0]) == len(
        run.layer("zones")
    )


def test_geojson_is_wgs84_in_brittany(exported: Path) -> None:
    for name in ("pbo", "distribution_cables", "zpm"):
        path = exported / "geojson" / f"{name}.geojson"
        text = path.read_text(encoding="utf-8")
        assert '"crs"' not in text  # RFC 7946: no crs member, WGS 84 implied
        gdf = pyogrio.read_dataframe(path)
        xy = shapely.get_coordinates(gdf.geometry.to_numpy())
        lon0, lat0, lon1, lat1 = BRITTANY
        assert ((xy[:, 0] > lon0) & (xy[:, 0] < lon1)).all()
        assert ((xy[:, 1] > lat0) & (xy[:, 1] < lat1)).all()
        # rounded to 7 decimals (about 1 cm): no more digits than that in the file
        assert np.allclose(xy, np.round(xy, 7), atol=0, rtol=0)


def test_geopackage_carries_qgis_styles(exported: Path) -> None:
    con = sqlite3.connect(exported / "bthd.gpkg")
    try:
        rows = con.execute(
            "SELECT f_table_name, styleQML, styleSLD, useAsDefault FROM layer_styles"
        ).fetchall()
        kind = con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    finally:
        con.close()
    assert kind == ("attributes",)
    styled = {r[0]: r for r in rows}
    assert {
        "nro",
        "pm",
        "pbo",
        "transport_cables",
        "distribution_cables",
        "znro",
        "zpm",
        "zpbo",
    } <= set(styled)
    for name, (_, qml, sld, default) in styled.items():
        assert default == 1
        root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
        renderer = root.find("renderer-v2")
        assert renderer is not None, name
        ET.fromstring(sld.split("\n", 1)[1])
    cables = ET.fromstring(styled["distribution_cables"][1].split("\n", 1)[1]).find("renderer-v2")
    assert cables is not None and cables.get("attr") == "cable_size"
    sizes = {int(v) for c in cables.iter("category") if (v := c.get("value"))}  # "": others
    dist = pyogrio.read_dataframe(exported / "bthd.gpkg", layer="distribution_cables")
    assert set(dist["cable_size"]) <= sizes  # every cable drawn by a category of its size


def test_dbf_names_are_short_unique_and_written(small_run: Path, exported: Path) -> None:
    with (exported / "shp" / "fields.csv").open(encoding="utf-8") as f:
        mapping = list(csv.DictReader(f))
    layers = export_layers(load_run(small_run))
    for name, (gdf, _) in layers.items():
        rows = [r for r in mapping if r["layer"] == name]
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        assert [r["column"] for r in rows] == cols  # every column, in order
        dbf = [r["dbf_name"] for r in rows]
        assert all(len(d) <= 10 for d in dbf)
        assert len({d.lower() for d in dbf}) == len(dbf)
        assert list(pyogrio.read_info(exported / "shp" / f"{name}.shp")["fields"]) == dbf
    premises = {r["column"]: r["dbf_name"] for r in mapping if r["layer"] == "premises"}
    assert premises["raccordement_long"] == "racc_long"  # from the written table


def test_dbf_names_of_unknown_long_columns_do_not_clash() -> None:
    cols = ["population_x_long", "population_x_longer", "population", "a_very_long_name"]
    names = dbf_names(cols)
    assert set(names) == set(cols)
    assert all(len(v) <= 10 for v in names.values())
    assert len({v.lower() for v in names.values()}) == len(cols)
    assert names["population"] == "population"


def test_two_exports_of_a_run_are_byte_identical(
    small_run: Path, exported: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    export(small_run, ["gpkg", "geojson", "parquet", "shp"], again)
    assert tree_hashes(again) == tree_hashes(exported)
    con = sqlite3.connect(exported / "bthd.gpkg")
    try:
        stamps = {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}
    finally:
        con.close()
    created = load_run(small_run).created[:19]
    assert stamps == {f"{created}.000Z"}  # the run's date, not the time of the export
    dbf = (exported / "shp" / "pbo.dbf").read_bytes()
    assert (1900 + dbf[1], dbf[2], dbf[3]) == tuple(int(x) for x in created[:10].split("-"))


def test_reproducible_gpkg_env_fixes_the_stamp_and_restores(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(300_000, 6_800_000)], crs=2154)
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    paths = []
    for i in range(2):
        p = tmp_path / f"t{i}.gpkg"
        with reproducible_gpkg_env("2024-05-01T10:00:00Z") as stamp:
            pyogrio.write_dataframe(gdf, p, layer="t", driver="GPKG")
        paths.append(p)
    assert stamp == "2024-05-01T10:00:00.000Z"
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") == before


def test_refuses_a_non_empty_output_and_unknown_formats(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="busy"):
        export(small_run, ["geojson"], out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with pytest.raises(ParameterError, match=r"'kml'.*gpkg"):
        export(small_run, ["kml"], tmp_path / "new")
    assert not (tmp_path / "new").exists()
    export(small_run, ["parquet"], out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "parquet"]
    empty = tmp_path / "empty"
    empty.mkdir()
    export(small_run, ["parquet"], empty)  # an empty folder is fine
    assert (empty / "parquet" / "pbo.parquet").exists()


def test_run_layers_written_in_the_env_are_byte_identical(small_run: Path, tmp_path: Path) -> None:
    from bthd.io import write_layers

    run = load_run(small_run)
    layers = {n: run.layer(n) for n in ("pm", "zones", "links") if run.has_layer(n)}
    for i in range(2):
        with reproducible_gpkg_env(run.created):
            write_layers(layers, tmp_path / f"layers{i}.gpkg")
    assert (tmp_path / "layers0.gpkg").read_bytes() == (tmp_path / "layers1.gpkg").read_bytes()


def test_readme_labels_synthetic_layers(exported: Path) -> None:
    text = (exported / "README.txt").read_text(encoding="utf-8")
    premises = next(line for line in text.splitlines() if line.strip().startswith("premises:"))
    assert "SYNTHETIC" in premises
    con = sqlite3.connect(exported / "bthd.gpkg")
    try:
        (desc,) = con.execute(
            "SELECT description FROM gpkg_contents WHERE table_name = 'premises'"
        ).fetchone()
    finally:
        con.close()
    assert "SYNTHETIC" in desc  # QGIS shows it in the layer's properties
