"""A plan end to end on the demo EPCI's design (designed once for the module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bthd import pipeline
from bthd.cli import app
from bthd.eligibility import ftth_year
from bthd.io.runs import open_run
from bthd.phasing.financing import FUNDERS
from bthd.phasing.run import PlanResult, plan_run, write_plan
from bthd.phasing.scenario import reference_scenario
from bthd.schema import validate


@pytest.fixture(scope="module")
def design_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phasing") / "design"
    pipeline.run(out, stages=("summary", "design"), command="test")
    return out


@pytest.fixture(scope="module")
def result(design_run: Path) -> PlanResult:
    return plan_run(design_run, reference_scenario())


def test_same_scenario_gives_byte_identical_tables(
    design_run: Path, result: PlanResult, tmp_path: Path
) -> None:
    a = write_plan(result, tmp_path / "a", command="test", parameters={})
    b = write_plan(
        plan_run(design_run, reference_scenario()), tmp_path / "b", command="test", parameters={}
    )
    names = sorted(p.name for p in (a / "tables").iterdir())
    assert "calibration.csv" in names and "plan_schedule.csv" in names
    for n in names:
        assert (a / "tables" / n).read_bytes() == (b / "tables" / n).read_bytes(), n


def test_cumulative_raccordables_never_decrease_nor_exceed_locaux(result: PlanResult) -> None:
    for name, key in (
        ("plan_by_commune_year", "insee_code"),
        ("plan_by_epci_year", "epci_siren"),
        ("plan_by_departement_year", "departement"),
        ("plan_by_zone_year", "zdep_id"),
    ):
        t = result.tables[name].sort_values([key, "year"])
        d = t.groupby(key)["raccordables"].diff().dropna()
        assert (d >= 0).all(), name
        total = t["zone_lines"] if name == "plan_by_zone_year" else t["locaux"]
        assert (t["raccordables"] <= total).all(), name
        assert (t["raccordes"] <= t["raccordables"]).all(), name
    region = result.tables["plan_by_year"]
    assert region["raccordables"].is_monotonic_increasing
    assert region["raccordables"].iloc[-1] <= region["locaux"].iloc[0]


def test_aggregates_add_up_and_funding_matches_capex(result: PlanResult) -> None:
    t = result.tables
    region = t["plan_by_year"].set_index("year")
    for name in ("plan_by_commune_year", "plan_by_epci_year", "plan_by_departement_year"):
        s = t[name].groupby("year")[["lines_built", "capex_eur", "epci_eur"]].sum()
        np.testing.assert_allclose(s["lines_built"], region["lines_built"], atol=2 * len(t[name]))
        np.testing.assert_allclose(s["capex_eur"], region["capex_eur"], rtol=1e-6)
    zy = t["plan_by_zone_year"]
    funders = zy[[f"{k}_eur" for k in FUNDERS]].sum(axis=1)
    np.testing.assert_allclose(funders, zy["capex_eur"], atol=0.05)
    plan = result.plan
    built = plan.units[(plan.units["year"] > 0) & (plan.units["year"] <= 2026)]
    assert zy["capex_eur"].sum() == pytest.approx(built["capex_eur"].sum(), rel=1e-9)


def test_zdep_layer_is_a_zones_layer_with_phase_tranche_and_year(
    design_run: Path, result: PlanResult
) -> None:
    z = result.zdep
    assert z is not None
    validate(z, "zones")
    assert (z["zone_kind"] == "ZDEP").all()
    assert z["phase"].between(1, 3).all() and z["year"].between(2014, 2040).all()
    assert (z["finish_year"] >= z["year"]).all()
    zpm = open_run(design_run).layer("zones")
    zpm = zpm[zpm["zone_kind"] == "ZPM"]
    assert z.area.sum() == pytest.approx(zpm.area.sum(), rel=1e-6)
    assert z["lines"].sum() == result.plan.units["lines"].sum()


def test_eligibility_reads_the_schedule_by_pm(design_run: Path, result: PlanResult) -> None:
    premises = open_run(design_run).layer("premises")
    sched = result.tables["plan_schedule"]
    years = ftth_year(premises, sched)
    expect = premises["pm_id"].map(result.plan.units.set_index("pm_id")["year"])
    assert years.notna().all()
    np.testing.assert_array_equal(years.to_numpy(), expect.to_numpy(float))


def test_calibration_table(result: PlanResult) -> None:
    cal = result.tables["calibration"]
    assert list(cal.columns) == ["figure", "published", "model", "relative_error", "source"]
    assert cal["source"].str.len().gt(0).all()
    got = (cal["model"] - cal["published"]) / cal["published"]
    np.testing.assert_allclose(cal["relative_error"], got, atol=1e-4)
    # one EPCI: line figures are compared as shares of the programme, not as absolute numbers
    assert not cal["figure"].eq("raccordables end 2024").any()
    assert cal["figure"].eq("raccordables end 2024: share of the programme's lines").any()


def test_cli_plan_prints_the_calibration(design_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    r = CliRunner().invoke(
        app, ["plan", "bthd-reference", "--from-run", str(design_run), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "Calibration against Mégalis" in r.output and "SYNTHETIC" in r.output
    assert (out / "tables" / "calibration.csv").is_file()
    run = open_run(out)
    assert run.has_layer("zdep") and run.manifest["parameters"]["scenario"] == "bthd-reference"


def test_cli_plan_rejects_a_bad_scenario_naming_the_key(design_run: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = reference_scenario().model_dump(mode="json")
    text["horizn"] = text.pop("horizon")
    import yaml

    bad.write_text(yaml.safe_dump(text), encoding="utf-8")
    r = CliRunner().invoke(
        app, ["plan", str(bad), "--from-run", str(design_run), "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 2
    assert "horizn" in r.output and "did you mean 'horizon'" in r.output
    assert not (tmp_path / "o").exists()


def test_plan_stage_runs_on_a_design_folder(design_run: Path) -> None:
    from bthd.stages import StageContext, get, run_stages

    ctx: Any = StageContext(parameters={"seed": 2154}, source=open_run(design_run))
    run_stages(ctx, [get("plan")])
    assert ctx.has("table:plan_by_year") and ctx.has("layer:zdep")
    sched = ctx.get("plan_schedule")
    assert isinstance(sched, pd.DataFrame) and sched["pm_id"].is_unique


def test_compare_two_scenarios_writes_tables_and_charts(
    design_run: Path, result: PlanResult, tmp_path: Path
) -> None:
    from bthd.phasing.scenario import load_scenario

    repo = Path(__file__).resolve().parents[1]
    a = write_plan(result, tmp_path / "ref", command="test", parameters={"scenario": "ref"})
    urban = load_scenario(repo / "data" / "scenarios" / "urban-first.yaml")
    assert urban.priorities.rural_share.default == 0.0 and urban.pins  # extends the reference
    b = write_plan(plan_run(design_run, urban), tmp_path / "urb", command="test", parameters={})
    out = tmp_path / "cmp"
    r = CliRunner().invoke(
        app, ["compare", str(a), str(b), "--out", str(out), "-l", "ref", "-l", "urban"]
    )
    assert r.exit_code == 0, r.output
    summary = pd.read_csv(out / "tables" / "compare_summary.csv")
    assert list(summary["run"]) == ["ref", "urban"]
    fund = pd.read_csv(out / "tables" / "compare_funding.csv")
    np.testing.assert_allclose(fund.groupby("run")["share"].sum(), 1.0, atol=1e-3)
    by_year = pd.read_csv(out / "tables" / "compare_by_year.csv")
    assert by_year.groupby("run")["coverage"].apply(lambda s: s.is_monotonic_increasing).all()
    eq = pd.read_csv(out / "tables" / "compare_equity.csv")
    assert (eq["p10"] <= eq["median"]).all() and (eq["median"] <= eq["p90"]).all()
    import matplotlib.image as mpimg

    for name in ("coverage", "funding", "equity", "rural_share"):
        img = mpimg.imread(out / "charts" / f"{name}.png")
        assert img.shape[0] > 300 and img.shape[1] > 500
    r = CliRunner().invoke(app, ["compare", str(a), "--out", str(tmp_path / "one")])
    assert r.exit_code == 2 and "at least two" in r.output


def test_cli_plan_exact_reports_the_gap(
    design_run: Path, result: PlanResult, tmp_path: Path
) -> None:
    out = tmp_path / "exact"
    r = CliRunner().invoke(
        app,
        [
            "plan",
            "bthd-reference",
            "--from-run",
            str(design_run),
            "--out",
            str(out),
            "--exact",
            "--time-limit",
            "2",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Greedy against exact" in r.output
    gap = pd.read_csv(out / "tables" / "plan_exact_gap.csv").iloc[0]
    assert gap["greedy_objective"] == pytest.approx(result.plan.objective, abs=0.1)
    assert gap["pm_zones"] == int((~result.plan.units["excluded"]).sum())
    assert gap["exact_bound"] >= gap["greedy_objective"]  # the bound caps every plan
    sched = pd.read_csv(out / "tables" / "plan_exact_schedule.csv")
    assert set(sched["pm_id"]) == set(result.plan.units["pm_id"])
