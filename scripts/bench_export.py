"""Benchmark: every export format and both GraceTHD versions of a run folder (the whole region).

    python scripts/bench_export.py --from-run RUN [--steps gpkg,gracethd-2.0.1,...] [--json OUT]

RUN is a run folder with a design, typically of the whole region (``bthd demo --region --out
RUN``, not timed here). Each step runs in a fresh Python process, so that its peak memory
(``ru_maxrss``) is its own: the GIS formats (gpkg, geojson, parquet, shp), then for each
GraceTHD version the delivery written (``gracethd-<v>``) and read back and checked
(``check-<v>``). Target (issue 11): a GraceTHD delivery of the region written in at most 60 s.
The CPU seconds of the step's process (including its imports) are given beside the wall-clock
seconds: on a loaded machine they are the better figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEPS = (
    "gpkg",
    "geojson",
    "parquet",
    "shp",
    "gracethd-2.0.1",
    "check-2.0.1",
    "gracethd-3.0.1",
    "check-3.0.1",
)
#: Seconds a GraceTHD delivery of the region may take to write (issue 11).
TARGET_S = 60.0


def _one(step: str, run: Path, work: Path) -> dict[str, object]:
    """Run one step in this process and return its figures."""
    from bthd.export.gis import delivery_folder, export

    kind, _, version = step.partition("-")
    out = work / step
    t = time.perf_counter()
    rows = 0
    if kind == "check":
        from bthd.export.gracethd.deliveries import check_delivery_any

        folder = work / f"gracethd-{version}" / delivery_folder(version)
        report = check_delivery_any(folder)
        rows = sum(report.rows.values())
        extra = {"errors": len(report.errors), "warnings": len(report.warnings)}
    elif kind == "gracethd":
        res = export(run, ["gracethd"], out, gracethd_versions=[version])
        rows = 0
        extra = {"files": len(res.files["gracethd"])}
    else:
        res = export(run, [kind], out)
        rows = sum(res.rows.values())
        extra = {"files": len(res.files[kind])}
    seconds = time.perf_counter() - t
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    return {
        "step": step,
        "seconds": round(seconds, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": round(peak),
        "rows": rows,
        "mb_written": round(size / 1e6, 1),
        **extra,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from-run", type=Path, required=True)
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--work", type=Path, help="folder for the outputs (a temporary one by default)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child, args.from_run, args.work)))
        return 0
    steps = [s for s in args.steps.split(",") if s]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        ap.error(f"unknown steps {', '.join(unknown)}; use {', '.join(STEPS)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-export-"))
    results = []
    try:
        for step in steps:
            cmd = [
                sys.executable,
                __file__,
                "--from-run",
                str(args.from_run),
                "--work",
                str(work),
                "--child",
                step,
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                print(done.stderr[-2000:], file=sys.stderr)
                results.append({"step": step, "error": done.stderr.strip().splitlines()[-1]})
                continue
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Export of {args.from_run} ({machine})\n")
    print("| step | seconds | CPU s (process) | peak MB | rows | MB written | notes |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['step']} | failed | | | | | {r['error']} |")
            continue
        notes = ", ".join(f"{k} {r[k]}" for k in ("files", "errors", "warnings") if k in r)
        print(
            f"| {r['step']} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:,} | "
            f"{r['rows']:,} | "
            f"{r['mb_written']:.1f} | {notes} |"
        )
    for r in results:
        if str(r.get("step", "")).startswith("gracethd-") and "seconds" in r:
            ok = float(r["seconds"]) <= TARGET_S  # type: ignore[arg-type]
            print(
                f"{r['step']}: {r['seconds']} s, target {TARGET_S:.0f} s "
                f"{'met' if ok else 'NOT met'}"
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": machine, "run": str(args.from_run), "results": results}, indent=2
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
