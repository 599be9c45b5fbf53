"""``bthd export``: formats written and listed, the GraceTHD check printed, refusals."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from typer.testing import CliRunner

from bthd.cli import app

runner = CliRunner()


def test_export_writes_lists_and_checks(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "livrable"
    res = runner.invoke(
        app,
        [
            "export",
            str(small_run),
            "--format",
            "gpkg",
            "-f",
            "gracethd",
            "--gracethd-version",
            "2.0.1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "bthd.gpkg" in res.output and "gracethd-v2.0.1/t_cable.csv" in res.output
    assert "0 error(s)" in res.output and "GraceTHD v2.0.1 check passed" in res.output
    assert f"{out}/gracethd-v2.0.1" in res.output  # the final folder, not the temporary one
    assert not (out / "gracethd-v3.0.1").exists()
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


def test_export_refuses_a_run_of_another_format_or_without_design(
    small_run: Path, tmp_path: Path
) -> None:
    import json
    import shutil

    future = tmp_path / "future"
    shutil.copytree(small_run, future)
    manifest = json.loads((future / "manifest.json").read_text())
    manifest["bthd_run"] = 99
    (future / "manifest.json").write_text(json.dumps(manifest))
    res = runner.invoke(app, ["export", str(future), "-f", "gpkg", "--out", str(tmp_path / "a")])
    assert res.exit_code == 2 and "format 99" in res.output
    # a run with no design: the GIS formats still export, GraceTHD says what is missing
    bare = tmp_path / "bare"
    shutil.copytree(small_run, bare)
    layers = pyogrio.read_dataframe(small_run / "layers.gpkg", layer="communes")
    (bare / "layers.gpkg").unlink()
    pyogrio.write_dataframe(layers, bare / "layers.gpkg", layer="communes", driver="GPKG")
    res = runner.invoke(app, ["export", str(bare), "-f", "gracethd", "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "no layer 'sites'" in res.output and "design" in res.output
    assert not (tmp_path / "b").exists()  # nothing half-written
    res = runner.invoke(app, ["export", str(bare), "-f", "geojson", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0 and (tmp_path / "c" / "geojson" / "communes.geojson").exists()


def test_validate_checks_every_delivery_of_an_export(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "livrable"
    res = runner.invoke(app, ["export", str(small_run), "-f", "gracethd", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "GraceTHD v2.0.1 check passed" in res.output
    assert "GraceTHD v3.0.1 check passed" in res.output
    res = runner.invoke(app, ["validate", str(out), "--kind", "gracethd"])
    assert res.exit_code == 0, res.output
    assert "v2.0.1 delivery" in res.output and "v3.0.1 (container C2) delivery" in res.output
    assert res.output.count("0 error(s), 0 warning(s)") == 2
    # a v3 delivery without its cables fails, naming the suite's control; v2 still passes
    (out / "gracethd-v3.0.1" / "t_cable.csv").unlink()
    res = runner.invoke(app, ["validate", str(out), "--kind", "gracethd"])
    assert res.exit_code == 1
    assert "[ctrl_pt_0004] t_cable" in res.output
    res = runner.invoke(app, ["validate", str(out / "gracethd-v2.0.1"), "--kind", "gracethd"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["validate", str(tmp_path), "--kind", "gracethd", "--container", "C9"])
    assert res.exit_code == 2 and "C9" in res.output
