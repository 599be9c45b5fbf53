"""``bthd ops ipe``: the plan against reality — a design run compared with an operator's IPE."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors, print_table

ops_app = typer.Typer(
    help="Operations: compare what was planned with what the infrastructure operator reports.",
    no_args_is_help=True,
)


@ops_app.command("ipe")
def ipe(
    file: Path = typer.Argument(..., help="IPE file of the infrastructure operator (CSV)."),
    run: Path = typer.Option(..., "--run", help="Design run folder (bthd demo / bthd design)."),
    as_of: int = typer.Option(..., "--as-of", help="Year of the IPE (for lateness)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder for the tables and layer."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out."),
) -> None:
    """Compare a run's design with an IPE: lines by state per PM zone and commune, late zones,
    passed complétude deadlines, PM references split across zones, unmatched addresses."""
    from bthd.export.reality import compare_ipe, write_reality
    from bthd.io.ipe import read_ipe
    from bthd.io.runs import open_run

    r = handle_errors(open_run)(run)
    reality = handle_errors(compare_ipe)(r, handle_errors(read_ipe)(file), as_of=as_of)
    print_table(reality.zones, f"PM zones against the IPE ({as_of})", max_rows=20)
    if len(reality.pm_refs):
        print_table(reality.pm_refs, "IPE PM references split across planned zones", max_rows=10)
    console.print(f"{len(reality.unmatched):,} addresses found on one side only")
    if out is not None:
        written = handle_errors(write_reality)(reality, out, overwrite=overwrite)
        console.print(f"Wrote {', '.join(str(p) for p in written)}")


def register(app: typer.Typer) -> None:
    app.add_typer(ops_app, name="ops")
