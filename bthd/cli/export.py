"""``bthd export``: a run folder into GIS formats and a GraceTHD delivery for engineers."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import console, err_console, handle_errors

_FORMATS_HELP = (
    "gpkg (styled for QGIS), geojson (WGS 84), parquet, shp, gracethd (AVP deliveries, "
    "v2.0.1 and v3.0.1 C2)."
)


def export(
    run: Path = typer.Argument(..., help="Run folder (written by `bthd demo`)."),
    formats: list[str] = typer.Option(
        ..., "--format", "-f", help=f"Format, repeatable: {_FORMATS_HELP}"
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (new or empty)."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace a non-empty output folder once the export is done."
    ),
    check: bool = typer.Option(
        True,
        "--check/--no-check",
        help="Read the GraceTHD delivery back and check it (mandatory fields, lists, keys).",
    ),
    versions: list[str] = typer.Option(
        ["2.0.1", "3.0.1"],
        "--gracethd-version",
        help="GraceTHD version(s) of --format gracethd, repeatable: 2.0.1 (gracethd-v2.0.1/), "
        "3.0.1 at container C2 (gracethd-v3.0.1/). Both by default.",
    ),
) -> None:
    """Export RUN into OUT: one file or folder per format; exit code 1 if the check fails."""
    from bthd.export import FORMATS
    from bthd.export.gis import export as do_export

    wanted = [f.strip().lower() for spec in formats for f in spec.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise typer.BadParameter(
            f"unknown format(s) {', '.join(bad)}; use {', '.join(FORMATS)}", param_hint="--format"
        )
    result = handle_errors(do_export)(
        run, wanted, out, overwrite=overwrite, check=check, gracethd_versions=versions
    )
    for fmt, files in result.files.items():
        main = [f for f in files if not f.endswith((".shx", ".dbf", ".prj", ".cpg"))]
        console.print(f"[bold]{fmt}[/]: {len(files)} files in {out}")
        for f in main[:30]:
            console.print(f"  {f}")
        if len(main) > 30:
            console.print(f"  … {len(main) - 30} more")
    if result.rows:
        console.print(
            "layers: " + ", ".join(f"{n} {r:,}".replace(",", " ") for n, r in result.rows.items())
        )
    failed = []
    for version, report in result.checks.items():
        console.print(report.format(), markup=False, highlight=False, soft_wrap=True)
        if report.ok:
            console.print(f"[green]GraceTHD v{version} check passed[/]")
        else:
            failed.append(version)
    if failed:
        err_console.print(
            f"[bold red]the GraceTHD delivery fails the check[/] (v{', v'.join(failed)})"
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
