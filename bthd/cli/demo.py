"""``bthd demo``: the main job end to end on the embedded Brittany data."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors, print_table, progress


def demo(
    out: Path = typer.Option(Path("bthd-demo"), "--out", "-o", help="Run folder to create."),
    epci: str | None = typer.Option(
        None, "--epci", help="One EPCI by SIREN (default: CA Lamballe Terre et Mer, 200069391)."
    ),
    departement: str | None = typer.Option(
        None, "--departement", "-d", help="One département: 22, 29, 35 or 56."
    ),
    region: bool = typer.Option(
        False, "--region", help="The whole region (about 1.16 million RIP locaux)."
    ),
    all_zones: bool = typer.Option(
        False,
        "--all-zones",
        help="Generate premises in ZTD and AMII communes too, not only the RIP.",
    ),
    seed: int = typer.Option(2154, "--seed", help="Seed of the synthetic generator."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run folder."),
) -> None:
    """Load, generate, validate and summarise the embedded Brittany data into a run folder."""
    from bthd import pipeline

    if sum(x is not None and x is not False for x in (epci, departement, region or None)) > 1:
        raise typer.BadParameter("give at most one of --epci, --departement, --region")
    with progress() as prog:
        task = prog.add_task("starting", total=4)

        def on_stage(name: str) -> None:
            prog.update(task, description=name, advance=0 if name == "load and generate" else 1)

        res = handle_errors(pipeline.run)(
            out,
            epci=epci,
            departement=departement,
            whole_region=region,
            zone_types=None if all_zones else ("RIP",),
            seed=seed,
            overwrite=overwrite,
            on_stage=on_stage,
        )
    t = res.tables
    print_table(
        t["by_zone_type"][
            [
                "zone_type",
                "communes",
                "population",
                "locaux",
                "locaux_raccordables_2018",
                "ftth_coverage_2018",
                "addresses_synthetic",
                "locaux_synthetic",
            ]
        ],
        "Locaux by zone type (Arcep T1 2018; premises synthetic)",
    )
    if len(t["by_epci"]) > 1:
        print_table(
            t["by_departement"][
                ["departement", "name", "communes", "locaux", "locaux_RIP", "ftth_coverage_2018"]
            ],
            "Locaux by département",
        )
    print_table(
        t["by_epci"][
            ["epci_siren", "name", "communes", "locaux", "locaux_RIP", "locaux_synthetic"]
        ].sort_values("locaux", ascending=False),
        "Locaux by EPCI",
        max_rows=15,
    )
    r = res.region
    assert r.premises is not None and r.road_edges is not None
    n_sites = r.sites["site_type"].value_counts().to_dict() if r.sites is not None else {}
    console.print(
        f"[bold]{len(r.premises):,}[/] synthetic address points, "
        f"{len(r.road_edges):,} road edges, sites {n_sites}, in "
        f"{sum(res.timings.values()):.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in res.timings.items())})"
    )
    console.print(
        "[yellow]Premises, roads and copper sites are SYNTHETIC[/] (seeded); "
        "locaux counts are real (Arcep T1 2018)."
    )
    console.print(f"Run folder: [bold]{res.path}[/] (manifest.json, layers.gpkg, tables/*.csv)")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
