"""Benchmark: copper lines and eligibility by year for the whole RIP area, after the design.

    python scripts/bench_eligibility.py [--json OUT]

The region is generated and designed first (not timed here: see bench_synth.py and
bench_design.py); then copper lines (NRA→SR→premise, DSL rates, TV) and eligibility for
2015–2026 are timed. Target (issue 4): at most 20 s on a 2-core machine.
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from bthd import eligibility as el
    from bthd.network.copper import copper_lines
    from bthd.network.design import design
    from bthd.region import Region

    region = Region.embedded()
    des = design(region, polygons=False)
    assert region.sites is not None and des.snapped is not None
    rows = []
    t = time.perf_counter()
    cl = copper_lines(des.net, des.snapped, region.sites)
    rows.append(("copper lines, rates, TV", time.perf_counter() - t))
    t = time.perf_counter()
    fy = el.ftth_year(des.premises, el.default_schedule(region.communes))
    years = range(2015, 2027)
    tech, cls = el.eligibility_by_year(cl.lines, fy, years)
    locaux = des.premises["logements"] + des.premises["locaux_pro"]
    summary = el.summary_by_year(tech, cls, locaux)
    rows.append(("eligibility 2015–2026 and summary", time.perf_counter() - t))
    total = sum(s for _, s in rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"Whole RIP area: {len(cl.lines):,} premises, {cl.lines['sr_id'].notna().sum():,} via "
        f"an SR ({machine})\n"
    )
    print("| stage | seconds |\n|---|---:|")
    for k, v in rows:
        print(f"| {k} | {v:.1f} |")
    print(
        f"| **total** | **{total:.1f}** |\n\npeak memory (whole process, design included): "
        f"{peak:,.0f} MB; target 20 s: {'met' if total <= 20 else 'NOT met'}"
    )
    first, last = summary.iloc[0], summary.iloc[-1]
    print(
        f"\nBon haut débit (>= 8 Mbit/s): {first['share_bon_haut_debit']:.1%} in 2015, "
        f"{last['share_bon_haut_debit']:.1%} in 2026 (synthetic copper plant)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "premises": len(cl.lines),
                    "stages_s": {k: round(v, 2) for k, v in rows},
                    "total_s": round(total, 2),
                    "peak_memory_mb": round(peak),
                    "met": total <= 20,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
