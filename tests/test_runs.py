"""Run folders: manifests that tell the truth, a reader that refuses what it cannot read, and
additions and overwrites that never lose a previous run."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyogrio
import pytest

from bthd import pipeline
from bthd._errors import InputNotFoundError, OutputExistsError
from bthd.io.runs import RunFolderError, file_sha256, open_run
from bthd.stages import Stage, _registry


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    pipeline.run(out, stages=["summary"])
    return out


def test_manifest_hashes_and_rows_are_the_files(run):
    man = json.loads((run / "manifest.json").read_text())
    assert man["bthd_run"] == 2
    assert set(man["files"]) == set(man["outputs"])
    for rel, rec in man["files"].items():
        assert file_sha256(run / rel) == rec["sha256"], rel
        if rel.endswith(".csv"):
            assert len(pd.read_csv(run / rel)) == rec["rows"], rel
        if rel.endswith(".gpkg"):
            info = {
                n: pyogrio.read_info(run / rel, layer=n)["features"]
                for n, _ in pyogrio.list_layers(run / rel)
            }
            assert info == rec["layers"]
    stages = [s["name"] for s in man["stages"]]
    assert stages == ["load", "summary", "write"]
    summary = man["stages"][1]
    assert "tables/locaux_by_commune.csv" in summary["files"] and summary["seconds"] >= 0


def test_reader_gives_back_what_was_written(run):
    r = open_run(run)
    assert "premises" in r.layer_names() and "locaux_by_epci" in r.table_names()
    prem = r.layer("premises")
    assert prem.crs.to_epsg() == 2154 and len(prem) == r.manifest["counts"]["premises"]
    t = r.table("locaux_by_commune")
    assert t["insee_code"].str.len().eq(5).all()  # codes stay text (leading zeros kept)
    with pytest.raises(RunFolderError, match=r"no layer .zones..*Fix"):
        r.layer("zones")
    with pytest.raises(RunFolderError, match="no table 'design_bom'"):
        r.table("design_bom")


def test_reader_refuses_what_it_cannot_read(run, tmp_path):
    with pytest.raises(InputNotFoundError):
        open_run(tmp_path / "nothing")
    with pytest.raises(RunFolderError, match="not a run folder"):
        open_run(tmp_path)
    future = tmp_path / "future"
    shutil.copytree(run, future)
    man = json.loads((future / "manifest.json").read_text())
    man["bthd_run"] = 99
    (future / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(RunFolderError, match=r"format 99.*reads formats 1, 2"):
        open_run(future)


def test_add_refuses_to_replace_and_keeps_the_run_when_it_fails(run, tmp_path):
    r = open_run(shutil.copytree(run, tmp_path / "r"))
    with r.add(stage="note") as w:
        w.write_text("note.txt", "first")
    before = {p.name: file_sha256(p) for p in r.path.rglob("*") if p.is_file()}
    with pytest.raises(OutputExistsError), r.add(stage="note") as w:
        w.write_text("note.txt", "second")
    with pytest.raises(RuntimeError), r.add(stage="broken") as w:
        w.write_text("other.txt", "x")
        raise RuntimeError("stage failed")
    after = {p.name: file_sha256(p) for p in r.path.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in r.path.iterdir() if p.name.startswith(".add-")]
    assert open_run(r.path).verify() == []
    with r.add(stage="note", overwrite=True) as w:
        w.write_text("note.txt", "second")
    assert (r.path / "note.txt").read_text() == "second"
    assert open_run(r.path).verify() == []
    with pytest.raises(OutputExistsError), r.add(stage="sneaky", overwrite=True) as w:
        w.write_text("manifest.json", "{}")


def test_failed_overwrite_keeps_the_previous_run(run, tmp_path, monkeypatch):
    target = shutil.copytree(run, tmp_path / "keep")
    before = file_sha256(target / "manifest.json")

    def boom(ctx):
        raise RuntimeError("a stage failed")

    monkeypatch.setitem(_registry._STAGES, "boom", Stage(name="boom", run=boom, demo=False))
    with pytest.raises(RuntimeError, match="a stage failed"):
        pipeline.run(target, stages=["summary", "boom"], overwrite=True)
    assert file_sha256(target / "manifest.json") == before
    assert open_run(target).verify() == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".keep.")]


def test_same_inputs_give_byte_identical_files(run, tmp_path):
    again = tmp_path / "again"
    pipeline.run(again, stages=["summary"])
    a = json.loads((run / "manifest.json").read_text())["files"]
    b = json.loads((again / "manifest.json").read_text())["files"]
    assert {k: v["sha256"] for k, v in a.items()} == {k: v["sha256"] for k, v in b.items()}
    assert "layers.gpkg" in a  # GeoPackages too: GDAL's date stamp is fixed
