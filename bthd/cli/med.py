"""``bthd med``: plan montée en débit operations and compare them with the Mégalis 2015 report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bthd.cli._common import console, handle_errors, print_table, progress
from bthd.cli.demo import DATA_OPT, PREMISES_OPT, ROADS_OPT, _scope_options, input_options
from bthd.reference import MEGALIS_2015

if TYPE_CHECKING:
    import pandas as pd

#: Default number of operations: the 2015 report's (Mégalis, seed 001; bthd.reference).
REPORT_OPERATIONS = int(MEGALIS_2015["operations"])


def med(
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to create."),
    budget: float | None = typer.Option(
        None,
        "--budget",
        min=0.0,
        help="Budget in € HT (operations and fibre); the operations are chosen within it.",
    ),
    operations: int | None = typer.Option(
        None,
        "--operations",
        "-n",
        min=0,
        help=f"Number of operations to choose (default {REPORT_OPERATIONS}, as in 2015).",
    ),
    exact: bool = typer.Option(
        False, "--exact", help="Exact selection (0/1 program) instead of greedy by benefit/€."
    ),
    epci: str | None = typer.Option(None, "--epci", help="One EPCI by SIREN."),
    departement: str | None = typer.Option(
        None, "--departement", "-d", help="One département: 22, 29, 35 or 56."
    ),
    region: bool = typer.Option(
        False, "--region", help="The whole RIP area of Brittany (the default)."
    ),
    year: int = typer.Option(
        2015,
        "--year",
        min=1990,
        max=2100,
        help="Year the operations are in service (FTTH within 5 years of it excludes an SR).",
    ),
    nra_zo: bool = typer.Option(
        False, "--nra-zo", help="Also consider NRA-ZO operations for the lines in the shadow."
    ),
    reuse: bool = typer.Option(
        False,
        "--reuse",
        help="Also design the FTTH network to find which MED fibre it reuses (slow on the "
        "whole region).",
    ),
    copper: Path | None = typer.Option(
        None,
        "--copper",
        help="Your NRA/SR file (CSV with x/y or lon/lat, or any vector format; columns site_id, "
        "site_type NRA|SR, optional tv) in place of the synthetic copper plant.",
    ),
    seed: int = typer.Option(2154, "--seed", help="Seed of the synthetic data."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run folder."),
    data: Path | None = DATA_OPT,
    premises: Path | None = PREMISES_OPT,
    roads: Path | None = ROADS_OPT,
) -> None:
    """Choose montée en débit operations on the copper plant into a run folder.

    Every SR of the copper plant is a candidate (excluded with a reason when FTTH comes within
    5 years of --year, or when it has too few lines); operations are chosen by benefit per euro
    (or exactly) under --budget or for --operations, and compared with the Mégalis 2015 report.
    """
    _scope_options(epci, departement, region)
    if budget is not None and operations is not None:
        raise typer.BadParameter(
            "give either --budget or --operations, not both", param_hint="--budget/--operations"
        )
    from bthd.io import check_output

    handle_errors(check_output)(out, overwrite=overwrite)  # fail before any work
    if budget is None and operations is None:
        operations = REPORT_OPERATIONS
    res = handle_errors(_run)(
        out=out,
        budget=budget,
        operations=operations,
        exact=exact,
        epci=epci,
        departement=departement,
        year=year,
        nra_zo=nra_zo,
        reuse=reuse,
        seed=seed,
        overwrite=overwrite,
        copper=copper,
        inputs=input_options(data, premises, roads, None, None),
    )
    rep = res["report"]
    sel = res["selected"]
    print_table(
        _shown(rep.table, ["Mégalis 2015 report", "bthd model"]),
        "Montée en débit: the Mégalis 2015 report and the bthd model",
    )
    console.print(rep.explanation, highlight=False)
    ba = rep.before_after
    ba = ba[ba["kind"] == "all"].drop(columns="kind").reset_index(drop=True)
    share = ba["figure"].str.startswith("share").to_numpy()
    for col in ("before", "after", "change"):
        ba[col] = ba[col].where(~share, (100 * ba[col]).round(1))
    ba["figure"] = ba["figure"].where(~share, ba["figure"] + " (%)")
    print_table(
        _shown(ba, ["before", "after", "change"]),
        "Lines concerned by the selected operations, before and after",
    )
    if len(sel):
        print_table(
            sel[
                [
                    "rank",
                    "kind",
                    "sr_id",
                    "nra_id",
                    "lines_served",
                    "gain_8",
                    "gain_tv",
                    "route_m",
                    "cost_eur",
                    "benefit_per_eur",
                ]
            ]
            .assign(benefit_per_keur=lambda d: (1000 * d["benefit_per_eur"]).round(3))
            .drop(columns="benefit_per_eur"),
            "Selected operations (first by rank; all in tables/med_selected.csv)",
            max_rows=10,
        )
    info = sel.attrs.get("selection", {})
    console.print(
        f"[bold]{len(sel)}[/] operations ({info.get('method', '')}), "
        f"{float(sel['cost_eur'].sum()) / 1e6:,.2f} M€ HT, "
        f"{float(sel['lines_served'].sum()):,.0f} locaux served; "
        f"{int(res['candidates']['eligible'].sum()):,} eligible candidates of "
        f"{len(res['candidates']):,}. Done in {res['seconds']:.1f} s."
    )
    console.print(
        "[yellow]Generated layers are SYNTHETIC[/] (seeded, see SOURCES.txt); locaux counts "
        "are real (Arcep T1 2018)."
    )
    console.print(f"Run folder: [bold]{res['path']}[/] (manifest.json, layers.gpkg, tables/*.csv)")


def _shown(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """A copy for display: whole numbers without decimals in ``cols``."""
    import math

    import numpy as np

    out = df.copy()
    for c in cols:
        vals = [
            int(v) if isinstance(v, float) and math.isfinite(v) and v.is_integer() else v
            for v in out[c].tolist()
        ]
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
        out[c] = arr
    return out


def _run(
    *,
    out: Path,
    budget: float | None,
    operations: int | None,
    exact: bool,
    epci: str | None,
    departement: str | None,
    year: int,
    nra_zo: bool,
    reuse: bool,
    seed: int,
    copper: Path | None = None,
    overwrite: bool,
    inputs: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """Compute (:func:`bthd.med.programme`) and write the run; return what the command prints."""
    from bthd import data
    from bthd.med import programme
    from bthd.network.copper import read_copper_sites
    from bthd.pipeline import synthetic_note
    from bthd.region import Region
    from bthd.runfolder import run_folder

    t0 = time.perf_counter()
    stages = [
        "load and generate",
        "road network",
        "copper lines",
        "candidates",
        "selection",
        "FTTH design",
        "write",
    ]
    timings: dict[str, float] = {}
    with progress() as prog:
        task = prog.add_task("starting", total=len(stages))
        last: list[Any] = [time.perf_counter(), ""]

        def stage(name: str) -> None:
            now = time.perf_counter()
            if last[1]:
                timings[str(last[1])] = round(now - float(last[0]), 3)
            last[0], last[1] = now, name
            prog.update(task, description=name, completed=stages.index(name))

        stage("load and generate")
        if inputs:  # the user's files; --copper joins them (generated only what is missing)
            from bthd.inputs import region_from_inputs

            reg = region_from_inputs(
                **inputs,
                copper=copper,
                epci=epci,
                departement=departement,
                seed=seed,
            )
            sites = None
        else:
            reg = Region.embedded(epci=epci, departement=departement, seed=seed)
            sites = read_copper_sites(copper) if copper is not None else None
        prg = programme(
            reg,
            budget=budget,
            operations=operations,
            exact=exact,
            year=year,
            nra_zo=nra_zo,
            reuse=reuse,
            copper_sites=sites,
            seed=seed,
            on_step=stage,
        )
        stage("write")
        scope = (
            f"epci {epci}" if epci else f"département {departement}" if departement else "region"
        )
        params = {
            "scope": scope,
            "epci": epci,
            "departement": departement,
            "budget_eur": budget,
            "operations": operations,
            "exact": exact,
            "year": year,
            "kinds": list(prg.kinds),
            "reuse": reuse,
            "seed": seed,
            "copper_plant": str(copper) if copper is not None else "synthetic (bthd.synth)",
            "med_settings": prg.settings.model_dump(),
            "schedule": "bthd.eligibility.default_schedule (derived from Arcep 2018)",
        }
        with run_folder(out, command="bthd med", parameters=params, overwrite=overwrite) as rf:
            if inputs:
                for rec in reg.meta.get("inputs", []):
                    rf.manifest.setdefault("inputs", {})[rec["role"]] = rec
                rf.manifest["layers_real_or_synthetic"] = reg.meta.get("layers", {})
            else:
                rf.add_input("embedded_bretagne", data.embedded_gpkg())
                if copper is not None:
                    rf.add_input("copper_plant", copper)
            rf.write_layers(prg.layers())
            for name, table in prg.tables().items():
                rf.write_table(name, table)
            rf.write_text("med_report_2015.txt", prg.report.explanation + "\n")
            note = synthetic_note(reg, seed, bool(inputs))
            rf.write_text("SOURCES.txt", f"{note}\n\nCredits: {data.CREDITS}\n")
            rf.manifest["synthetic"] = {"layers": list(reg.synthetic), "note": note}
            rf.manifest["credits"] = data.CREDITS
            rf.manifest["med"] = {
                "selection": prg.selected.attrs.get("selection", {}),
                "candidates": len(prg.candidates),
                "eligible": int(prg.candidates["eligible"].sum()),
                "timings_s": timings,
            }
    return {
        "path": out,
        "candidates": prg.candidates,
        "selected": prg.selected,
        "report": prg.report,
        "sunk": prg.sunk,
        "seconds": time.perf_counter() - t0,
    }


def register(app: typer.Typer) -> None:
    app.command("med")(med)
