"""``bthd outage``: readable answers, a CSV on demand, exit code 2 for every bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from bthd.cli import app
from bthd.data import load_backbone, load_pops
from bthd.io.runs import run_folder
from bthd.network.backbone import SURVIVABILITY_COLUMNS, attach_nros

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A run folder: one NRO 3 km from each PoP, one PM per NRO, four premises per PM."""
    pops = load_pops()
    xy = shapely.get_coordinates(pops.geometry.to_numpy()) + np.array([3000.0, 0.0])
    cities = [s[4:] for s in pops["site_id"]]
    nros = gpd.GeoDataFrame(
        {
            "site_id": [f"NRO-{c}" for c in cities],
            "site_type": "NRO",
            "name": [f"NRO {c.title()}" for c in cities],
        },
        geometry=shapely.points(xy),
        crs="EPSG:2154",
    )
    pms = gpd.GeoDataFrame(
        {
            "site_id": [f"PM-{c}" for c in cities],
            "site_type": "PM",
            "name": [f"PM {c.title()}" for c in cities],
            "parent_id": nros["site_id"],
        },
        geometry=shapely.points(xy + 300.0),
        crs="EPSG:2154",
    )
    sites = gpd.GeoDataFrame(
        pd.concat(
            [pops[["site_id", "site_type", "name", "geometry"]], nros, pms], ignore_index=True
        ),
        geometry="geometry",
        crs="EPSG:2154",
    )
    k = np.repeat(np.arange(len(pms)), 4)
    premises = gpd.GeoDataFrame(
        {
            "premise_id": [f"P{i:03d}" for i in range(len(k))],
            "insee_code": pops["insee_code"].to_numpy()[k],
            "logements": 2 + np.arange(len(k)) % 3,
            "locaux_pro": np.arange(len(k)) % 2,
            "kind": "residential",
            "synthetic": True,
            "nro_id": nros["site_id"].to_numpy()[k],
            "pm_id": pms["site_id"].to_numpy()[k],
            "pbo_id": [f"PBO-{i // 2}" for i in range(len(k))],
        },
        geometry=shapely.points(xy[k] + 400.0),
        crs="EPSG:2154",
    )
    cols = ["link_id", "link_type", "from_site", "to_site", "role", "geometry"]
    backbone = gpd.GeoDataFrame(
        pd.concat([load_backbone()[cols], attach_nros(nros, pops)[cols]], ignore_index=True),
        geometry="geometry",
        crs="EPSG:2154",
    )
    out = tmp_path_factory.mktemp("outage") / "run"
    with run_folder(out, command="test", parameters={}) as rf:
        rf.write_layers({"sites": sites, "backbone": backbone, "premises": premises})
    return out


def bthd(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["outage", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def test_a_ring_cut_loses_nothing(run):
    code, out, _ = bthd(run, "--cut", "CO-RENNES-VANNES")
    assert code == 0 and "No service lost" in out


def test_a_pop_cut_lists_its_nro_pm_and_commune(run):
    code, out, _ = bthd(run, "--cut", "POP-LORIENT")
    assert code == 0
    assert "NRO-LORIENT" in out and "PM-LORIENT" in out
    assert "Lorient" in out  # the commune's name, from the embedded COG
    assert "1 NRO(s), 1 PM(s), 4 premises" in out


def test_several_cuts_together(run):
    code, out, _ = bthd(run, "-c", "CO-VANNES-LORIENT", "-c", "CO-BREST-LANNION")
    assert code == 0
    assert "3 NRO(s)" in out and "cut off from the uplinks" in out


def test_all_single_failures(run, tmp_path):
    code, out, _ = bthd(run, "--all")
    assert code == 0 and "POP-RENNES" in out and "Single failures" in out
    assert "33 elements" in out  # 9 backbone links, 8 PoPs, 8 collecte links, 8 NROs
    csv = tmp_path / "all.csv"
    code, _, _ = bthd(run, "--all", "--uplink", "POP-RENNES", "--uplink", "POP-BREST", "--csv", csv)
    assert code == 0
    table = pd.read_csv(csv, keep_default_na=False)
    assert list(table.columns) == list(SURVIVABILITY_COLUMNS) and len(table) == 33
    rennes = table.loc[table["element_id"] == "POP-RENNES"].iloc[0]
    assert rennes["nro_ids"] == "NRO-RENNES;NRO-SAINT-MALO"


def test_csv_of_the_premises_cut_off_and_no_overwrite(run, tmp_path):
    csv = tmp_path / "cut.csv"
    code, out, _ = bthd(run, "--cut", "PM-BREST", "--csv", csv)
    assert code == 0 and "Wrote 4 rows" in out
    before = csv.read_bytes()
    df = pd.read_csv(csv, dtype=str)
    assert len(df) == 4 and set(df["pm_id"]) == {"PM-BREST"} and set(df["commune"]) == {"Brest"}
    code, _, err = bthd(run, "--cut", "PM-LANNION", "--csv", csv)
    assert code == 2 and "exists already" in err and csv.read_bytes() == before
    code, _, _ = bthd(run, "--cut", "PM-LANNION", "--csv", csv, "--overwrite")
    assert code == 0 and set(pd.read_csv(csv, dtype=str)["pm_id"]) == {"PM-LANNION"}


def test_an_unknown_id_exits_2_with_suggestions(run):
    code, _, err = bthd(run, "--cut", "POP-LORIEN")
    assert code == 2
    assert "'POP-LORIENT'" in err and "Accepted kinds of id" in err


@pytest.mark.parametrize("args", [[], ["--all", "--cut", "POP-BREST"]])
def test_cut_or_all_exactly_one(run, args):
    code, _, err = bthd(run, *args)
    assert code == 2 and "--cut" in err


def test_bad_uplink_and_missing_run_exit_2(run, tmp_path):
    code, _, err = bthd(run, "--all", "--uplink", "POP-RENES")
    assert code == 2 and "'POP-RENNES'" in err
    code, _, err = bthd(tmp_path / "nowhere", "--all")
    assert code == 2 and "not found" in err
