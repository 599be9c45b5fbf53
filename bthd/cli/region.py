"""``bthd region check PATH…``: what your files give for a design, every problem at once."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import EXIT_INPUT, console, err_console, handle_errors, print_table

region_app = typer.Typer(
    help="Your own territory: check the files a design would run on.",
    no_args_is_help=True,
)


@region_app.command("check")
def check(
    paths: list[Path] = typer.Argument(
        ...,
        help="Your files: a region GeoPackage or folder, BAN or IPE addresses, an OSM extract "
        "(.osm.pbf, .osm) or roads layer, NRA/SR sites, communes. Each file's role is found "
        "from its content.",
    ),
    epci: str | None = typer.Option(None, "--epci", help="The area: one EPCI by SIREN."),
    departement: str | None = typer.Option(
        None, "--departement", "-d", help="The area: one département."
    ),
    seed: int = typer.Option(2154, "--seed", help="Seed of what would be generated."),
) -> None:
    """Report the layers PATHs give (real, or missing and generated), their counts, CRS and
    extent against the communes, and every problem; exit code 0 only when a design can run."""
    from bthd.cli.demo import _scope_options
    from bthd.inputs import check_inputs

    _scope_options(epci, departement, False)
    rep = handle_errors(check_inputs)(list(paths), epci=epci, departement=departement, seed=seed)
    if len(rep.files):
        files = rep.files.astype(object).where(rep.files.notna(), "")
        files["inside"] = files["inside"].map(lambda v: "" if v == "" else f"{100 * v:.1f} %")
        print_table(files, "Files (inside: share of the features in the area's communes)")
    if len(rep.layers):
        print_table(rep.layers, "Layers of the design")
    if rep.region is not None:
        area = rep.region.meta["area"]
        codes = area["communes"]
        shown = ", ".join(codes[:12]) + (f" and {len(codes) - 12} more" if len(codes) > 12 else "")
        console.print(f"Area: {len(codes)} communes ({area['rule']}): {shown}", highlight=False)
        made = [k for k, v in rep.region.meta["layers"].items() if v == "synthetic"]
        if made:
            console.print(
                f"[yellow]Would be generated (synthetic, seed {seed})[/]: {', '.join(made)}",
                highlight=False,
            )
    for w in rep.warnings:
        console.print(f"[yellow]warning:[/] {w.format()}", highlight=False, soft_wrap=True)
    if rep.problems:
        err_console.print(
            f"[bold red]{len(rep.problems)} problem{'s' if len(rep.problems) > 1 else ''}[/]: "
            "a design cannot run on these files",
            highlight=False,
        )
        for p in rep.problems:
            err_console.print(f"  - {p.format()}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT)
    console.print("[green]A design can run on these files.[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(region_app, name="region")
