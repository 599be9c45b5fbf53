"""Steiner solver on PACE 2018 reference instances: cost, gap to the proven optimum, seconds.

Used by ``bthd bench steiner`` and ``scripts/bench_steiner.py``; optionally beside networkx's
Mehlhorn heuristic on the same instances.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bthd._errors import InputError
from bthd.io.pace import read_pace
from bthd.network.steiner import check_tree_csr, steiner_tree_csr

#: Name of the file of proven optima looked for beside the instances (columns file, optimum).
OPTIMA_FILE = "optima.csv"


def read_optima(paths: Sequence[Path]) -> dict[Path, float]:
    """Proven optima of the instances, from the ``optima.csv`` files beside them."""
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
