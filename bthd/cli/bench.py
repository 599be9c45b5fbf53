"""``bthd bench``: measure bthd's algorithms on reference instances.

``bthd bench steiner FILE...`` solves PACE 2018 Steiner tree instances (``.gr`` or ``.gr.gz``),
checks every tree, and prints cost, gap to the optimum (from an ``optima.csv`` beside the files)
and seconds, optionally next to networkx's Mehlhorn heuristic run on the same instance.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bthd.cli._common import console, handle_errors, print_table, progress

if TYPE_CHECKING:
    pass

bench_app = typer.Typer(
    help="Measure bthd's algorithms on reference instances (quality and speed).",
    no_args_is_help=True,
)

_LABELS = {
    "gap_pct": "gap %",
    "nx_cost": "nx cost",
    "nx_gap_pct": "nx gap %",
    "nx_seconds": "nx seconds",
}


@bench_app.command("steiner")
def steiner(
    files: list[Path] = typer.Argument(..., help="PACE 2018 instances (.gr or .gr.gz)."),
    csv: Path | None = typer.Option(None, "--csv", help="Also write the table to this CSV file."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --csv file."),
    baseline: bool = typer.Option(
        False, "--baseline", help="Also run networkx's approximation.steiner_tree (Mehlhorn)."
    ),
    rounds: int | None = typer.Option(
        None, "--rounds", min=0, help="Rounds of iterated local search (default 6)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the random choices."),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Seconds per instance after which no new round starts."
    ),
) -> None:
    """Solve Steiner tree instances, check each tree, print cost, gap and seconds.

    Gaps to the optimum need an optima.csv (columns file,optimum) beside the files.
    """
    handle_errors(_steiner)(files, csv, overwrite, baseline, rounds, seed, time_limit)


def _steiner(
    files: list[Path],
    csv: Path | None,
    overwrite: bool,
    baseline: bool,
    rounds: int | None,
    seed: int,
    time_limit: float | None,
) -> None:
    import pandas as pd

    from bthd._errors import InputNotFoundError
    from bthd.io._atomic import atomic_file, check_output
    from bthd.network.steiner_bench import run_steiner_bench, summarize

    for f in files:
        if not f.is_file():
            raise InputNotFoundError(f, "PACE instance")
    if csv is not None:
        check_output(csv, overwrite=overwrite)  # refuse before hours of work, not after
    with progress() as prog:
        task = prog.add_task("solving", total=len(files))
        done = [0]

        def tick(path: Path) -> None:
            prog.update(task, description=f"solving {path.name}", completed=done[0])
            done[0] += 1

        df = run_steiner_bench(
            files,
            baseline=baseline,
            rounds=rounds,
            seed=seed,
            time_limit=time_limit,
            on_instance=tick,
        )
    s = summarize(df)
    shown = df
    if df["optimum"].isna().all():  # no optima.csv: no gaps to show
        shown = df.drop(columns=[c for c in ("optimum", "gap_pct", "nx_gap_pct") if c in df])
    print_table(
        shown.rename(columns=_LABELS),
        title="Steiner trees (bthd" + (" vs networkx Mehlhorn)" if baseline else ")"),
        max_rows=len(df),
    )
    summary: dict[str, Any] = {
        "instances": str(len(df)),
        "mean gap %": s["mean_gap_pct"],
        "worst gap %": s["worst_gap_pct"],
        "seconds": s["seconds"],
    }
    if baseline:
        summary.update(
            {
                "nx mean gap %": s["nx_mean_gap_pct"],
                "nx worst gap %": s["nx_worst_gap_pct"],
                "nx seconds": s["nx_seconds"],
                "time ratio": s["time_ratio"],
            }
        )
    sdf = pd.DataFrame([summary])
    if shown is not df:
        sdf = sdf.drop(columns=[c for c in sdf.columns if "gap" in c])
    print_table(sdf, title="Summary")
    if csv is not None:
        with atomic_file(csv, overwrite=overwrite) as tmp:
            df.to_csv(tmp, index=False)
        console.print(f"written: {csv}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
