"""Benchmark: generate and validate the whole RIP area of Brittany and build its road graph.

    python scripts/bench_synth.py [--json OUT] [--seed N] [--no-graph]

Prints a small markdown table (seconds per stage, peak memory) and writes it as JSON with the
machine's description. Target (issue 2): at most 30 s and 4 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bthd import data, synth
from bthd.region import graph_from_layers
from bthd.schema import validate


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--seed", type=int, default=2154)
    ap.add_argument("--no-graph", action="store_true", help="skip the networkx graph build")
    args = ap.parse_args(argv)

    rows: list[tuple[str, float]] = []
    t = time.perf_counter()
    communes = data.load_communes()
    rows.append(("load embedded communes", time.perf_counter() - t))
    t = time.perf_counter()
    sy = synth.generate(communes, seed=args.seed, zone_types=("RIP",))
    rows.append(("generate premises, roads, copper", time.perf_counter() - t))
    t = time.perf_counter()
    validate(sy.premises, "premises", source="premises")
    validate(sy.road_edges, "roads", source="roads")
    validate(sy.copper_sites, "sites", source="copper")
    rows.append(("validate premises, roads, sites", time.perf_counter() - t))
    if not args.no_graph:
        t = time.perf_counter()
        G = graph_from_layers(sy.road_nodes, sy.road_edges)
        rows.append(("build osmnx MultiDiGraph", time.perf_counter() - t))
        n_dir_edges = G.number_of_edges()
    total = sum(s for _, s in rows)
    locaux = int((sy.premises["logements"] + sy.premises["locaux_pro"]).sum())
    result = {
        "benchmark": "synth",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "premises_addresses": len(sy.premises),
        "locaux": locaux,
        "road_edges": len(sy.road_edges),
        "road_nodes": len(sy.road_nodes),
        "copper_sites": len(sy.copper_sites),
        "stages_s": {k: round(v, 2) for k, v in rows},
        "total_s": round(total, 2),
        "peak_memory_mb": round(_peak_mb()),
        "target": "<= 30 s and <= 4096 MB",
        "met": total <= 30 and _peak_mb() <= 4096,
    }
    if not args.no_graph:
        result["graph_directed_edges"] = n_dir_edges
    print(
        f"Whole RIP area: {len(sy.premises):,} address points, {locaux:,} locaux, "
        f"{len(sy.road_edges):,} road edges ({result['machine']})\n"
    )
    print("| stage | seconds |\n|---|---:|")
    for k, v in rows:
        print(f"| {k} | {v:.1f} |")
    print(
        f"| **total** | **{total:.1f}** |\n\npeak memory: {result['peak_memory_mb']} MB "
        f"(target {result['target']}: {'met' if result['met'] else 'NOT met'})"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
