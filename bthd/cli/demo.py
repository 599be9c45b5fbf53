"""``bthd demo``: the main job end to end on the embedded Brittany data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from bthd.cli._common import console, handle_errors, print_table, progress


def _scope_options(epci: str | None, departement: str | None, region: bool) -> None:
    if sum(x is not None and x is not False for x in (epci, departement, region or None)) > 1:
        raise typer.BadParameter("give at most one of --epci, --departement, --region")


def input_options(
    data: Path | None,
    premises: Path | None,
    roads: Path | None,
    copper: Path | None,
    communes: Path | None,
) -> dict[str, str | None]:
    """The user's files given on the command line (see ``bthd.inputs.region_from_inputs``)."""
    given = {
        "data": data,
        "premises": premises,
        "roads": roads,
        "copper": copper,
        "communes": communes,
    }
    return {k: str(v) for k, v in given.items() if v is not None}


DATA_OPT = typer.Option(
    None,
    "--data",
    help="Your region: a GeoPackage or folder of layers (communes, premises, roads, sites...).",
)
PREMISES_OPT = typer.Option(
    None,
    "--premises",
    help="Your premises: a BAN CSV (adresses-XX.csv[.gz]), an IPE file or any premises layer.",
)
ROADS_OPT = typer.Option(
    None,
    "--roads",
    help="Your roads: an OpenStreetMap extract (.osm.pbf, .osm) or a layer of road lines.",
)
COPPER_OPT = typer.Option(None, "--copper", help="Your NRA and SR sites (CSV or layer).")
COMMUNES_OPT = typer.Option(
    None, "--communes", help="Your communes layer, in place of the embedded one."
)


def run_with_progress(**kwargs: Any) -> Any:
    """Run the pipeline with a progress display of its stages."""
    from bthd import pipeline
    from bthd.stages import demo_stages, resolve

    asked = kwargs.get("stages")
    stages = [s.name for s in resolve(["load", *(asked or demo_stages())])] + ["write"]
    with progress() as prog:
        task = prog.add_task("starting", total=len(stages))

        def on_stage(name: str) -> None:
            prog.update(
                task, description=name, completed=stages.index(name) if name in stages else 0
            )

        return handle_errors(pipeline.run)(on_stage=on_stage, **kwargs)


def print_design(res: Any) -> None:
    """Print the design's headline figures, BOM summary and issues."""
    d = res.design
    if d is None:
        return
    sites = d.sites["site_type"].value_counts()
    console.print(
        f"[bold]Design[/]: {sites.get('NRO', 0)} NRO, {sites.get('PM', 0)} PM, "
        f"{sites.get('PBO', 0):,} PBO; "
        f"{d.links['length_m'].sum() / 1000:,.0f} km of cable sections on "
        f"{d.trench_m / 1000:,.0f} km of trench"
    )
    bom = d.bom.groupby("category", sort=False)["cost_eur"].sum().reset_index()
    bom["cost_meur"] = (bom["cost_eur"] / 1e6).round(2)
    print_table(bom[["category", "cost_meur"]], "Costs (M€ HT) by category")
    comp = res.tables["design_cost_comparison"]
    print_table(comp, "Cost per prise (€ HT): model and published figures")
    if len(d.issues):
        print_table(
            d.issues[["kind", "issue", "count"]], "Issues (details in tables/design_issues.csv)"
        )


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
    no_design: bool = typer.Option(False, "--no-design", help="Skip the FTTH design."),
    seed: int = typer.Option(2154, "--seed", help="Seed of the synthetic generator and design."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run folder."),
    data: Path | None = DATA_OPT,
    premises: Path | None = PREMISES_OPT,
    roads: Path | None = ROADS_OPT,
    copper: Path | None = COPPER_OPT,
    communes: Path | None = COMMUNES_OPT,
) -> None:
    """Run the main job (load, design, copper, MED, schedule, eligibility, coverage...) into a
    run folder: on the embedded Brittany data, or on your files (--data, --premises, --roads,
    --copper), generating only what they do not give."""
    _scope_options(epci, departement, region)
    res = run_with_progress(
        inputs=input_options(data, premises, roads, copper, communes),
        out=out,
        epci=epci,
        departement=departement,
        whole_region=region,
        zone_types=None if all_zones else ("RIP",),
        seed=seed,
        overwrite=overwrite,
        stages=("summary",) if no_design else None,
        command="bthd demo",
    )
    t = res.tables
    print_table(
        t["locaux_by_zone_type"][
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
    if len(t["locaux_by_epci"]) > 1:
        print_table(
            t["locaux_by_departement"][
                ["departement", "name", "communes", "locaux", "locaux_RIP", "ftth_coverage_2018"]
            ],
            "Locaux by département",
        )
    print_table(
        t["locaux_by_epci"][
            ["epci_siren", "name", "communes", "locaux", "locaux_RIP", "locaux_synthetic"]
        ].sort_values("locaux", ascending=False),
        "Locaux by EPCI",
        max_rows=15,
    )
    r = res.region
    assert r.premises is not None and r.road_edges is not None
    kind = {n: "synthetic" if n in r.synthetic else "real" for n in ("premises", "roads")}
    console.print(
        f"[bold]{len(r.premises):,}[/] {kind['premises']} address points, "
        f"{len(r.road_edges):,} {kind['roads']} road edges"
    )
    print_design(res)
    if "eligibility_by_year" in t:
        e = t["eligibility_by_year"]
        cols = (
            ["year"]
            + [c for c in e.columns if c.startswith("class ")]
            + ["share_bon_haut_debit", "share_tres_haut_debit"]
        )
        print_table(e[cols], "Locaux by rate class and year (copper, MED, then FTTH as scheduled)")
    console.print(
        f"Done in {sum(res.timings.values()):.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in res.timings.items())})"
    )
    if r.synthetic:
        console.print(
            f"[yellow]{', '.join(r.synthetic).capitalize()} are SYNTHETIC[/] (seeded); "
            "locaux counts are real (Arcep T1 2018)."
        )
    console.print(f"Run folder: [bold]{res.path}[/] (manifest.json, layers.gpkg, tables/*.csv)")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
