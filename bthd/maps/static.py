"""Printed maps of a run (matplotlib): coverage by commune and the network, PNG and PDF.

:func:`static_map` draws a :class:`bthd.maps.content.MapContent` on one A4 landscape page in
Lambert-93: communes filled by FTTH coverage in the map's year (the classes and colours of the
web map), EPCI and département boundaries, the backbone, transport (and, for one EPCI,
distribution) cables by size, NRO, PM, MED sites and PoPs; a legend, a scale bar, a north arrow
pointing to true north (Lambert-93's grid north is turned by the meridian convergence, about
4° in Brittany), the credits and the synthetic-data note. :func:`write_static_maps` writes it
as PNG and/or PDF, deterministically.

Not for: figures (see :mod:`bthd.maps.content`) or interactive maps (:mod:`bthd.maps.web`).
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from bthd.maps import _style as st

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from bthd.maps.content import MapContent

#: Page size (inches, A4 landscape) and PNG resolution (dots per inch).
PAGE_IN: tuple[float, float] = (11.69, 8.27)
PNG_DPI = 150
FORMATS: tuple[str, ...] = ("png", "pdf")


def _lines(ax: Axes, g: gpd.GeoDataFrame, **kw: object) -> None:
    from matplotlib.collections import LineCollection

    if g.empty:
        return
    parts = shapely.get_parts(g.geometry.to_numpy())
    segs = [np.asarray(shapely.get_coordinates(p)) for p in parts if not p.is_empty]
    ax.add_collection(LineCollection(segs, **kw))  # type: ignore[arg-type]


def _cables(ax: Axes, g: gpd.GeoDataFrame, *, scale: float, alpha: float, z: float) -> None:
    if g.empty:
        return
    cls = st.cable_class(g["cable_size"].to_numpy(float))
    for k, (col, w) in enumerate(zip(st.CABLE_COLOURS, st.CABLE_WEIGHTS, strict=True)):
        sub = g.loc[cls == k]
        _lines(ax, sub, colors=col, linewidths=w * scale, alpha=alpha, zorder=z)


def _points(ax: Axes, g: gpd.GeoDataFrame | None, kind: str, size: float, z: float) -> None:
    if g is None or g.empty:
        return
    xy = shapely.get_coordinates(g.geometry.to_numpy())
    col, _ = st.SITE_STYLE[kind]
    ax.scatter(xy[:, 0], xy[:, 1], s=size, c=col, edgecolors="white", linewidths=0.4, zorder=z)


def _nice_length(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k m) close to a fifth of the map's width."""
    target = width_m / 5.0
    k = 10 ** math.floor(math.log10(target))
    return float(max((m * k for m in (1, 2, 5) if m * k <= target), default=k))


def _scale_bar(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    length = _nice_length(x1 - x0)
    bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    for i in range(4):
        ax.add_patch(
            _rect(bx + i * length / 4, by, length / 4, h, "black" if i % 2 == 0 else "white")
        )
    unit, div = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    lab = f"{length / div:g} {unit}"
    ax.text(bx, by + 1.8 * h, "0", ha="center", va="bottom", fontsize=7, zorder=30)
    ax.text(bx + length, by + 1.8 * h, lab, ha="center", va="bottom", fontsize=7, zorder=30)


def _rect(x: float, y: float, w: float, h: float, colour: str) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="black", linewidth=0.6, zorder=30)


def true_north_angle(x: float, y: float) -> float:
    """Angle (degrees, counter-clockwise from the grid's up) of true north at a Lambert-93 point."""
    from pyproj import Transformer

    to_geo = Transformer.from_crs(2154, 4326, always_xy=True)
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    x2, y2 = to_l93.transform(lon, lat + 0.05)
    return math.degrees(math.atan2(-(x2 - x), y2 - y))


def _north_arrow(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    a = math.radians(true_north_angle((x0 + x1) / 2, (y0 + y1) / 2))
    cx, cy = x1 - 0.05 * (x1 - x0), y1 - 0.12 * (y1 - y0)
    n = 0.06 * (y1 - y0)
    dx, dy = -math.sin(a) * n, math.cos(a) * n
    ax.annotate(
        "",
        xy=(cx + dx, cy + dy),
        xytext=(cx, cy),
        arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": "black", "lw": 2},
        zorder=30,
    )
    ax.text(
        cx + 1.3 * dx,
        cy + 1.3 * dy,
        "N",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        zorder=30,
    )


#: The map's words by language (the map is drawn in English unless told ``lang="fr"``).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "no_data": st.NO_DATA_LABEL,
        "backbone": "backbone (schematic)",
        "cable": "cable",
        "legend": "FTTH coverage of locaux, {year}",
        "title": "FTTH coverage {year} and network — {area}",
        "summary": "{locaux} locaux in {communes} communes; FTTH raccordables in {year}: "
        "{ftth} ({share}) · {nro} NRO, {pm} PM · transport {tr} km, distribution {di} km",
        "data": "Data",
    },
    "fr": {
        "no_data": "aucun local modélisé (hors zone RIP)",
        "backbone": "dorsale (tracé schématique)",
        "cable": "câble",
        "legend": "Couverture FTTH des locaux, {year}",
        "title": "Couverture FTTH {year} et réseau — {area}",
        "summary": "{locaux} locaux dans {communes} communes ; raccordables FTTH en {year} : "
        "{ftth} ({share}) · {nro} NRO, {pm} PM · transport {tr} km, distribution {di} km",
        "data": "Données",
        "synthetic": "DONNÉES SYNTHÉTIQUES : les positions des locaux, les routes, le réseau "
        "cuivre et le réseau conçu sur eux sont générés par bthd (graine fixe) ; les nombres de "
        "locaux par commune sont réels (Arcep T1 2018).",
        "simplified": "Formes simplifiées pour l'affichage (tolérance {tol:g} m).",
    },
}


def _legend(ax: Axes, mc: MapContent, lang: str = "en") -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    h: list[object] = [
        Patch(facecolor=c, edgecolor="#555555", label=lab)
        for c, lab in zip(st.COVERAGE_COLOURS, st.COVERAGE_LABELS, strict=True)
    ]
    w = LABELS[lang]
    h.append(Patch(facecolor=st.NO_DATA_COLOUR, edgecolor="#555555", label=w["no_data"]))
    for kind, lab in (("POP", "PoP"), ("NRO", "NRO"), ("PM", "PM"), ("MED", "MED / NRA-ZO")):
        if kind == "MED" and "med" not in mc.layers:
            continue
        h.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=st.SITE_STYLE[kind][0],
                markeredgecolor="white",
                markersize=7 if kind != "PM" else 5,
                label=lab,
            )
        )
    h.append(Line2D([], [], color="black", lw=2.2, label=w["backbone"]))
    h.append(Line2D([], [], color="#d7191c", lw=1, ls="--", label="collecte NRO → PoP"))
    for c, width, lab in zip(st.CABLE_COLOURS, st.CABLE_WEIGHTS, st.CABLE_LABELS, strict=True):
        h.append(Line2D([], [], color=c, lw=width, label=f"{w['cable']} {lab}"))
    leg = ax.legend(
        handles=h,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7,
        title=w["legend"].format(year=mc.year),
        title_fontsize=8,
        frameon=False,
    )
    leg._legend_box.align = "left"  # type: ignore[attr-defined]


def static_map(mc: MapContent, lang: str = "en") -> Figure:
    """Draw the map of ``mc`` on an A4 landscape figure (not saved), in English or French."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=PAGE_IN)
    ax = fig.add_axes((0.03, 0.17, 0.72, 0.72))
    L = mc.layers
    c = L["communes"]
    x0, y0, x1, y1 = c.total_bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad

    c.plot(
        ax=ax,
        color=st.coverage_colour(c["ftth_share"].to_numpy(float)),
        edgecolor="#7a7a7a",
        linewidth=0.3,
        zorder=1,
    )
    if "epci" in L and len(L["epci"]) > 1:
        L["epci"].boundary.plot(ax=ax, color="#333333", linewidth=0.8, zorder=2)
    if "departements" in L:
        L["departements"].boundary.plot(ax=ax, color="#111111", linewidth=1.4, zorder=2)
    if "distribution" in L:
        _cables(ax, L["distribution"], scale=0.35, alpha=0.6, z=3)
    if "transport" in L:
        _cables(ax, L["transport"], scale=0.7 if mc.detail else 0.55, alpha=0.95, z=4)
    if "backbone" in L:
        b = L["backbone"]
        coll = b["role"].astype(str) == "collecte"
        _lines(
            ax, b.loc[coll], colors="#d7191c", linewidths=0.6, linestyles="--", alpha=0.7, zorder=5
        )
        _lines(ax, b.loc[~coll], colors="black", linewidths=2.2, zorder=5)
    small = not mc.detail
    _points(ax, L.get("pm"), "PM", 5 if small else 12, 6)
    _points(ax, L.get("med"), "MED", 14 if small else 30, 7)
    _points(ax, L.get("nro"), "NRO", 16 if small else 45, 8)
    _points(ax, L.get("pop"), "POP", 50, 9)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_linewidth(0.6)
    _scale_bar(ax, x0, y0, x1, y1)
    _north_arrow(ax, x0, y0, x1, y1)
    _legend(ax, mc, lang)

    f = mc.figures
    w = LABELS[lang]
    title = mc.title if lang == "en" else w["title"].format(year=mc.year, area=mc.area)
    fig.text(0.03, 0.955, title, fontsize=14, fontweight="bold", va="top")
    fig.text(
        0.03,
        0.915,
        w["summary"].format(
            locaux=st.fr_int(f["locaux"]),
            communes=f["communes"],
            year=mc.year,
            ftth=st.fr_int(f["ftth_locaux"]),
            share=st.fr_pct(f["ftth_share"]),
            nro=f["nro"],
            pm=f["pm"],
            tr=st.fr_int(f["transport_km"]),
            di=st.fr_int(f["distribution_km"]),
        ),
        fontsize=9,
        va="top",
    )
    notes = " ".join(mc.aggregated) if lang == "en" else w["simplified"].format(tol=mc.tolerance_m)
    synthetic = mc.synthetic_note if lang == "en" or not mc.synthetic_note else w["synthetic"]
    fig.text(
        0.03,
        0.145,
        textwrap.fill(synthetic, 170),
        fontsize=7.5,
        color="#b30000",
        va="top",
        fontweight="bold",
    )
    fig.text(
        0.03,
        0.085,
        textwrap.fill(f"{w['data']}: {mc.credits}. {notes} Lambert-93 (EPSG:2154).", 190),
        fontsize=6.5,
        color="#333333",
        va="top",
    )
    return fig


def _check_formats(formats: tuple[str, ...]) -> None:
    from bthd._errors import ParameterError

    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ParameterError(
            f"static map format {', '.join(bad)} unknown; choose from {', '.join(FORMATS)}"
        )


def static_bytes(
    mc: MapContent, formats: tuple[str, ...] = FORMATS, *, lang: str = "en"
) -> dict[str, bytes]:
    """The map encoded in each format (``png``, ``pdf``), deterministically.

    Raises
    ------
    bthd.ParameterError
        For a format other than png or pdf.
    """
    import io

    _check_formats(formats)
    fig = static_map(mc, lang)
    out = {}
    for fmt in formats:
        buf = io.BytesIO()
        if fmt == "png":
            fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        else:
            fig.savefig(
                buf,
                format="pdf",
                metadata={"CreationDate": None, "Creator": "bthd", "Title": mc.title},
            )
        out[fmt] = buf.getvalue()
    return out


def write_static_maps(
    mc: MapContent,
    stem: str | os.PathLike[str],
    *,
    formats: tuple[str, ...] = FORMATS,
    overwrite: bool = False,
) -> list[Path]:
    """Write the map as ``STEM.png`` and/or ``STEM.pdf`` (atomically, deterministically).

    Raises
    ------
    bthd.ParameterError
        For a format other than png or pdf.
    bthd.OutputExistsError
        If a file exists and ``overwrite`` is false (nothing is written).
    """
    from bthd.io import atomic_file, check_output

    _check_formats(formats)
    paths = [Path(f"{stem}.{fmt}") for fmt in formats]
    for p in paths:
        check_output(p, overwrite=overwrite)
    data = static_bytes(mc, formats)
    for fmt, path in zip(formats, paths, strict=True):
        with atomic_file(path, overwrite=overwrite) as tmp:
            tmp.write_bytes(data[fmt])
    return paths
