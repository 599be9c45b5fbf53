"""``bthd validate``: check a user's file against a layer schema and print every problem."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors


def validate(
    path: Path = typer.Argument(
        ..., help="File to check (GeoPackage, GeoJSON, Shapefile, GeoParquet, CSV)."
    ),
    kind: str = typer.Option(
        ...,
        "--kind",
        "-k",
        help="Layer kind: communes, epci, departements, premises, roads, sites, links, zones; "
        "or gracethd (PATH is then a GraceTHD delivery folder, v2.0.1 or v3.0.1, or an export "
        "folder holding deliveries).",
    ),
    layer: str | None = typer.Option(
        None, "--layer", "-l", help="Layer name in a multi-layer file."
    ),
    repair: bool = typer.Option(
        False, "--repair", help="Accept invalid geometries that make_valid repairs."
    ),
    crs: str | None = typer.Option(
        None, "--crs", help="CRS of a CSV's coordinates (e.g. EPSG:2154)."
    ),
    container: str = typer.Option(
        "C2",
        "--container",
        help="GraceTHD v3 container whose controls to run: C1, C2 (design), C3 or C4.",
    ),
) -> None:
    """Validate PATH as a layer of KIND; exit code 0 only when it is valid."""
    import warnings

    from bthd.io import read
    from bthd.schema import LAYERS

    if kind == "gracethd":
        from bthd.export.gracethd.deliveries import check_delivery_any, find_deliveries

        if container.upper() not in ("C1", "C2", "C3", "C4"):
            raise typer.BadParameter(
                f"unknown container {container!r}; use C1, C2, C3 or C4", param_hint="--container"
            )
        ok = True
        for folder, _version in handle_errors(find_deliveries)(path):
            report = handle_errors(check_delivery_any)(folder, container=container.upper())
            console.print(report.format(), markup=False, highlight=False, soft_wrap=True)
            ok = ok and report.ok
        raise typer.Exit(0 if ok else 1)
    if kind not in LAYERS:
        raise typer.BadParameter(
            f"unknown kind {kind!r}; use one of {', '.join(LAYERS)}, gracethd",
            param_hint="--kind",
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = handle_errors(read)(path, kind=kind, layer=layer, repair=repair, crs=crs)
    for w in caught:
        console.print(f"[yellow]warning:[/] {w.message}")
    console.print(
        f"[green]valid[/]: {path} — {len(gdf):,} {kind} rows, "
        f"geometry {', '.join(sorted(gdf.geom_type.unique()))}, CRS {gdf.crs.to_string()}"
    )


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
