"""``bthd med`` writes a run folder of montée en débit operations and refuses bad options."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from bthd.cli import app

runner = CliRunner()
EPCI = "200069391"  # CA Lamballe Terre et Mer


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("med") / "run"
    res = runner.invoke(
        app, ["med", "--epci", EPCI, "--operations", "6", "--nra-zo", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    return out, res.output


def test_run_folder(run_dir):
    out, output = run_dir
    assert "Mégalis 2015 report" in output and "bthd model" in output
    assert "Synthetic copper plant" in output and "SYNTHETIC" in output
    tables = {p.name for p in (out / "tables").iterdir()}
    assert tables == {
        "med_candidates.csv",
        "med_selected.csv",
        "med_before_after.csv",
        "med_report_2015.csv",
        "med_sunk_cost.csv",
    }
    man = json.loads((out / "manifest.json").read_text())
    assert man["command"] == "bthd med"
    p = man["parameters"]
    assert p["epci"] == EPCI and p["operations"] == 6 and p["year"] == 2015
    assert p["kinds"] == ["MED", "NRA-ZO"] and p["med_settings"]["operation_cost_eur"] == 128_000
    assert len(man["inputs"]["embedded_bretagne"]["sha256"]) == 64
    assert "premises" in man["synthetic"]["layers"]
    sel = pd.read_csv(out / "tables" / "med_selected.csv")
    assert len(sel) == 6 and not sel["sr_id"].duplicated().any()
    cands = pd.read_csv(out / "tables" / "med_candidates.csv", keep_default_na=False)
    assert {"MED", "NRA-ZO"} == set(cands["kind"])
    assert set(sel["sr_id"]) <= set(cands.loc[cands["eligible"], "sr_id"])
    assert "route_edges" not in cands.columns
    sunk = pd.read_csv(out / "tables" / "med_sunk_cost.csv")
    assert list(sunk["sr_id"]) == list(sel["sr_id"])
    rep = pd.read_csv(out / "tables" / "med_report_2015.csv")
    assert rep.loc[rep["figure"] == "operations", "Mégalis 2015 report"].item() == 174
    assert rep.loc[rep["figure"] == "operations", "bthd model"].item() == 6


def test_layers(run_dir):
    out, _ = run_dir
    layers = dict(pyogrio.list_layers(out / "layers.gpkg"))
    assert layers == {"med_sites": "Point", "med_routes": "MultiLineString"} or layers == {
        "med_sites": "Point",
        "med_routes": "LineString",
    }
    sites = gpd.read_file(out / "layers.gpkg", layer="med_sites")
    routes = gpd.read_file(out / "layers.gpkg", layer="med_routes")
    assert sites.crs.to_epsg() == 2154 and len(sites) == len(routes) == 6
    assert list(routes["sr_id"]) == list(sites["sr_id"])
    # each route ends at its SR
    d = routes.geometry.distance(sites.geometry.set_axis(routes.index))
    assert (d < 1000).all()
    assert (abs(routes.geometry.length - routes["route_m"]) <= 0.01 * routes["route_m"] + 1).all()


def test_existing_out_is_refused(run_dir):
    out, _ = run_dir
    before = (out / "manifest.json").read_text()
    res = runner.invoke(app, ["med", "--epci", EPCI, "--out", str(out)])
    assert res.exit_code == 2
    assert "exists already" in res.output and "--overwrite" in res.output
    assert (out / "manifest.json").read_text() == before


def test_budget_run(tmp_path):
    out = tmp_path / "budget"
    res = runner.invoke(
        app, ["med", "--epci", EPCI, "--budget", "1500000", "--exact", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    sel = pd.read_csv(out / "tables" / "med_selected.csv")
    assert len(sel) > 0 and sel["cost_eur"].sum() <= 1_500_000
    assert set(sel["kind"]) == {"MED"}
    man = json.loads((out / "manifest.json").read_text())
    assert man["med"]["selection"]["method"] == "exact"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "1000000", "--operations", "5"], "not both"),
        (["--budget", "-5"], "--budget"),
        (["--operations", "-1"], "--operations"),
        (["--epci", EPCI, "--region"], "at most one of"),
        (["--epci", "123"], "unknown EPCI"),
        (["--year", "1200"], "--year"),
    ],
)
def test_bad_options_exit_2(tmp_path, args, message):
    out = tmp_path / "never"
    res = runner.invoke(app, ["med", *args, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert not out.exists()


def test_help_lists_the_options():
    res = runner.invoke(app, ["med", "--help"])
    assert res.exit_code == 0
    for opt in (
        "--budget",
        "--operations",
        "--exact",
        "--epci",
        "--departement",
        "--region",
        "--year",
        "--out",
        "--overwrite",
    ):
        assert opt in res.output


def test_real_copper_file_replaces_the_synthetic_plant(tmp_path):
    """--copper: a user's NRA/SR CSV (lon/lat) replaces the plant, recorded; bad codes exit 2."""
    from bthd.region import Region

    r = Region.embedded(epci="200069391")
    plant = r.sites[r.sites["site_type"].isin(["NRA", "SR"])].to_crs(4326)
    csv = tmp_path / "plant.csv"
    pd.DataFrame(
        {
            "site_id": plant["site_id"],
            "site_type": plant["site_type"],
            "tv": plant["tv"],
            "lon": plant.geometry.x,
            "lat": plant.geometry.y,
        }
    ).to_csv(csv, index=False, sep=";")
    res = runner.invoke(
        app,
        [
            "med",
            "--epci",
            "200069391",
            "--operations",
            "3",
            "--copper",
            str(csv),
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert res.exit_code == 0, res.output
    man = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert man["parameters"]["copper_plant"] == str(csv)
    assert len(man["inputs"]["copper_plant"]["sha256"]) == 64
    sel = pd.read_csv(tmp_path / "run" / "tables" / "med_selected.csv")
    assert len(sel) == 3 and set(sel["sr_id"]) <= set(plant["site_id"])
    bad = pd.read_csv(csv, sep=";")
    bad.loc[0, "site_type"] = "DSLAM"
    bad.to_csv(tmp_path / "bad.csv", index=False, sep=";")
    res = runner.invoke(
        app,
        [
            "med",
            "--epci",
            "200069391",
            "--copper",
            str(tmp_path / "bad.csv"),
            "--out",
            str(tmp_path / "run2"),
        ],
    )
    assert res.exit_code == 2 and "DSLAM" in res.output
    assert not (tmp_path / "run2").exists()
