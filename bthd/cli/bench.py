"""``bthd bench``: measure bthd's algorithms on reference instances.

``bthd bench steiner FILE...`` solves PACE 2018 Steiner tree instances (``.gr`` or ``.gr.gz``),
checks every tree, and prints cost, gap to the optimum (from an ``optima.csv`` beside the files)
and seconds, optionally next to networkx's Mehlhorn heuristic run on the same instance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bthd.cli._common import console, handle_errors, print_table, progress

if TYPE_CHECKING:
    import pandas as pd

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

#: Name of the file of proven optima looked for beside the instances (columns file, optimum).
OPTIMA_FILE = "optima.csv"


def read_optima(paths: Sequence[Path]) -> dict[Path, float]:
    """Proven optima of the instances, from the ``optima.csv`` files beside them."""
    import pandas as pd

    from bthd._errors import InputError

    found: dict[Path, float] = {}
    for folder in sorted({p.resolve().parent for p in paths}):
        csv = folder / OPTIMA_FILE
        if not csv.is_file():
            continue
        try:
            df = pd.read_csv(csv)
        except Exception as exc:
            raise InputError(f"{csv}: unreadable ({exc}). Fix or remove it.") from exc
        if not {"file", "optimum"} <= set(df.columns):
            has = ", ".join(map(str, df.columns))
            raise InputError(f"{csv}: needs columns 'file' and 'optimum' (has {has}).")
        for name, opt in zip(df["file"], df["optimum"], strict=True):
            found[(folder / str(name)).resolve()] = float(opt)
    return {p: found[p.resolve()] for p in paths if p.resolve() in found}


def run_steiner_bench(
    paths: Sequence[Path],
    *,
    baseline: bool = False,
    rounds: int | None = None,
    seed: int = 0,
    time_limit: float | None = None,
    on_instance: Callable[[Path], None] | None = None,
) -> pd.DataFrame:
    """Solve each PACE instance, check the tree, and tabulate cost, gap and seconds.

    Parameters
    ----------
    paths
        PACE ``.gr``/``.gr.gz`` files.
    baseline
        Also run networkx's ``approximation.steiner_tree`` (Mehlhorn) on each instance.
    rounds, seed, time_limit
        Passed to :func:`bthd.network.steiner.steiner_tree_csr`.
    on_instance
        Called with each path before it is solved (progress display).

    Returns
    -------
    pandas.DataFrame
        One row per instance: ``file, nodes, edges, terminals, cost, optimum, gap_pct,
        seconds`` and, with ``baseline``, ``nx_cost, nx_gap_pct, nx_seconds``. Seconds count
        the solving only (not the reading).
    """
    import numpy as np
    import pandas as pd

    from bthd.io.pace import read_pace
    from bthd.network.steiner import check_tree_csr, steiner_tree_csr

    optima = read_optima(paths)
    rows: list[dict[str, Any]] = []
    for path in paths:
        if on_instance is not None:
            on_instance(path)
        inst = read_pace(path)
        t0 = time.perf_counter()
        res = steiner_tree_csr(
            inst.n_nodes,
            inst.u,
            inst.v,
            inst.w,
            inst.terminals,
            rounds=rounds,
            seed=seed,
            time_limit=time_limit,
        )
        seconds = time.perf_counter() - t0
        check_tree_csr(
            inst.n_nodes, inst.u, inst.v, inst.terminals, res.edges, source=f"{path}: bthd's tree"
        )
        opt = optima.get(path, np.nan)
        row: dict[str, Any] = {
            "file": path.name,
            "nodes": inst.n_nodes,
            "edges": len(inst.u),
            "terminals": len(inst.terminals),
            "cost": res.cost,
            "optimum": opt,
            "gap_pct": 100.0 * (res.cost / opt - 1.0) if opt > 0 else np.nan,
            "seconds": seconds,
        }
        if baseline:
            nx_cost, nx_seconds = _networkx_mehlhorn(inst)
            row.update(
                {
                    "nx_cost": nx_cost,
                    "nx_gap_pct": 100.0 * (nx_cost / opt - 1.0) if opt > 0 else np.nan,
                    "nx_seconds": nx_seconds,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def summarize(df: pd.DataFrame) -> dict[str, float]:
    """Mean and worst gap, total seconds and time ratio to the baseline of a bench table."""
    out: dict[str, float] = {
        "instances": len(df),
        "mean_gap_pct": float(df["gap_pct"].mean()),
        "worst_gap_pct": float(df["gap_pct"].max()),
        "seconds": float(df["seconds"].sum()),
    }
    if "nx_seconds" in df:
        out.update(
            {
                "nx_mean_gap_pct": float(df["nx_gap_pct"].mean()),
                "nx_worst_gap_pct": float(df["nx_gap_pct"].max()),
                "nx_seconds": float(df["nx_seconds"].sum()),
                "time_ratio": float(df["seconds"].sum() / df["nx_seconds"].sum()),
            }
        )
    return out


def _networkx_mehlhorn(inst: Any) -> tuple[float, float]:
    """Cost and seconds of networkx's Mehlhorn heuristic (graph building not timed)."""
    import networkx as nx
    import numpy as np

    u, v, w = inst.u, inst.v, inst.w
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    a, b, w = a[keep], b[keep], w[keep]
    order = np.lexsort((w, a * inst.n_nodes + b))  # cheapest of parallel edges last wins
    G = nx.Graph()
    G.add_nodes_from(range(inst.n_nodes))
    G.add_weighted_edges_from(
        zip(a[order[::-1]].tolist(), b[order[::-1]].tolist(), w[order[::-1]].tolist(), strict=True)
    )
    t0 = time.perf_counter()
    T = nx.algorithms.approximation.steiner_tree(
        G, inst.terminals.tolist(), weight="weight", method="mehlhorn"
    )
    seconds = time.perf_counter() - t0
    return float(T.size(weight="weight")), seconds


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
