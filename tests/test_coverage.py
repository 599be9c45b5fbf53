"""Coverage tables by territory and year: premises conserved, consistent with eligibility, and the
same whether computed in the main job or later on its run folder."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from bthd import pipeline
from bthd.coverage import compare_coverage, coverage_change
from bthd.io.runs import open_run


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("coverage") / "run"
    pipeline.run(out)
    return open_run(out)


def test_every_premise_counts_once_per_year(demo):
    prem = demo.layer("premises")
    total = int((prem["logements"] + prem["locaux_pro"]).sum())
    for level in ("commune", "epci", "departement", "region"):
        t = demo.table(f"coverage_by_{level}")
        per_year = t.groupby("year")["locaux"].sum()
        assert (per_year == total).all(), level
        techs = t[["locaux_ftth", "locaux_copper_med", "locaux_copper", "locaux_none"]].sum(axis=1)
        assert (techs == t["locaux"]).all(), level
        assert t["ftth_rate"].between(0, 1).all()


def test_agrees_with_the_eligibility_summary(demo):
    region = demo.table("coverage_by_region").set_index("year")
    elig = demo.table("eligibility_by_year").set_index("year")
    assert (region["raccordables"] == elig["tech ftth"]).all()
    assert (region["locaux_copper_med"] == elig["tech copper_med"]).all()
    np.testing.assert_allclose(
        region["share_tres_haut_debit"], elig["share_tres_haut_debit"], atol=1e-4
    )


def test_raccordables_never_decrease_and_levels_add_up(demo):
    com = demo.table("coverage_by_commune").sort_values(["insee_code", "year"])
    assert (com.groupby("insee_code")["raccordables"].diff().fillna(0) >= 0).all()
    communes = demo.layer("communes").set_index("insee_code")
    com["epci_siren"] = com["insee_code"].map(communes["epci_siren"])
    by_epci = com.groupby(["epci_siren", "year"])["raccordables"].sum()
    epci = demo.table("coverage_by_epci").set_index(["epci_siren", "year"])["raccordables"]
    pd.testing.assert_series_equal(by_epci.sort_index(), epci.sort_index(), check_names=False)


def test_stage_on_the_run_folder_gives_the_same_tables(demo, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo.path, copy)
    for f in (copy / "tables").glob("coverage_by_*.csv"):
        f.unlink()
    again = pipeline.run_on(copy, ["coverage"])
    for level in ("commune", "epci", "departement", "region"):
        name = f"tables/coverage_by_{level}.csv"
        assert (copy / name).read_bytes() == (demo.path / name).read_bytes(), name
    assert again.verify() == []


def test_changes_between_years_and_runs(demo):
    t = demo.table("coverage_by_epci")
    ch = coverage_change(t, 2014, 2026)
    row = ch.iloc[0]
    assert row["raccordables_change"] == row["raccordables_2026"] - row["raccordables_2014"]
    with pytest.raises(ValueError, match="year 2031 is not in the coverage table"):
        coverage_change(t, 2014, 2031)
    same = compare_coverage(t, t, ("a", "b"))
    assert (same.filter(like="_change").fillna(0) == 0).all().all()  # NaN: no penetration yet


def test_raccordes_come_from_the_plan_and_never_exceed_raccordables(demo):
    region = demo.table("coverage_by_region").set_index("year")
    plan = demo.table("plan_by_year").set_index("year")
    common = region.index.intersection(plan.index)
    assert len(common) > 5
    # the plan rounds raccordés per commune: their sum differs from the plan's total by a unit
    diff = (region.loc[common, "raccordes"] - plan.loc[common, "raccordes"]).abs()
    assert (diff <= 1).all()
    assert (region["raccordes"] <= region["raccordables"]).all()
    pen = region["penetration"].dropna()
    assert pen.between(0, 1).all() and pen.iloc[-1] > 0
