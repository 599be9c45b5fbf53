"""``bthd stages`` lists the main job's stages; ``bthd add RUN STAGE…`` runs stages on a run."""

from __future__ import annotations

from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors, print_table


def list_stages() -> None:
    """List the registered stages: what each needs and provides, and which run on a run folder."""
    import pandas as pd

    from bthd.stages import describe, stages

    rows = []
    for s in stages().values():
        d = describe(s)
        rows.append(
            {
                "stage": d["name"],
                "in demo": "yes" if s.demo else "no",
                "on a run folder": "yes" if d["runs_on_folder"] else "no",
                "needs": ", ".join(d["needs"]) or "-",
                "provides": ", ".join(d["provides"]),
            }
        )
    print_table(pd.DataFrame(rows), "Stages, in the order the main job runs them")
    for s in stages().values():
        console.print(f"[bold]{s.name}[/]: {s.description}")


def add(
    run: Path = typer.Argument(..., help="An existing run folder."),
    stage: list[str] = typer.Argument(..., help="Stages to run on it (see `bthd stages`)."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace files the stages wrote in an earlier call."
    ),
) -> None:
    """Run stages on an existing run folder and add their tables and layers to it."""
    from bthd.pipeline import run_on

    res = handle_errors(run_on)(run, stage, overwrite=overwrite)
    entry = res.manifest["stages"][-1]
    console.print(
        f"Added to [bold]{res.path}[/] in {entry['seconds']:.1f} s: {', '.join(entry['files'])}"
    )


def register(app: typer.Typer) -> None:
    app.command("stages")(list_stages)
    app.command("add")(add)
