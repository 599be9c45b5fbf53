"""Charts of a plan comparison (PNG): coverage curves, funding by funder, equity, rural share.

Presentation only: every figure drawn comes from :func:`bthd.phasing.compare.compare`. Each
chart says in its footer that the design behind the plans is synthetic.

Not for: computing anything (:mod:`bthd.phasing.compare`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Footer of every chart.
SYNTHETIC_NOTE = (
    "Plans on a SYNTHETIC design (bthd: seeded premises and roads; locaux counts real, "
    "Arcep T1 2018)"
)


def _fig(title: str) -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=110)
    ax.set_title(title)
    fig.text(0.01, 0.01, SYNTHETIC_NOTE, fontsize=7, color="0.35")
    return fig, ax


def _save(fig: Figure, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.subplots_adjust(bottom=0.17)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def _style(i: int) -> dict[str, Any]:
    """Line style of the ``i``-th plan."""
    return {
        "linestyle": ("-", "--", ":", "-.")[i % 4],
        "marker": ("o", "s", "^", "D")[i % 4],
        "markersize": 6 - i % 3,
    }


def charts(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the comparison charts into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    by_year = tables["compare_by_year"]
    fig, ax = _fig("Coverage: share of the plannable lines raccordable")
    for i, (run, g) in enumerate(by_year.groupby("run", sort=False)):
        # styles differ so that plans with the same curve stay visible
        ax.plot(g["year"], 100 * g["coverage"], label=str(run), **_style(i))
    ax.set_ylabel("% raccordable")
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.legend()
    paths.append(_save(fig, out / "coverage.png"))

    fund = tables["compare_funding"]
    pivot = fund.pivot(index="run", columns="funder", values="eur").reindex(
        columns=fund["funder"].unique()
    )
    pivot = pivot.loc[list(dict.fromkeys(fund["run"]))]
    fig, ax = _fig("Funding by funder (M€ HT)")
    bottom = None
    for funder in pivot.columns:
        vals = pivot[funder] / 1e6
        ax.bar(pivot.index.astype(str), vals, bottom=bottom, label=str(funder))
        bottom = vals if bottom is None else bottom + vals
    ax.set_ylabel("M€")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.subplots_adjust(right=0.8)
    paths.append(_save(fig, out / "funding.png"))

    eq = tables["compare_equity"]
    fig, ax = _fig("Equity: coverage across EPCI (P10–P90 band, median line)")
    for run, g in eq.groupby("run", sort=False):
        line = ax.plot(g["year"], 100 * g["median"], label=f"{run} median")
        ax.fill_between(
            g["year"], 100 * g["p10"], 100 * g["p90"], alpha=0.2, color=line[0].get_color()
        )
    ax.set_ylabel("% of the EPCI's lines raccordable")
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.legend()
    paths.append(_save(fig, out / "equity.png"))

    fig, ax = _fig("Rural share of the lines built each year")
    for i, (run, g) in enumerate(by_year.groupby("run", sort=False)):
        g = g[g["lines_built"] > 0]
        ax.plot(g["year"], 100 * g["rural_share_built"], label=str(run), **_style(i))
    ax.axhline(50, color="0.5", lw=0.8, ls="--")
    ax.set_ylabel("% rural")
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.legend()
    paths.append(_save(fig, out / "rural_share.png"))
    return paths
