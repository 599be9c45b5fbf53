"""``bthd region check``: one report of what a set of files gives; exit 0 only when a design
can run. Roads: the real Rennes streets (ODbL, © OpenStreetMap contributors)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from bthd import data
from bthd.cli import app
from bthd.inputs import check_inputs, classify_input
from bthd.io import write

DATA = Path(__file__).parent / "data"
RENNES = DATA / "rennes-centre-osm-2013.geojson"  # ODbL, © OpenStreetMap contributors
HELSINKI_PBF = DATA / "osm_samples" / "helsinki-centre.osm.pbf"  # ODbL


@pytest.fixture(scope="module")
def rennes_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Central Rennes as a commune, addresses along its real streets (one far from them, one
    repeated, one with the wrong INSEE code) and NRA/SR sites."""
    tmp = tmp_path_factory.mktemp("rennes")
    c = data.load_communes()
    rennes = c[c["insee_code"] == "35238"].copy()
    roads = gpd.read_file(RENNES).to_crs(2154)
    x0, y0, x1, y1 = roads.total_bounds
    rennes["geometry"] = rennes.geometry.intersection(shapely.box(x0, y0, x1, y1 + 1500))
    rennes[["locaux", "etablissements", "logements"]] = (900, 40, 860)
    write(rennes, tmp / "communes.gpkg")
    line = roads.geometry.iloc[0]
    pts = [line.interpolate(f, normalized=True) for f in np.linspace(0.1, 0.9, 8)]
    xs = [round(p.x + 8.0, 2) for p in pts]
    ys = [round(p.y, 2) for p in pts]
    xs.append(round((x0 + x1) / 2, 2))
    ys.append(round(y1 + 1200, 2))  # 1.2 km north of the streets given
    ban = pd.DataFrame(
        {
            "id": [f"35238_0100_{i:05d}" for i in range(len(xs))],
            "numero": [str(i + 1) for i in range(len(xs))],
            "rep": "",
            "nom_voie": "Rue de Saint-Malo",
            "code_postal": "35000",
            "code_insee": "35238",
            "nom_commune": "Rennes",
            "x": xs,
            "y": ys,
        }
    )
    ban.loc[3, "numero"] = "3"  # the same address as line 4 (numero 3)
    ban.loc[5, "code_insee"] = "35051"  # Cesson-Sévigné's code, but it lies in Rennes
    ban.to_csv(tmp / "adresses-35.csv", sep=";", index=False)
    nra = pd.DataFrame(
        {"site_id": ["NRA-R1", "SR-R1"], "site_type": ["NRA", "SR"], "nra_id": ["", "NRA-R1"]}
        | {"x": xs[:2], "y": ys[:2]}
    )
    nra.to_csv(tmp / "nra-sr.csv", index=False)
    return {
        "communes": tmp / "communes.gpkg",
        "premises": tmp / "adresses-35.csv",
        "copper": tmp / "nra-sr.csv",
    }


def test_roles_are_found_from_the_content(rennes_files: dict[str, Path]) -> None:
    assert classify_input(rennes_files["premises"]) == "premises"
    assert classify_input(rennes_files["communes"]) == "communes"
    assert classify_input(rennes_files["copper"]) == "copper"
    assert classify_input(RENNES) == "roads"
    assert classify_input(HELSINKI_PBF) == "roads"


def test_report_of_a_set_of_real_files(rennes_files: dict[str, Path]) -> None:
    paths = [rennes_files["premises"], RENNES, rennes_files["copper"], rennes_files["communes"]]
    rep = check_inputs(paths)
    assert rep.ok
    layers = rep.layers.set_index("layer")["status"].to_dict()
    assert layers == {
        "communes": "real",
        "premises": "real",
        "roads": "real",
        "copper sites": "real",
    }
    files = rep.files.set_index("role")
    assert files.loc["premises", "format"] == "BAN" and files.loc["premises", "rows"] == 9
    assert files.loc["roads", "crs"] == "EPSG:4326"
    text = "\n".join(w.format(max_rows=20) for w in rep.warnings)
    assert "farther than 500 m" in text and "premise_id=35238_0100_00008" in text
    assert "duplicated addresses" in text and "35238_0100_00003" in text
    assert "INSEE codes that do not match" in text and "35238_0100_00005 (35051)" in text
    assert "not connected" in text  # the named streets of Rennes fall into parts
    assert "reprojected" in text


def test_cli_exit_0_when_a_design_can_run(rennes_files: dict[str, Path]) -> None:
    res = CliRunner().invoke(app, ["region", "check", str(rennes_files["premises"]), str(RENNES)])
    assert res.exit_code == 0, res.output
    assert "A design can run" in res.output
    assert "missing: generated (synthetic)" in res.output  # the copper plant
    assert "the communes the premises fall in" in res.output


def test_cli_lists_every_problem_and_exits_2(rennes_files: dict[str, Path], tmp_path: Path) -> None:
    ban = pd.read_csv(rennes_files["premises"], sep=";", dtype=str)
    ban.loc[[2, 6], "x"] = ""
    bad_ban = tmp_path / "adresses-35.csv"
    ban.to_csv(bad_ban, sep=";", index=False)
    res = CliRunner().invoke(
        app,
        ["region", "check", str(bad_ban), str(HELSINKI_PBF), "--epci", "243500139"],
    )
    assert res.exit_code == 2
    out = res.output
    assert "2 problems" in out
    assert "line 4" in out and "line 8" in out  # BAN rows without coordinates
    assert "covers none of the area" in out
    # two files of one role
    res = CliRunner().invoke(app, ["region", "check", str(rennes_files["premises"]), str(bad_ban)])
    assert res.exit_code == 2 and "a second premises file" in res.output
    res = CliRunner().invoke(app, ["region", "check", str(tmp_path / "nope.csv")])
    assert res.exit_code == 2 and "not found" in res.output
