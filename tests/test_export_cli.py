"""``bthd export``: formats written and listed, the GraceTHD check printed, refusals."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
from typer.testing import CliRunner

from bthd.cli import app
from tests.test_export_gis import make_small_run

runner = CliRunner()


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_run(tmp_path_factory.mktemp("run") / "small")


def test_export_writes_lists_and_checks(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "livrable"
    res = runner.invoke(
        app,
        ["export", str(small_run), "--format", "gpkg", "-f", "gracethd", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert "bthd.gpkg" in res.output and "gracethd/t_cable.csv" in res.output
    assert "0 error(s)" in res.output and "GraceTHD check passed" in res.output
    assert f"{out}/gracethd" in res.output  # the final folder, not the temporary one
    assert "layer_styles" in {n for n, _ in pyogrio.list_layers(out / "bthd.gpkg")}
    # a second export into the same folder is refused, then allowed with --overwrite
    again = ["export", str(small_run), "--format", "shp", "--out", str(out)]
    res = runner.invoke(app, again)
    assert res.exit_code == 2 and "exists already" in res.output
    assert (out / "bthd.gpkg").exists()
    res = runner.invoke(app, [*again, "--overwrite"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "shp"]
    assert "GraceTHD" not in res.output


def test_export_refuses_unknown_formats_and_runs(small_run: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", str(small_run), "-f", "kml", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "kml" in res.output
    res = runner.invoke(app, ["export", str(tmp_path), "-f", "gpkg", "--out", str(tmp_path / "y")])
    assert res.exit_code == 2 and "manifest.json" in res.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
