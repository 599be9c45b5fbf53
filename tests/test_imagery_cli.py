"""``bthd imagery``: synth → index → view → vegetation → chips on a tiny run folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from bthd.cli import _common, app
from bthd.imagery.views import nonblank_share
from bthd.io.runs import run_folder
from tests.test_imagery_synthetic import BOUNDS, small_roads
from tests.test_imagery_views import small_layers

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    old = _common.console._width
    _common.console.width = 200
    yield
    _common.console._width = old


@pytest.fixture
def run(tmp_path: Path) -> Path:
    """A run folder with the tiny design of the view tests (its data flagged synthetic)."""
    layers = small_layers()
    layers["roads"] = small_roads()
    layers["departements"] = gpd.GeoDataFrame(
        {"departement": ["22"], "name": ["Côtes-d'Armor"]},
        geometry=[shapely.box(*BOUNDS).buffer(10_000)],
        crs="EPSG:2154",
    )
    path = tmp_path / "run"
    with run_folder(path, command="test", parameters={}) as rf:
        rf.write_layers(layers)
        rf.manifest["synthetic"] = {"layers": ["premises", "roads"], "note": "test"}
    return path


def test_synth_index_view_vegetation_chips(run: Path, tmp_path: Path) -> None:
    tiles = tmp_path / "tiles"
    bbox = [str(v) for v in BOUNDS]
    res = runner.invoke(
        app,
        ["imagery", "synth", str(run), "--out", str(tiles), "--bbox", *bbox, "--resolution", "1"],
    )
    assert res.exit_code == 0, res.output
    assert "SYNTHETIC tiles" in res.output
    names = sorted(p.name for p in (tiles / "IRC").iterdir())
    assert names == ["22-2021-0281-6831-LA93-1M00-E080.tif"]  # one 1 km tile, département 22

    res = runner.invoke(app, ["imagery", "index", str(tiles), "--out", str(tmp_path / "i.gpkg")])
    assert res.exit_code == 0, res.output
    assert "2 tiles indexed" in res.output and "SYNTHETIC" in res.output
    assert len(gpd.read_file(tmp_path / "i.gpkg")) == 2

    res = runner.invoke(app, ["ortho", "vegetation", str(run), "--tiles", str(tiles)])
    assert res.exit_code == 0, res.output
    assert "11 aerial sections, 11 with imagery" in res.output and "SYNTHETIC" in res.output
    sections = pd.read_csv(run / "tables" / "imagery_vegetation_sections.csv")
    assert (sections["prune_m"] <= sections["length_m"]).all()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["stages"][-1]["name"] == "imagery_vegetation"
    assert "tables/imagery_vegetation_by_pm.csv" in manifest["files"]
    again = runner.invoke(app, ["imagery", "vegetation", str(run), "--tiles", str(tiles)])
    assert again.exit_code == 2 and "exists already" in again.output

    png = tmp_path / "pm.png"
    res = runner.invoke(
        app, ["imagery", "view", str(run), "--pm", "PM-1", "--tiles", str(tiles), "--out", str(png)]
    )
    assert res.exit_code == 0, res.output
    assert nonblank_share(png) > 0.3

    res = runner.invoke(app, ["imagery", "chips", str(run), "--tiles", str(tiles)])
    assert res.exit_code == 0, res.output
    assert "2 PM chips (1 PM sites outside the tiles)" in res.output
    assert (run / "imagery" / "chips" / "PM-0.png").is_file()


def test_view_needs_exactly_one_area_and_reports_bad_input(run: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["imagery", "view", str(run), "--tiles", str(tmp_path), "--out", "x.png"]
    )
    assert res.exit_code != 0 and "exactly one of --pm, --site, --bbox" in res.output
    res = runner.invoke(
        app,
        ["imagery", "view", str(run), "--site", "PM-0", "--tiles", str(tmp_path), "--out", "x.png"],
    )
    assert res.exit_code == 2 and "no tile found" in res.output
