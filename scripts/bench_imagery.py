"""Benchmark: index orthophoto tiles and measure vegetation along aerial routes over an area.

    python scripts/bench_imagery.py --run RUN [--size-km 10] [--resolution 0.2] [--tiles DIR]
                                    [--json OUT]

Generates SYNTHETIC IRC tiles once (kept in ``--tiles``, default ``bench-imagery-tiles/``
beside the run; reused when present) over a square of ``--size-km`` centred on the run's aerial
distribution sections, then times the tile index and the vegetation analysis of every aerial
section inside the square, with the peak memory of each (the generation runs in a child process
so that its memory is not counted). Also reports the error against the known answer (the tree
crowns the generator drew). Target (issue 12): 10 km × 10 km at 20 cm (2.5 gigapixels), at most
2 GB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _generate(run: str, bounds: tuple[float, float, float, float], out: str, res: float) -> None:
    import pyogrio

    from bthd.imagery.settings import SynthImagerySettings
    from bthd.imagery.synthetic import write_synthetic_tiles

    layers = Path(run) / "layers.gpkg"
    roads = pyogrio.read_dataframe(layers, layer="roads", bbox=bounds)
    premises = pyogrio.read_dataframe(layers, layer="premises", bbox=bounds)
    write_synthetic_tiles(
        roads,
        bounds,
        out,
        premises=premises,
        departement="22",
        settings=SynthImagerySettings(resolution_m=res),
        products=("IRC",),
    )


def _many_tiles(folder: Path, n: int) -> Path:
    """``n`` small GeoTIFF tiles (8 × 8 px) named as IGN names them, written once."""
    if folder.exists():
        return folder
    import numpy as np
    import rasterio
    from affine import Affine

    tmp = folder.with_name(folder.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    side = int(np.ceil(np.sqrt(n)))
    data = np.zeros((3, 8, 8), dtype=np.uint8)
    for i in range(n):
        x, y = 200 + i % side, 6800 - i // side
        path = tmp / f"56-2019-{x:04d}-{y:04d}-LA93-0M20-E080.tif"
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=8,
            height=8,
            count=3,
            dtype="uint8",
            crs="EPSG:2154",
            transform=Affine(125.0, 0, x * 1000.0, 0, -125.0, y * 1000.0),
        ) as dst:
            dst.write(data)
    tmp.rename(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, required=True, help="a design run (bthd demo --out RUN)")
    ap.add_argument("--size-km", type=float, default=10.0)
    ap.add_argument("--resolution", type=float, default=0.2)
    ap.add_argument("--tiles", type=Path, help="tiles folder (generated when missing)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument(
        "--many", type=int, default=2000, help="also index this many small tiles (0: skip)"
    )
    args = ap.parse_args(argv)

    import geopandas as gpd
    import numpy as np
    import shapely

    from bthd.imagery.index import index_tiles
    from bthd.imagery.synthetic import TRUTH_FILE
    from bthd.imagery.vegetation import aerial_sections, known_answer_m, vegetation_along
    from bthd.io.runs import open_run

    run = open_run(args.run)
    sections = aerial_sections(run.layer("links"))
    mid = shapely.get_coordinates(sections.geometry.interpolate(0.5, normalized=True))
    cx, cy = np.median(mid[:, 0]), np.median(mid[:, 1])
    half = args.size_km * 500
    x0, y0 = round((cx - half) / 1000) * 1000, round((cy - half) / 1000) * 1000
    bounds = (float(x0), float(y0), x0 + 2 * half, y0 + 2 * half)
    tiles = (
        args.tiles
        or args.run.parent / f"bench-imagery-tiles-{args.size_km:g}km-{args.resolution:g}m"
    )
    rows: list[tuple[str, float, float]] = []
    if not tiles.exists():
        t = time.perf_counter()
        p = mp.get_context("spawn").Process(
            target=_generate, args=(str(args.run), bounds, str(tiles), args.resolution)
        )
        p.start()
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"tile generation failed (exit {p.exitcode})")
        rows.append(
            (
                "generate SYNTHETIC IRC tiles (once)",
                time.perf_counter() - t,
                _peak_mb(resource.RUSAGE_CHILDREN),
            )
        )
    t = time.perf_counter()
    index = index_tiles(tiles)
    rows.append((f"index {len(index)} tiles (headers)", time.perf_counter() - t, _peak_mb()))
    if args.many:
        many = _many_tiles(tiles.parent / f"bench-imagery-many-{args.many}", args.many)
        t = time.perf_counter()
        n = len(index_tiles(many))
        rows.append((f"index {n} small tiles (headers)", time.perf_counter() - t, _peak_mb()))
    inside = sections[sections.within(shapely.box(*bounds))]
    t = time.perf_counter()
    res = vegetation_along(inside, index)
    rows.append(("vegetation along aerial sections", time.perf_counter() - t, _peak_mb()))
    crowns = gpd.read_file(tiles / TRUTH_FILE)
    known = known_answer_m(inside, crowns)
    tab = res.sections.set_index("link_id").join(known)
    gpx = float((index["width"] * index["height"]).sum()) / 1e9
    detected, truth = float(tab["prune_m"].sum()), float(tab["known_prune_m"].sum())
    abs_err = float((tab["prune_m"] - tab["known_prune_m"]).abs().sum())
    result = {
        "benchmark": "imagery",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "area_km2": (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) / 1e6,
        "resolution_m": args.resolution,
        "tiles": len(index),
        "gigapixels": round(gpx, 3),
        "aerial_sections": len(inside),
        "aerial_km": round(float(inside.length.sum()) / 1000, 2),
        "prune_m_detected": round(detected, 1),
        "prune_m_known": round(truth, 1),
        "abs_error_m": round(abs_err, 1),
        "abs_error_share_of_known": round(abs_err / truth, 4) if truth else None,
        "stages": [
            {"stage": s, "seconds": round(sec, 2), "peak_mb": round(mb)} for s, sec, mb in rows
        ],
    }
    print("| stage | seconds | peak MB |\n|---|---:|---:|")
    for s, sec, mb in rows:
        print(f"| {s} | {sec:.2f} | {mb:.0f} |")
    print(
        f"\n{result['area_km2']:g} km² at {args.resolution:g} m: {len(index)} tiles, {gpx:.2f} "
        f"Gpx; {len(inside)} aerial sections ({result['aerial_km']} km); pruning {detected:.0f} m "
        f"found vs {truth:.0f} m known (absolute error {abs_err:.0f} m, "
        f"{100 * abs_err / truth if truth else 0:.1f} % of the known metres)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
