"""Steiner tree quality and speed: bthd against networkx's Mehlhorn heuristic.

Runs both on the Vienna fibre-planning instances of PACE 2018 in ``../shared/bench/steiner-vienna``
(beside the repository), in the same run on the same machine, checks every tree, and prints a
markdown table; ``--json OUT`` also writes the figures. Skips with a message when the instances
are not there (they are not shipped with bthd).

Usage::

    python scripts/bench_steiner.py [--json OUT] [--dir DIR] [--rounds N] [--seed S]

Targets (issue "design engine"): mean gap <= 1 %, worst <= 3 %, total time <= 3x networkx.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "steiner-vienna"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the table and summary to this file")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of .gr.gz files")
    parser.add_argument("--rounds", type=int, default=None, help="iterated local search rounds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    files = sorted(args.dir.glob("*.gr.gz")) + sorted(args.dir.glob("*.gr"))
    if not files:
        print(f"skipped: no PACE instances in {args.dir}")
        return 0

    from bthd.network.steiner_bench import run_steiner_bench, summarize

    def say(path: Path) -> None:
        print(f"solving {path.name}", file=sys.stderr, flush=True)

    df = run_steiner_bench(
        files, baseline=True, rounds=args.rounds, seed=args.seed, on_instance=say
    )
    s = summarize(df)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Steiner trees on {len(df)} instances of {args.dir.name} ({machine})\n")
    print(
        "| instance | nodes | edges | terminals | optimum | bthd cost | gap % | s "
        "| networkx gap % | networkx s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in df.itertuples():
        print(
            f"| {r.file} | {r.nodes} | {r.edges} | {r.terminals} | {r.optimum:.0f} "
            f"| {r.cost:.0f} | {r.gap_pct:.3f} | {r.seconds:.2f} | {r.nx_gap_pct:.2f} "
            f"| {r.nx_seconds:.2f} |"
        )
    print(
        f"| **all** | | | | | | **{s['mean_gap_pct']:.3f}** (worst {s['worst_gap_pct']:.3f})"
        f" | **{s['seconds']:.1f}** | {s['nx_mean_gap_pct']:.2f} (worst "
        f"{s['nx_worst_gap_pct']:.2f}) | {s['nx_seconds']:.1f} |"
    )
    print(
        f"\nmean gap {s['mean_gap_pct']:.3f} %, worst {s['worst_gap_pct']:.3f} %, "
        f"time {s['seconds']:.1f} s = {s['time_ratio']:.2f}x networkx Mehlhorn "
        f"(mean gap {s['nx_mean_gap_pct']:.2f} %, {s['nx_seconds']:.1f} s)"
    )
    if args.json:
        payload = {"machine": machine, "summary": s, "instances": df.to_dict(orient="records")}
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
