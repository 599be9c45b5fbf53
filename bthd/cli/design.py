"""``bthd design``: the FTTH design alone (NRO/PM/PBO, Steiner routing, sizing, BOM, costs)."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import console, print_table
from bthd.cli.demo import (
    COMMUNES_OPT,
    COPPER_OPT,
    DATA_OPT,
    PREMISES_OPT,
    ROADS_OPT,
    _scope_options,
    input_options,
    print_design,
    run_with_progress,
)


def design(
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to create."),
    epci: str | None = typer.Option(None, "--epci", help="One EPCI by SIREN."),
    departement: str | None = typer.Option(None, "--departement", "-d", help="One département."),
    region: bool = typer.Option(False, "--region", help="The whole RIP area of Brittany."),
    within: str | None = typer.Option(
        None, "--within", help="Keep PM zones within each 'commune' or 'epci'."
    ),
    rounds: int = typer.Option(2, "--rounds", help="Steiner local-search rounds per tree."),
    seed: int = typer.Option(2154, "--seed", help="Seed of the synthetic data and the design."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run folder."),
    data: Path | None = DATA_OPT,
    premises: Path | None = PREMISES_OPT,
    roads: Path | None = ROADS_OPT,
    copper: Path | None = COPPER_OPT,
    communes: Path | None = COMMUNES_OPT,
) -> None:
    """Design the FTTH network of an area into a run folder: of the embedded region, or of your
    files (--data, --premises, --roads, --copper), generating only what they do not give."""
    from bthd.pipeline import DESIGN_STAGES

    _scope_options(epci, departement, region)
    if within not in (None, "commune", "epci"):
        raise typer.BadParameter("use 'commune' or 'epci'", param_hint="--within")
    res = run_with_progress(
        out=out,
        epci=epci,
        departement=departement,
        whole_region=region,
        seed=seed,
        overwrite=overwrite,
        stages=DESIGN_STAGES,
        inputs=input_options(data, premises, roads, copper, communes),
        command="bthd design",
        design_options={"within": within, "rounds": rounds},
    )
    print_design(res)
    assert res.design is not None
    print_table(
        res.design.cost_by_pm.sort_values("cost_per_prise", ascending=False)[
            ["pm_id", "nro_id", "lines", "total", "cost_per_prise"]
        ],
        "Most expensive PM zones",
        max_rows=10,
    )
    console.print(
        f"Design stages: {', '.join(f'{k} {v:.1f} s' for k, v in res.design.timings.items())}"
    )
    console.print(f"Run folder: [bold]{res.path}[/]")


def register(app: typer.Typer) -> None:
    app.command("design")(design)
