"""Charts of the commission report, drawn with matplotlib and returned as PNG bytes.

The PNGs carry no timestamp or software version (``metadata={"Software": None}``), so the same
run draws the same bytes. Each chart is marked "SYNTHETIC" since it shows model results.

Not for: the printed map (see :mod:`bthd.maps.static`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

#: Resolution of the charts, dots per inch.
DPI = 150

_COLOURS = {
    "ftth": "#1b7837",
    "med": "#7fbf7b",
    "copper": "#d9d9d9",
    "none": "#b2182b",
}


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _mark(fig: Figure) -> None:
    fig.text(0.99, 0.99, "SYNTHETIC", ha="right", va="top", fontsize=7, color="#b2182b")


def _thousands(sep: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _p: f"{v:,.0f}".replace(",", sep))


def _sep(L: dict[str, str]) -> str:
    return L["thousands"]


def coverage_chart(cov: pd.DataFrame, L: dict[str, str]) -> bytes:
    """Stacked bars of locaux by access (FTTH, MED copper, copper, none) and the FTTH rate."""
    fig = Figure(figsize=(7.0, 3.4))
    ax = fig.add_subplot()
    x = cov["year"].astype(int).to_numpy()
    bottom = 0.0 * cov["locaux"].to_numpy()
    for col, key, label in (
        ("locaux_ftth", "ftth", "FTTH"),
        ("locaux_copper_med", "med", L["copper_med"]),
        ("locaux_copper", "copper", L["copper"]),
        ("locaux_none", "none", L["none"]),
    ):
        v = cov[col].to_numpy()
        ax.bar(x, v, bottom=bottom, color=_COLOURS[key], label=label, width=0.8)
        bottom = bottom + v
    ax.set_ylabel(L["locaux_axis"])
    ax.yaxis.set_major_formatter(_thousands(_sep(L)))
    ax.set_xticks(x, [str(y) for y in x], fontsize=8)
    ax2 = ax.twinx()
    ax2.plot(x, 100 * cov["ftth_rate"].to_numpy(), color="black", marker="o", ms=3, lw=1.2)
    ax2.set_ylim(0, 100)
    ax2.set_ylabel(L["rate_axis"] + " (%)")
    ax.legend(loc="upper left", fontsize=7, frameon=False, ncols=4, bbox_to_anchor=(0, 1.12))
    for a in (ax, ax2):
        a.spines["top"].set_visible(False)
    _mark(fig)
    fig.tight_layout()
    return _png(fig)


def epci_chart(
    names: Sequence[str],
    rates: Mapping[int, Sequence[float]],
    L: dict[str, str],
) -> bytes:
    """Horizontal bars of the FTTH rate of each EPCI, one bar per year of ``rates``.

    The EPCIs are sorted by the rate of the first year given (most advanced at the top).
    """
    years = list(rates)
    h = max(2.0, 0.22 * len(names) * len(years) + 1.0)
    fig = Figure(figsize=(7.0, h))
    ax = fig.add_subplot()
    first = rates[years[0]]
    order = sorted(range(len(names)), key=lambda i: (first[i], names[i]))
    bar = 0.8 / len(years)
    shades = ["#a6dba0", _COLOURS["ftth"], "#00441b"]
    for k, y in enumerate(years):
        pos = [i + (k - (len(years) - 1) / 2) * bar for i in range(len(order))]
        ax.barh(
            pos,
            [100 * rates[y][i] for i in order],
            height=bar,
            color=shades[k % len(shades)],
            label=str(y),
        )
    ax.set_yticks(range(len(order)), [names[i] for i in order])
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.set_xlim(0, 100)
    ax.set_xlabel(L["rate_axis"] + " (%)")
    ax.tick_params(axis="y", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    _mark(fig)
    fig.tight_layout()
    return _png(fig)


def funding_chart(plan: pd.DataFrame, funders: Sequence[str], L: dict[str, str]) -> bytes:
    """Stacked bars of the funding of each year by funder, millions of euros."""
    fig = Figure(figsize=(7.0, 3.2))
    ax = fig.add_subplot()
    x = plan["year"].astype(int).to_numpy()
    bottom = 0.0 * plan["capex_eur"].to_numpy()
    cmap = ["#4d4d4d", "#2166ac", "#67a9cf", "#1b7837", "#a6dba0", "#fdb863", "#b2abd2", "#e08214"]
    for i, f in enumerate(funders):
        v = plan[f"{f}_eur"].to_numpy() / 1e6
        ax.bar(x, v, bottom=bottom, label=L[f"funder_{f}"], color=cmap[i % len(cmap)], width=0.8)
        bottom = bottom + v
    ax.set_ylabel(L["meur_axis"])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.1f}".replace(".", L["decimal"])))
    ax.set_xticks(x, [str(y) for y in x], fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    _mark(fig)
    fig.tight_layout()
    return _png(fig)
