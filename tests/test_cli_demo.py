"""``bthd demo`` writes a complete, reproducible run folder and refuses to overwrite one."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from bthd.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    res = runner.invoke(app, ["demo", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out, res.output


def test_run_folder_contents(run_dir):
    out, output = run_dir
    assert "SYNTHETIC" in output and "42 395" in output
    layers = dict(pyogrio.list_layers(out / "layers.gpkg"))
    assert layers == {
        "communes": "MultiPolygon",
        "epci": "MultiPolygon",
        "departements": "MultiPolygon",
        "premises": "Point",
        "sites": "Point",
        "roads": "LineString",
        "road_nodes": "Point",
        "backbone": "LineString",
        "links": "LineString",
        "zones": "MultiPolygon",
        "zdep": "MultiPolygon",
    }
    man = json.loads((out / "manifest.json").read_text())
    assert man["command"] == "bthd demo"
    assert man["parameters"]["epci"] == "200069391" and man["parameters"]["seed"] == 2154
    assert len(man["inputs"]["embedded_bretagne"]["sha256"]) == 64
    assert {"bthd", "geopandas", "GDAL"} <= set(man["versions"])
    assert "premises" in man["synthetic"]["layers"]
    assert "Arcep" in (out / "SOURCES.txt").read_text()


def test_design_outputs(run_dir):
    out, output = run_dir
    assert "Cost per prise" in output and "BTHD phase 1" in output
    sites = gpd.read_file(out / "layers.gpkg", layer="sites")
    assert {"POP", "NRA", "SR", "NRO", "PM", "PBO"} <= set(sites["site_type"])
    links = gpd.read_file(out / "layers.gpkg", layer="links")
    assert set(links["link_type"]) == {"TR", "DI"}
    backbone = gpd.read_file(out / "layers.gpkg", layer="backbone")
    collecte = backbone[backbone["role"] == "collecte"]
    assert set(collecte["from_site"]) == set(sites.loc[sites["site_type"] == "NRO", "site_id"])
    bom = pd.read_csv(out / "tables/design_bom.csv")
    assert bom.loc[bom["item"] != "total", "cost_eur"].sum() == pytest.approx(
        bom.loc[bom["item"] == "total", "cost_eur"].iloc[0], abs=0.05
    )
    prem = gpd.read_file(out / "layers.gpkg", layer="premises")
    assert prem["pbo_id"].notna().all()
    surv = pd.read_csv(out / "tables/backbone_survivability.csv")
    loop = surv[surv["element_type"] == "backbone_link"]
    assert (loop["locaux_lost"] == 0).all()  # a single cut of the loop loses nothing


def test_zones_partition_the_premises(run_dir):
    out, _ = run_dir
    zones = gpd.read_file(out / "layers.gpkg", layer="zones")
    prem = gpd.read_file(out / "layers.gpkg", layer="premises")
    for kind, col in (("ZNRO", "nro_id"), ("ZPM", "pm_id"), ("ZPBO", "pbo_id")):
        z = zones[zones["zone_kind"] == kind]
        assert set(z["zone_id"]) == set(prem[col])
        # every premise in exactly one zone of the kind, its own
        hits = gpd.sjoin(
            prem[[col, "geometry"]], z[["zone_id", "geometry"]], predicate="intersects"
        )
        own = hits[hits[col] == hits["zone_id"]]
        assert own.index.nunique() == len(prem), kind
        inside = gpd.sjoin(prem[[col, "geometry"]], z[["zone_id", "geometry"]], predicate="within")
        assert inside.index.value_counts().max() == 1, kind  # never inside two zones


def test_tables_add_up_and_agree_with_layers(run_dir):
    out, _ = run_dir
    com = pd.read_csv(out / "tables/locaux_by_commune.csv", dtype={"insee_code": str})
    zone = pd.read_csv(out / "tables/locaux_by_zone_type.csv")
    epci = pd.read_csv(out / "tables/locaux_by_epci.csv", dtype={"epci_siren": str})
    assert com["locaux"].sum() == zone["locaux"].sum() == epci["locaux"].sum() == 42_395
    assert (com["locaux"] == com["logements"] + com["etablissements"]).all()
    # every generated local is in the premises layer
    prem = gpd.read_file(out / "layers.gpkg", layer="premises")
    assert int((prem["logements"] + prem["locaux_pro"]).sum()) == com["locaux_synthetic"].sum()
    assert prem["synthetic"].all()
    assert prem.crs.to_epsg() == 2154


def test_same_inputs_same_tables(run_dir, tmp_path):
    out, _ = run_dir
    res = runner.invoke(app, ["demo", "--out", str(tmp_path / "again")])
    assert res.exit_code == 0, res.output
    for f in sorted((out / "tables").glob("*.csv")):
        assert f.read_bytes() == (tmp_path / "again" / "tables" / f.name).read_bytes(), f.name


def test_existing_output_is_refused_and_untouched(run_dir):
    out, _ = run_dir
    before = (out / "manifest.json").read_bytes()
    res = runner.invoke(app, ["demo", "--out", str(out)])
    assert res.exit_code == 2
    assert "exists already" in res.output and "--overwrite" in res.output
    assert (out / "manifest.json").read_bytes() == before


def test_overwrite_replaces(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "old.txt").write_text("old")
    res = runner.invoke(app, ["demo", "--out", str(out), "--overwrite"])
    assert res.exit_code == 0, res.output
    assert not (out / "old.txt").exists() and (out / "manifest.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_bad_options(tmp_path):
    res = runner.invoke(app, ["demo", "--out", str(tmp_path / "x"), "--epci", "123456789"])
    assert res.exit_code == 2 and "unknown EPCI '123456789'" in res.output
    assert not (tmp_path / "x").exists()
    res = runner.invoke(
        app, ["demo", "--out", str(tmp_path / "y"), "--epci", "200069391", "--departement", "22"]
    )
    assert res.exit_code != 0 and "at most one" in res.output
    res = runner.invoke(app, ["demo", "--help"])
    assert res.exit_code == 0 and "--region" in res.output


def test_design_of_a_departement_within_epci(tmp_path):
    """A whole département designed with PM zones kept within each EPCI."""
    out = tmp_path / "d35"
    res = runner.invoke(
        app, ["design", "--departement", "35", "--within", "epci", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    man = json.loads((out / "manifest.json").read_text())
    assert [s["name"] for s in man["stages"]] == ["load", "design", "costs", "backbone", "write"]
    assert man["parameters"]["stage_options"] == {"design": {"within": "epci", "rounds": 2}}
    prem = pyogrio.read_dataframe(
        out / "layers.gpkg",
        layer="premises",
        columns=["insee_code", "pm_id", "logements", "locaux_pro"],
        read_geometry=False,
    )
    com = pyogrio.read_dataframe(
        out / "layers.gpkg",
        layer="communes",
        columns=["insee_code", "epci_siren", "departement"],
        read_geometry=False,
    ).set_index("insee_code")
    prem["epci"] = prem["insee_code"].map(com["epci_siren"])
    assert (com.loc[prem["insee_code"].unique(), "departement"] == "35").all()
    served = prem[prem["pm_id"].notna()]
    # PM zones are cut on road nodes grouped by EPCI; a premise by the boundary may hang on a
    # road of the next EPCI (measured: 15 of 242,524), but no zone spans two EPCI otherwise
    major = served.groupby("pm_id")["epci"].agg(lambda s: s.value_counts().index[0])
    across = served["epci"] != served["pm_id"].map(major)
    assert across.sum() <= 1e-4 * len(served)
    free = pd.read_csv(out / "tables/design_cost_by_epci.csv", dtype={"epci_siren": str})
    assert set(free["epci_siren"]) <= set(com["epci_siren"])
    by_dep = pd.read_csv(out / "tables/design_cost_by_departement.csv", dtype={"departement": str})
    assert list(by_dep["departement"]) == ["35"]
    locaux = int((prem["logements"] + prem["locaux_pro"])[prem["pm_id"].notna()].sum())
    assert by_dep["locaux"].sum() == locaux == free["locaux"].sum()


def test_demo_adds_the_map_and_a_site_view(run_dir):
    from bthd.imagery.views import nonblank_share
    from bthd.io.runs import open_run

    out, _ = run_dir
    run = open_run(out)
    assert run.verify() == []
    stages = {s["name"]: s["files"] for s in run.manifest["stages"]}
    assert stages["map"] == ["map.html"] and stages["imagery"] == ["imagery/site_view.png"]
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "L.version" in page or "Leaflet" in page
    assert "<script src=" not in page  # Leaflet inlined: the page works offline
    png = out / "imagery" / "site_view.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert nonblank_share(png) > 0.3  # the imagery fills the frame; margins are white
