"""``bthd map RUN`` adds the map to the run folder (manifest stage "map"), or writes --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bthd import pipeline
from bthd.cli import app
from bthd.io.runs import file_sha256, open_run

runner = CliRunner()
EPCI = "200069391"  # CA Lamballe Terre et Mer


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("maps_cli") / "run"
    pipeline.run(out, stages=("summary", "design", "eligibility"))
    return out


def test_map_goes_into_the_run_and_its_manifest(run_dir: Path) -> None:
    before = {p.name: file_sha256(p) for p in (run_dir / "tables").iterdir()}
    res = runner.invoke(app, ["map", str(run_dir), "--year", "2019", "--static", "png,pdf"])
    assert res.exit_code == 0, res.output
    for name in ("map.html", "map.png", "map.pdf"):
        assert (run_dir / name).stat().st_size > 10_000
    man = json.loads((run_dir / "manifest.json").read_text())
    stage = man["stages"][-1]
    assert stage["name"] == "map" and stage["parameters"]["year"] == 2019
    assert sorted(stage["files"]) == ["map.html", "map.pdf", "map.png"]
    assert open_run(run_dir).verify() == []
    # the inputs are untouched
    assert before == {p.name: file_sha256(p) for p in (run_dir / "tables").iterdir()}
    assert "FTTH coverage 2019" in (run_dir / "map.html").read_text(encoding="utf-8")

    # a second map is refused before any work, and nothing changes
    sha = file_sha256(run_dir / "map.html")
    res = runner.invoke(app, ["map", str(run_dir)])
    assert res.exit_code == 2
    assert "exists already" in res.output and "--overwrite" in res.output
    assert file_sha256(run_dir / "map.html") == sha


def test_map_of_one_epci_to_a_file(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "lamballe.html"
    res = runner.invoke(app, ["map", str(run_dir), "--epci", EPCI, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.is_file() and "detail scale" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epci", "999999999"], "EPCI '999999999' is not in this run"),
        (["--year", "2030"], "no coverage for 2030"),
        (["--static", "svg"], "unknown format svg"),
    ],
)
def test_bad_options_are_named(run_dir: Path, args: list[str], message: str) -> None:
    res = runner.invoke(app, ["map", str(run_dir), "--out", "/nonexistent/x.html", *args])
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())


def test_not_a_run_folder(tmp_path: Path) -> None:
    res = runner.invoke(app, ["map", str(tmp_path)])
    assert res.exit_code == 2
    assert "not a run folder" in res.output


def test_map_stage_runs_on_the_run_folder(run_dir: Path) -> None:
    """The registered ``map`` stage reads only layers and tables: it runs over a run folder."""
    from bthd.stages import StageContext, get, run_stages

    stage = get("map")
    assert stage.runs_on_folder
    ctx = StageContext(
        parameters={"seed": 2154},
        options={"map": {"year": 2022, "static": ["png"]}},
        source=open_run(run_dir),
    )
    run_stages(ctx, [stage])
    page = ctx.get("map_html")
    assert "FTTH coverage 2022" in page and "SYNTHETIC" in page
    assert ctx.get("map_static")["png"][:8] == b"\x89PNG\r\n\x1a\n"
