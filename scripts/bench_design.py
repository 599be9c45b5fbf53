"""Benchmark the FTTH design: time per stage and peak memory, from 10^4 premises to the region.

    python scripts/bench_design.py                     # the series + naive vs Steiner, ~5 min
    python scripts/bench_design.py --premises 10000    # one size (communes nearest the centre)
    python scripts/bench_design.py --region            # the whole RIP area only
    python scripts/bench_design.py --json OUT.json     # also write the figures

Each size runs in its own process so that its peak memory is its own. Areas are contiguous: the
RIP communes nearest the centre of Brittany (Pontivy) until the number of premises is reached.
The comparison routes the same zoning two ways on a 10^4-premise area: bthd's Steiner trees,
and the naive approach of one networkx shortest path per PBO to its PM (and per PM to its NRO).
Targets (issue 3): the region in at most 120 s and 8 GB on a 2-core machine; near-linear growth.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

CENTRE = (247_000.0, 6_790_000.0)  # Pontivy, Lambert-93


def _communes_for(n_premises: int) -> list[str] | None:
    from bthd import data

    c = data.load_communes()
    c = c[c["zone_type"] == "RIP"]
    d = np.hypot(c["centre_x"] - CENTRE[0], c["centre_y"] - CENTRE[1])
    c = c.assign(d=d).sort_values(["d", "insee_code"])
    cum = c["locaux"].cumsum()
    k = int(np.searchsorted(cum.to_numpy(), n_premises)) + 1
    return c["insee_code"].iloc[:k].tolist()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n_premises: int | None) -> dict[str, object]:
    """Generate an area and design it; return the figures."""
    from bthd.network.design import design
    from bthd.region import Region

    t = time.perf_counter()
    if n_premises is None:
        region = Region.embedded()
    else:
        region = Region.embedded(communes=_communes_for(n_premises))
    gen = time.perf_counter() - t
    t = time.perf_counter()
    d = design(region)
    total = time.perf_counter() - t
    assert region.premises is not None
    bom = d.bom.groupby("category", sort=False)["cost_eur"].sum()
    return {
        "cost_by_category_meur": {k: round(v / 1e6, 2) for k, v in bom.items()},
        "cost_per_prise_with_drops_eur": round(d.cost_per_prise(drops=True), 1),
        "premises": len(region.premises),
        "locaux": int((region.premises["logements"] + region.premises["locaux_pro"]).sum()),
        "generate_s": round(gen, 2),
        "design_s": round(total, 2),
        "stages_s": d.timings,
        "nro": int((d.sites["site_type"] == "NRO").sum()),
        "pm": int((d.sites["site_type"] == "PM").sum()),
        "pbo": int((d.sites["site_type"] == "PBO").sum()),
        "cost_per_prise_eur": round(d.cost_per_prise(), 1),
        "peak_memory_mb": round(_peak_mb()),
    }


def naive_vs_steiner(n_premises: int = 10_000) -> dict[str, object]:
    """Route one zoning two ways: per-PBO shortest paths (networkx) and bthd's Steiner trees."""
    import networkx as nx

    from bthd.network.design import design
    from bthd.network.routing import route
    from bthd.region import Region

    region = Region.embedded(communes=_communes_for(n_premises))
    d = design(region, polygons=False)
    net, z = d.net, d.zoning
    t = time.perf_counter()
    rt = route(net, z)
    steiner_s = time.perf_counter() - t
    used_s = np.unique(rt.cables["edge"].to_numpy())

    G = nx.Graph()
    cost = net.edge_cost
    for i, (a, b) in enumerate(zip(net.u.tolist(), net.v.tolist(), strict=True)):
        if not G.has_edge(a, b) or G[a][b]["cost"] > cost[i]:
            G.add_edge(a, b, cost=float(cost[i]), idx=i)
    t = time.perf_counter()
    used: set[int] = set()
    pm_node = dict(zip(z.pm["site_id"], z.pm["node"], strict=True))
    nro_node = dict(zip(z.nro["site_id"], z.nro["node"], strict=True))
    pairs = [(nro_node[p], n) for p, n in zip(z.pm["parent_id"], z.pm["node"], strict=True)]
    pairs += [(pm_node[p], n) for p, n in zip(z.pbo["parent_id"], z.pbo["node"], strict=True)]
    for a, b in pairs:
        if a == b:
            continue
        path = nx.shortest_path(G, a, b, weight="cost")
        used.update(G[x][y]["idx"] for x, y in itertools.pairwise(path))
    naive_s = time.perf_counter() - t
    used_n = np.fromiter(used, np.int64)
    return {
        "premises": len(d.premises),
        "pbo": len(z.pbo),
        "pm": len(z.pm),
        "naive": {
            "trench_km": round(net.length[used_n].sum() / 1000, 2),
            "civil_works_meur": round(cost[used_n].sum() / 1e6, 3),
            "seconds": round(naive_s, 2),
        },
        "steiner": {
            "trench_km": round(net.length[used_s].sum() / 1000, 2),
            "civil_works_meur": round(cost[used_s].sum() / 1e6, 3),
            "seconds": round(steiner_s, 2),
        },
    }


def _subprocess(args: list[str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, *args, "--emit"], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--premises", type=int, help="one size only")
    ap.add_argument("--region", action="store_true", help="the whole RIP area only")
    ap.add_argument("--compare", action="store_true", help="naive vs Steiner only")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--emit", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.emit:
        if args.compare:
            res = naive_vs_steiner(args.premises or 10_000)
        else:
            res = run_one(None if args.region else args.premises)
        print(json.dumps(res))
        return 0
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    rows = []
    if args.region:
        rows.append(_subprocess(["--region"]))
    elif args.premises:
        rows.append(_subprocess(["--premises", str(args.premises)]))
    elif not args.compare:
        for n in (10_000, 30_000, 100_000, 300_000):
            rows.append(_subprocess(["--premises", str(n)]))
        rows.append(_subprocess(["--region"]))
    result: dict[str, object] = {"machine": machine, "sizes": rows}
    if rows:
        print(f"FTTH design ({machine})\n")
        stages = list(rows[0]["stages_s"])  # type: ignore[arg-type]
        print(
            "| premises | " + " | ".join(stages) + " | design s | s per 10^5 | peak MB | NRO | PM "
            "| PBO | € per prise |"
        )
        print("|" + "---:|" * (len(stages) + 8))
        for r in rows:
            st = r["stages_s"]
            per = float(r["design_s"]) / int(r["premises"]) * 1e5  # type: ignore[arg-type]
            print(
                f"| {r['premises']:,} | "
                + " | ".join(f"{st[s]:.1f}" for s in stages)  # type: ignore[index]
                + f" | {r['design_s']:.1f} | {per:.1f} | {r['peak_memory_mb']:,} | {r['nro']} "
                f"| {r['pm']:,} | {r['pbo']:,} | {r['cost_per_prise_eur']:,.0f} |"
            )
    if args.compare or not (args.premises or args.region):
        cmp_ = _subprocess(["--compare"])
        result["naive_vs_steiner"] = cmp_
        n, s = cmp_["naive"], cmp_["steiner"]  # type: ignore[index]
        print(
            f"\nNaive shortest paths vs Steiner trees, same zoning "
            f"({cmp_['premises']:,} premises, {cmp_['pm']} PM, {cmp_['pbo']:,} PBO)\n"
        )
        print("| routing | trench km | civil works M€ | seconds |\n|---|---:|---:|---:|")
        print(
            f"| naive: networkx shortest path per PBO and per PM | {n['trench_km']:,.1f} | "
            f"{n['civil_works_meur']:.3f} | {n['seconds']:.1f} |"
        )
        print(
            f"| bthd: Steiner trees per PM and per NRO | {s['trench_km']:,.1f} | "
            f"{s['civil_works_meur']:.3f} | {s['seconds']:.1f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
