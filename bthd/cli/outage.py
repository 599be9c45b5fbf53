"""``bthd outage``: who loses service when a fibre, a PoP, an NRO or a PM is down."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bthd.cli._common import console, handle_errors, print_table

if TYPE_CHECKING:
    import pandas as pd


def outage(
    run: Path = typer.Argument(..., help="Run folder (holding layers.gpkg) or a GeoPackage."),
    cut: list[str] | None = typer.Option(
        None,
        "--cut",
        "-c",
        help="Id of a cut element (backbone link, PoP, collecte link, NRO, PM, PBO); "
        "repeat for several cut together.",
    ),
    all_failures: bool = typer.Option(
        False, "--all", help="Table of every single failure (backbone link, PoP, collecte, NRO)."
    ),
    uplink: list[str] | None = typer.Option(
        None,
        "--uplink",
        "-u",
        help="PoP where the network leaves for the Internet/Renater; repeat for several "
        "(default POP-RENNES).",
    ),
    single_extension: bool = typer.Option(
        False,
        "--single-extension",
        help="Model the Rennes–Saint-Malo extension as one link (default: secured, two paths).",
    ),
    csv: Path | None = typer.Option(
        None, "--csv", help="Write the premises cut off (--cut) or the failure table (--all)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --csv file."),
    max_rows: int = typer.Option(40, "--max-rows", help="Rows shown per table."),
) -> None:
    """List what goes down for the cut elements of RUN, or for every single failure (--all)."""
    from bthd.network import backbone as bb

    if bool(cut) == all_failures:
        raise typer.BadParameter("give either --cut ID (one or more) or --all", param_hint="--cut")
    uplinks = tuple(uplink) if uplink else bb.DEFAULT_UPLINKS
    secured = not single_extension
    layers = handle_errors(bb.network_layers)(run)
    if all_failures:
        table = handle_errors(bb.survivability)(
            layers.pops,
            layers.backbone,
            layers.collecte,
            layers.premises,
            uplinks=uplinks,
            secured_extension=secured,
        )
        view = bb.failure_table(table, uplinks=uplinks, secured_extension=secured)
        print_table(view.shown, view.title, max_rows=max_rows)
        console.print(
            f"{view.elements} elements; [bold]{view.cutting}[/] cut off locaux when they fail "
            f"alone, {view.harmless} cut off nothing."
        )
        if csv is not None:
            handle_errors(_write_csv)(table, csv, overwrite)
        return
    report = handle_errors(bb.outage)(layers, cut or [], uplinks=uplinks, secured_extension=secured)
    console.print(report.summary(), highlight=False)
    for title, df in report.tables():
        print_table(df, title, max_rows=max_rows)
    if csv is not None:
        handle_errors(_write_csv)(report.premises_table(), csv, overwrite)


def _write_csv(df: pd.DataFrame, path: Path, overwrite: bool) -> None:
    from bthd.io import atomic_file, check_output

    check_output(path, overwrite=overwrite)
    with atomic_file(path, overwrite=overwrite) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n")
    console.print(f"Wrote {len(df):,} rows to [bold]{path}[/]")


def register(app: typer.Typer) -> None:
    app.command("outage")(outage)
