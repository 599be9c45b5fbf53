"""Plan against reality: a design compared with IPE files made for the test in field formats."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from bthd._errors import InputError, OutputExistsError
from bthd.export._run import load_run
from bthd.export.reality import compare_ipe, write_reality
from bthd.io.ipe import read_ipe

COLUMNS = [
    "IdentifiantImmeuble",
    "CodeAdresseImmeuble",
    "CodeInseeImmeuble",
    "NombreLogementsAdresseIPE",
    "EtatImmeuble",
    "CoordonneeImmeubleX",
    "CoordonneeImmeubleY",
    "TypeProjectionGeographique",
    "ReferencePM",
    "EtatPM",
]


@pytest.fixture(scope="module")
def scenario(small_run: Path) -> dict[str, object]:
    """IPE lines from the plan: one zone deployed, one still CIBLE, a PM reference split, ten
    premises absent from the IPE and two IPE addresses far from any planned premise."""
    prem = load_run(small_run).layer("premises").sort_values("premise_id")
    years = prem.groupby("pm_id")["ftth_year"].min().dropna().sort_index()
    zones = list(years.index)
    done, waiting, split_from, split_to, dropped_zone = zones[:5]
    # ten premises with no other premise within 30 m: absent from the IPE, nothing stands in
    pts = prem.geometry.to_numpy()
    (ia, _), dist = shapely.STRtree(pts).query_nearest(pts, exclusive=True, return_distance=True)
    gap = pd.Series(dist).groupby(ia).min().reindex(range(len(prem))).fillna(1e9)
    gap.index = prem.index
    alone = prem[(gap > 30) & (prem["pm_id"] == dropped_zone)]
    if len(alone) < 10:
        alone = prem[(gap > 30) & ~prem["pm_id"].isin([done, waiting])]
    dropped = list(alone["premise_id"][:10])
    assert len(dropped) == 10
    rows = []
    for p in prem.itertuples():
        if p.premise_id in dropped or not isinstance(p.pm_id, str):
            continue
        ref = f"FI-{p.pm_id}"
        if p.pm_id == split_from and p.premise_id.endswith(("0", "5")):
            ref = f"FI-{split_to}"  # the operator files some lines under its neighbour's PM
        state = "CIBLE" if p.pm_id == waiting else "DEPLOYE"
        rows.append(
            [
                f"IMB-{p.premise_id}",
                f"AD-{p.premise_id}",
                p.insee_code,
                str(max(1, p.logements + p.locaux_pro)),
                state,
                f"{p.geometry.x:.2f}",
                f"{p.geometry.y:.2f}",
                "L93",
                ref,
                "DP",
            ]
        )
    _, y0, x1, y1 = prem.total_bounds
    for i in range(2):  # east of everything planned
        rows.append(
            [
                f"IMB-FAR-{i}",
                f"AD-FAR-{i}",
                "22184",
                "3",
                "DEPLOYE",
                f"{x1 + 3000 + 50 * i:.2f}",
                f"{(y0 + y1) / 2:.2f}",
                "L93",
                f"FI-{done}",
                "DP",
            ]
        )
    return {
        "rows": rows,
        "done": done,
        "waiting": waiting,
        "split_from": split_from,
        "split_to": split_to,
        "dropped": dropped,
        "as_of": int(years.max()) + 6,
    }


def _write(path: Path, rows: list[list[str]], *, sep: str, encoding: str, lower: bool) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=sep, lineterminator="\r\n")
        w.writerow([c.lower() if lower else c for c in COLUMNS])
        w.writerows(rows)
    return path


def test_plan_against_ipe_finds_what_was_planted(
    small_run: Path, scenario: dict, tmp_path: Path
) -> None:
    rows = scenario["rows"]
    files = [
        _write(tmp_path / "ipe_utf8.csv", rows, sep=";", encoding="utf-8", lower=False),
        _write(tmp_path / "ipe_latin1.csv", rows, sep=",", encoding="latin-1", lower=True),
    ]
    results = [compare_ipe(small_run, read_ipe(f), as_of=scenario["as_of"]) for f in files]
    for name in results[0].tables():
        pd.testing.assert_frame_equal(results[0].tables()[name], results[1].tables()[name])
    r = results[0]
    zones = r.zones.set_index("pm_zone")
    assert zones.loc[scenario["done"], "share_deployed"] == 1.0
    assert zones.loc[scenario["waiting"], "share_deployed"] == 0.0
    # every planned zone is due; only the one still CIBLE is late, and past its complétude
    assert set(r.late["pm_zone"]) == {scenario["waiting"]}
    assert set(r.zones.loc[r.zones["completude_passed"], "pm_zone"]) == {scenario["waiting"]}
    # lines are conserved: by zone and commune they add up to the IPE's dwellings
    total = sum(int(row[3]) for row in rows)
    assert r.by_pm_commune["total"].sum() == total
    refs = r.pm_refs.set_index("pm_ref")
    assert not refs.loc[f"FI-{scenario['split_to']}", "matches"]  # lines in two planned zones
    assert refs.loc[f"FI-{scenario['waiting']}", "matches"]
    kinds = r.unmatched.groupby("kind")["id"].apply(set)
    assert kinds["plan_without_ipe"] == set(scenario["dropped"])
    assert kinds["ipe_without_plan"] == {"IMB-FAR-0", "IMB-FAR-1"}


def test_written_folder_and_refusals(small_run: Path, scenario: dict, tmp_path: Path) -> None:
    ipe = read_ipe(
        _write(tmp_path / "i.csv", scenario["rows"], sep=";", encoding="utf-8", lower=False)
    )
    reality = compare_ipe(small_run, ipe, as_of=scenario["as_of"])
    files = write_reality(reality, tmp_path / "ops")
    assert [f.name for f in files] == [
        "ipe_by_pm_commune.csv",
        "ipe_pm_refs.csv",
        "ipe_unmatched.gpkg",
        "ipe_zones.csv",
    ]
    info = pyogrio.read_info(tmp_path / "ops" / "ipe_unmatched.gpkg")
    assert info["features"] == len(reality.unmatched) and info["crs"] == "EPSG:2154"
    with pytest.raises(OutputExistsError):
        write_reality(reality, tmp_path / "ops")
    with pytest.raises(InputError, match="ipe_state"):
        compare_ipe(small_run, ipe.drop(columns=["ipe_state"]), as_of=2020)
