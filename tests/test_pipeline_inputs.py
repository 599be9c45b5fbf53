"""The main job on a user's files: real roads kept, the rest generated and labelled, every input
recorded with its hash (the real Rennes streets, ODbL, © OpenStreetMap contributors)."""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import pytest

from bthd import pipeline
from bthd.io.runs import file_sha256, open_run

RENNES = Path(__file__).parent / "data" / "rennes-centre-osm-2013.geojson"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("inputs") / "run"
    pipeline.run(out, stages=["costs", "plan", "coverage"], inputs={"roads": str(RENNES)})
    return open_run(out)


def test_inputs_are_recorded_with_their_hash(run):
    man = run.manifest
    assert man["inputs"]["roads"]["sha256"] == file_sha256(RENNES)
    assert man["parameters"]["inputs"] == {"roads": str(RENNES)}
    assert man["layers_real_or_synthetic"]["roads"] == "real"
    assert man["layers_real_or_synthetic"]["premises"] == "synthetic"
    assert "premises" in man["synthetic"]["layers"] and "roads" not in man["synthetic"]["layers"]
    sources = (run.path / "SOURCES.txt").read_text()
    assert "the given roads" in sources and "synthetic premises" in sources
    assert "embedded_bretagne" not in man["inputs"]


def test_the_given_roads_are_the_roads_of_the_run(run):
    given = pyogrio.read_info(RENNES)["features"]
    roads = run.layer("roads")
    assert len(roads) >= given  # noded at crossings, never fewer
    assert "synthetic" not in roads.columns or not roads["synthetic"].astype(bool).any()
    prem = run.layer("premises")
    assert prem["synthetic"].astype(bool).all()
    served = prem["pm_id"].notna()
    assert served.mean() > 0.95  # premises on roads cut off from the main part are flagged
    issues = run.table("design_issues")
    assert served.all() or (issues["kind"] == "premises").any()


def test_coverage_and_plan_run_on_a_zone_without_public_network(run):
    # Rennes is a ZTD commune: nothing for the public plan, its FTTH comes from the AMII date
    cov = run.table("coverage_by_region")
    assert cov["locaux"].nunique() == 1 and (cov["raccordables"] <= cov["locaux"]).all()
    cal = run.table("calibration")
    assert len(cal) == 1 and "nothing to calibrate" in cal["source"].iloc[0]
    assert json.loads((run.path / "manifest.json").read_text())["bthd_run"] == 2
