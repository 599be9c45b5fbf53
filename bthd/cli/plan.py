"""``bthd plan``: phase a scenario on a design (zones by year, costs, co-financing, calibration)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors, print_table


def plan(
    scenario: str = typer.Argument(
        ..., help="Scenario YAML (e.g. data/scenarios/bthd-reference.yaml, or bthd-reference)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to create."),
    from_run: Path | None = typer.Option(
        None, "--from-run", help="A design run folder (bthd demo / bthd design) to plan on."
    ),
    epci: str | None = typer.Option(None, "--epci", help="Design one EPCI (SIREN) first."),
    departement: str | None = typer.Option(
        None, "--departement", "-d", help="Design one département first: 22, 29, 35 or 56."
    ),
    region: bool = typer.Option(False, "--region", help="The whole RIP area of Brittany."),
    exact: bool = typer.Option(
        False, "--exact", help="Also solve the plan exactly (MILP, HiGHS) and report the gap."
    ),
    time_limit: float = typer.Option(
        60.0, "--time-limit", min=1.0, help="Seconds for the exact solver."
    ),
    seed: int = typer.Option(2154, "--seed", help="Seed of the synthetic data (designing)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run folder."),
) -> None:
    """Plan which deployment zones are built in which year, for how much, paid by whom."""
    handle_errors(_run)(
        scenario, out, from_run, epci, departement, region, exact, time_limit, seed, overwrite
    )


def _run(
    scenario_arg: str,
    out: Path,
    from_run: Path | None,
    epci: str | None,
    departement: str | None,
    region: bool,
    exact: bool,
    time_limit: float,
    seed: int,
    overwrite: bool,
) -> None:
    from bthd._errors import ParameterError
    from bthd.io import check_output
    from bthd.phasing.run import plan_run, scenario_sha256, write_plan
    from bthd.phasing.scenario import load_scenario

    t0 = time.perf_counter()
    sc = load_scenario(scenario_arg)
    check_output(out, overwrite=overwrite)
    if from_run is not None and (epci or departement):
        raise ParameterError(
            "--from-run plans the area of that run; drop --epci/--departement, or drop "
            "--from-run to design the area first."
        )
    params = {
        "scenario": scenario_arg,
        "scenario_sha256": scenario_sha256(sc),
        "from_run": str(from_run) if from_run else None,
        "epci": epci,
        "departement": departement,
        "region": region,
        "exact": exact,
        "seed": seed,
    }
    if from_run is not None and region:
        from bthd.io.runs import open_run

        scope = open_run(from_run).manifest.get("parameters", {}).get("scope")
        if scope not in (None, "region"):
            raise ParameterError(
                f"--region: the run {from_run} covers {scope}, not the region; drop --region "
                "or give a run of the whole region (bthd demo --region)."
            )
    with tempfile.TemporaryDirectory(prefix="bthd-plan-") as tmp:
        design_run = from_run
        if design_run is None:
            from bthd import pipeline

            design_run = Path(tmp) / "design"
            console.print("Designing the area first (no --from-run)…")
            pipeline.run(
                design_run,
                epci=epci,
                departement=departement,
                whole_region=region,
                seed=seed,
                stages=("summary", "design"),
                command="bthd plan (design)",
            )
        res = plan_run(
            design_run, sc, exact=exact, exact_time_limit=time_limit, source=scenario_arg
        )
        inputs = {"scenario": scenario_arg}
        if from_run is not None:
            inputs["design_manifest"] = str(Path(from_run) / "manifest.json")
        write_plan(
            res, out, command="bthd plan", parameters=params, inputs=inputs, overwrite=overwrite
        )
    p = res.plan
    by_year = res.tables["plan_by_year"][
        ["year", "capacity", "lines_built", "raccordables", "coverage", "raccordes", "capex_eur"]
    ]
    print_table(by_year, f"Plan {sc.name}: lines by year ({p.method}, {p.seconds:.2f} s)")
    left = res.tables["plan_unreached"]
    if len(left):
        console.print(
            f"Not reached by {sc.horizon.end}: {int(left['lines_left'].sum()):,} lines in "
            f"{len(left)} deployment zones; at the last capacity they would be finished in "
            f"{int(left['finish_year'].max())} (tables/plan_unreached.csv)."
        )
    flags = res.tables["plan_flags"]
    if len(flags):
        counts = flags["kind"].value_counts().sort_index()
        console.print(
            "Rules not kept (tables/plan_flags.csv): "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
    if "plan_exact_gap" in res.tables:
        print_table(res.tables["plan_exact_gap"], "Greedy against exact")
    cal = res.tables["calibration"][["figure", "published", "model", "relative_error"]]
    print_table(cal, "Calibration against Mégalis's published figures (tables/calibration.csv)")
    console.print(
        f"Model lines / programme lines = {p.scale:.4f}: published line figures are read as "
        "shares of the programme (lines_basis), never forced. Premises and roads are "
        "SYNTHETIC (seeded); locaux counts are real (Arcep T1 2018)."
    )
    console.print(f"Run folder: {out} (done in {time.perf_counter() - t0:.1f} s)")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
