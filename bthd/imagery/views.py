"""Site views: the designed network drawn over the orthophotos (PNG, PDF) and PM site chips.

A view shows the mosaic of an area (a PM zone, a site, a bounding box) in natural colour (false
colour when only IRC tiles cover it), the network of a run over it (transport and distribution
links by civil-works type, NRO/PM/PBO sites, the zone's outline, premises, stretches to prune),
with a scale bar, a north arrow pointing to true north (Lambert-93's grid north differs by the
meridian convergence, about 4° in Brittany), the imagery's date, its credit (the campaign it
comes from, see :mod:`bthd.imagery.campaigns`) and the data credits. Wherever generated imagery
or generated data is shown the picture says **SYNTHETIC** across the image and in a banner.

Same inputs give byte-identical PNG and PDF files (no timestamps written).

Not for: computing anything shown (the mosaic and the vegetation come from their modules).
"""

from __future__ import annotations

import logging
import math
import os
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError, ParameterError
from bthd.imagery.campaigns import imagery_credit
from bthd.imagery.mosaic import Mosaic, read_mosaic

log = logging.getLogger(__name__)

#: Colours of the links by civil-works type, and of the sites by type.
WORKS_STYLE: dict[str, dict[str, Any]] = {
    "aerial": {"color": "#ff40ff", "linestyle": (0, (4, 2)), "label": "aerial (poles)"},
    "duct_reuse": {"color": "#00e5ff", "linestyle": "-", "label": "existing ducts"},
    "new_trench": {"color": "#ffd400", "linestyle": "-", "label": "new trench"},
}
SITE_STYLE: dict[str, dict[str, Any]] = {
    "NRO": {"marker": "s", "color": "#ff2d2d", "size": 90, "label": "NRO"},
    "PM": {"marker": "D", "color": "#ffe600", "size": 70, "label": "PM"},
    "PBO": {"marker": "o", "color": "#38f0a0", "size": 14, "label": "PBO"},
}
SYNTHETIC_BANNER = "SYNTHETIC — generated imagery and data, not a survey of the place"


@dataclass(frozen=True)
class ViewArea:
    """An area to show: bounds in Lambert-93 and what it is."""

    bounds: tuple[float, float, float, float]
    title: str
    zone: shapely.Geometry | None = None
    focus: str = ""


def area_of_pm(
    layers: Mapping[str, gpd.GeoDataFrame], pm_id: str, *, margin_m: float = 50.0
) -> ViewArea:
    """The area of a PM zone (``zones`` with ``zone_id == pm_id``), or around the PM site."""
    zones = layers.get("zones")
    if zones is not None and "zone_id" in zones.columns:
        z = zones[zones["zone_id"] == pm_id]
        if len(z):
            geom = shapely.union_all(z.geometry.to_numpy())
            b = geom.buffer(margin_m).bounds
            return ViewArea(tuple(float(v) for v in b), f"PM zone {pm_id}", zone=geom, focus=pm_id)  # type: ignore[arg-type]
    site = _site(layers, pm_id)
    return area_of_site(layers, str(site["site_id"]), title=f"PM {pm_id} (no zone polygon)")


def area_of_site(
    layers: Mapping[str, gpd.GeoDataFrame],
    site_id: str,
    *,
    half_size_m: float = 150.0,
    title: str = "",
) -> ViewArea:
    """A square of ``2 × half_size_m`` centred on a site."""
    site = _site(layers, site_id)
    p = site.geometry
    b = (p.x - half_size_m, p.y - half_size_m, p.x + half_size_m, p.y + half_size_m)
    label = title or f"{site.get('site_type', 'site')} {site_id}"
    return ViewArea(b, label, focus=site_id)


def _site(layers: Mapping[str, gpd.GeoDataFrame], site_id: str) -> pd.Series:
    sites = layers.get("sites")
    if sites is None or "site_id" not in sites.columns:
        raise InputError("the run has no sites layer. Fix: use a design run (bthd demo/design).")
    hit = sites[sites["site_id"] == site_id]
    if hit.empty:
        sample = ", ".join(sites["site_id"].astype(str).head(5))
        raise ParameterError(
            f"site {site_id!r} is not in the run's sites layer ({len(sites)} sites, e.g. "
            f"{sample}). Fix: pick an id from the sites layer."
        )
    return hit.iloc[0]


def _display_mosaic(
    index: gpd.GeoDataFrame, bounds: tuple[float, float, float, float], max_px: int
) -> tuple[Mosaic, str]:
    finest = float(index["res_m"].min()) if len(index) else 1.0
    side = max(bounds[2] - bounds[0], bounds[3] - bounds[1])
    res = max(finest, side / max_px)
    res = float(f"{res:.2g}")  # round numbers keep grids aligned and files stable
    try:
        return read_mosaic(index, bounds, kind="RGB", resolution=res), "natural colour"
    except InputError as exc:
        if "no RGB tile" not in str(exc):
            raise
        return read_mosaic(index, bounds, kind="IRC", resolution=res), "false colour (IRC)"


def render_view(
    index: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    area: ViewArea,
    out: str | os.PathLike[str] | None = None,
    *,
    synthetic_data: bool = False,
    data_credit: str = "",
    prune: gpd.GeoDataFrame | None = None,
    max_px: int = 1600,
    figsize: tuple[float, float] = (10.0, 10.5),
    dpi: int = 150,
    overwrite: bool = False,
) -> Any:
    """Draw the network over the imagery of an area; write PNG or PDF (by suffix) if ``out``.

    Parameters
    ----------
    index
        Tile footprints (:func:`bthd.imagery.index.index_tiles`).
    layers
        The run's layers (``sites``, ``links``, ``zones``, ``premises``; missing ones are
        skipped).
    area
        What to show (:func:`area_of_pm`, :func:`area_of_site` or a :class:`ViewArea`).
    out
        ``.png`` or ``.pdf`` file, written atomically; ``None`` returns the figure only.
    synthetic_data
        The run's data are generated (labels the picture SYNTHETIC even on real imagery).
    data_credit
        Credits of the run's data (printed under the picture).
    prune
        Stretches to prune (from :mod:`bthd.imagery.vegetation`) to draw in red.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if out is not None:
        _check_suffix(Path(out))
    m, colour = _display_mosaic(index, area.bounds, max_px)
    k = figsize[0] / 10.0  # text scales with the figure (chips are small)
    b = m.bounds
    box = shapely.box(*b)
    fig = plt.figure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes((0.08, 0.15, 0.88, 0.77))
    ax.imshow(m.rgb8(), extent=m.extent, interpolation="nearest", zorder=0)
    ax.set_facecolor("#202020")
    handles: list[Any] = []
    if area.zone is not None:
        _lines(
            ax,
            np.array([shapely.boundary(area.zone)]),
            color="white",
            linewidth=1.6,
            linestyle=(0, (6, 3)),
            zorder=2,
        )
        handles.append(Line2D([], [], color="white", linestyle="--", label="PM zone"))
    premises = _clip(layers.get("premises"), box)
    if premises is not None and len(premises):
        ax.scatter(premises.geometry.x, premises.geometry.y, s=3, c="white", linewidths=0, zorder=3)
        handles.append(
            Line2D([], [], marker="o", color="white", linestyle="", markersize=3, label="premises")
        )
    links = _clip(layers.get("links"), box)
    if links is not None and len(links):
        for works, style in WORKS_STYLE.items():
            for ltype, width in (("TR", 3.2), ("DI", 1.6)):
                sel = links[(links.get("works") == works) & (links.get("link_type") == ltype)]
                if len(sel):
                    _lines(
                        ax,
                        sel.geometry.to_numpy(),
                        color=style["color"],
                        linewidth=width,
                        linestyle=style["linestyle"],
                        zorder=4 if ltype == "DI" else 5,
                    )
            if (links.get("works") == works).any():
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=style["color"],
                        linestyle=style["linestyle"],
                        linewidth=2,
                        label=str(style["label"]),
                    )
                )
        if (links.get("link_type") == "TR").any():
            handles.append(Line2D([], [], color="0.8", linewidth=3.2, label="transport (thick)"))
    if prune is not None and len(prune):
        pr = _clip(prune, box)
        if pr is not None and len(pr):
            _lines(ax, pr.geometry.to_numpy(), color="#ff1a1a", linewidth=5, alpha=0.8, zorder=6)
            handles.append(Line2D([], [], color="#ff1a1a", linewidth=5, label="to prune"))
    sites = _clip(layers.get("sites"), box)
    if sites is not None and len(sites):
        for stype, style in SITE_STYLE.items():
            sel = sites[sites.get("site_type") == stype]
            if len(sel):
                ax.scatter(
                    sel.geometry.x,
                    sel.geometry.y,
                    s=style["size"],
                    marker=style["marker"],
                    c=style["color"],
                    edgecolors="black",
                    linewidths=0.8,
                    zorder=7,
                )
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker=style["marker"],
                        color=style["color"],
                        markeredgecolor="black",
                        linestyle="",
                        markersize=7 if stype != "PBO" else 4,
                        label=str(style["label"]),
                    )
                )
                if stype in ("NRO", "PM"):
                    for s in sel.itertuples():
                        ax.annotate(
                            str(s.site_id),
                            (s.geometry.x, s.geometry.y),
                            xytext=(6, 6),
                            textcoords="offset points",
                            fontsize=8 * k,
                            color="black",
                            bbox={"boxstyle": "round,pad=0.2", "fc": style["color"], "lw": 0},
                            zorder=8,
                        )
    ax.set_xlim(b[0], b[2])
    ax.set_ylim(b[1], b[3])
    ax.set_aspect("equal")
    ax.ticklabel_format(useOffset=False, style="plain")
    if k >= 0.75:
        ax.tick_params(labelsize=7 * k)
        ax.set_xlabel("x Lambert-93 (m)", fontsize=7 * k)
        ax.set_ylabel("y Lambert-93 (m)", fontsize=7 * k)
    else:  # a chip: the scale bar is enough
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=7 * max(k, 0.8), framealpha=0.85)
    _scale_bar(ax, b, k)
    _north_arrow(ax, b, k)
    synthetic = m.synthetic or synthetic_data
    date = ", ".join(m.dates) if m.dates else "unknown"
    fig.text(
        0.07,
        0.955,
        f"{area.title} — {colour}, {m.resolution:g} m/px, imagery date {date}",
        fontsize=11 * k,
        weight="bold",
    )
    credit = imagery_credit(
        departements=m.departements,
        resolution_m=float(index.loc[index["path"].isin(m.tiles), "res_m"].min()),
        dates=m.dates,
        synthetic=m.synthetic,
    )
    lines = [credit]
    if data_credit:
        lines.append(f"Network and data: {data_credit}")
    lines.append(f"Tiles read: {len(m.tiles)}. Drawn by bthd.imagery.views.")
    small = max(k, 0.85)  # credits stay legible on chips
    wrapped = "\n".join(textwrap.fill(t, int(150 * k / small)) for t in lines)
    fig.text(0.07, 0.015, wrapped, fontsize=6.5 * small, va="bottom", linespacing=1.3)
    if synthetic:
        _synthetic_marks(fig, ax, b, k)
    if out is not None:
        _save(fig, Path(out), overwrite=overwrite)
    return fig


def _lines(ax: Any, geoms: np.ndarray, **style: Any) -> None:
    """Draw (multi)linestrings as one LineCollection (much faster than GeoSeries.plot)."""
    from matplotlib.collections import LineCollection

    parts = shapely.get_parts(shapely.get_parts(geoms))
    parts = parts[np.isin(shapely.get_type_id(parts), [1, 2])]  # LineStrings, LinearRings
    segs = [shapely.get_coordinates(g) for g in parts]
    if segs:
        ax.add_collection(LineCollection(segs, **style))


def _clip(gdf: gpd.GeoDataFrame | None, box: shapely.Geometry) -> gpd.GeoDataFrame | None:
    if gdf is None or gdf.empty:
        return gdf
    return gdf.iloc[gdf.sindex.query(box, predicate="intersects")]


def _nice(length: float) -> float:
    exp = 10 ** math.floor(math.log10(length))
    for f in (5, 2, 1):
        if f * exp <= length:
            return f * exp
    return exp


def _scale_bar(ax: Any, b: tuple[float, float, float, float], k: float = 1.0) -> None:
    from matplotlib.patches import Rectangle

    width = b[2] - b[0]
    length = _nice(width / 5)
    x0 = b[2] - width * 0.05 - length
    y0 = b[1] + (b[3] - b[1]) * 0.04
    h = (b[3] - b[1]) * 0.012
    ax.add_patch(
        Rectangle(
            (x0 - width * 0.015, y0 - h * 1.2),
            length + width * 0.03,
            h * 5.2,
            facecolor="white",
            alpha=0.8,
            zorder=9,
        )
    )
    half = length / 2
    ax.add_patch(Rectangle((x0, y0), half, h, facecolor="black", zorder=10))
    ax.add_patch(
        Rectangle((x0 + half, y0), half, h, facecolor="white", edgecolor="black", zorder=10)
    )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(
        x0 + length / 2, y0 + h * 1.6, label, ha="center", va="bottom", fontsize=8 * k, zorder=11
    )


def _north_arrow(ax: Any, b: tuple[float, float, float, float], k: float = 1.0) -> None:
    from pyproj import Proj, Transformer

    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(cx, cy)
    gamma = float(Proj("EPSG:2154").get_factors(lon, lat).meridian_convergence)
    w, h = b[2] - b[0], b[3] - b[1]
    x, y = b[2] - 0.07 * w, b[3] - 0.16 * h
    length = 0.08 * h
    # true north is rotated by the convergence from grid north (clockwise when positive)
    dx, dy = -math.sin(math.radians(gamma)) * length, math.cos(math.radians(gamma)) * length
    ax.annotate(
        "",
        xy=(x + dx, y + dy),
        xytext=(x, y),
        arrowprops={
            "arrowstyle": "-|>,head_width=0.5,head_length=0.9",
            "color": "black",
            "lw": 2.5,
        },
        zorder=11,
    )
    ax.text(
        x + dx * 1.25,
        y + dy * 1.25,
        "N",
        ha="center",
        va="center",
        fontsize=13 * k,
        weight="bold",
        color="black",
        bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "alpha": 0.85, "lw": 0},
        zorder=11,
    )
    ax.text(
        x,
        y - 0.025 * h,
        f"true north\n(grid {gamma:+.1f}°)",
        ha="center",
        va="top",
        fontsize=6 * k,
        bbox={"fc": "white", "alpha": 0.75, "lw": 0, "pad": 1},
        zorder=11,
    )


def _synthetic_marks(
    fig: Any, ax: Any, b: tuple[float, float, float, float], k: float = 1.0
) -> None:
    ax.text(
        (b[0] + b[2]) / 2,
        (b[1] + b[3]) / 2,
        "SYNTHETIC",
        ha="center",
        va="center",
        rotation=30,
        fontsize=64 * k,
        weight="bold",
        color="white",
        alpha=0.35,
        zorder=12,
    )
    fig.text(
        0.5,
        0.935,
        SYNTHETIC_BANNER,
        ha="center",
        va="center",
        fontsize=9 * k,
        weight="bold",
        color="white",
        bbox={"fc": "#c00000", "lw": 0, "pad": 3},
    )


def _save(fig: Any, path: Path, *, overwrite: bool) -> None:
    import matplotlib.pyplot as plt

    from bthd.io import atomic_file

    suffix = _check_suffix(path)
    # no timestamp or version in the file: same inputs, same bytes
    meta = (
        {"Software": None}
        if suffix == ".png"
        else {"Creator": None, "Producer": None, "CreationDate": None}
    )
    with atomic_file(path, overwrite=overwrite) as tmp:
        fig.savefig(tmp, format=suffix[1:], metadata=meta)
    plt.close(fig)


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ParameterError(
            f"{path}: a view is written as .png or .pdf, not {suffix or 'no suffix'}."
        )
    return suffix


def pm_chips(
    index: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    out_dir: str | os.PathLike[str],
    *,
    half_size_m: float = 60.0,
    synthetic_data: bool = False,
    data_credit: str = "",
    overwrite: bool = False,
) -> pd.DataFrame:
    """An image chip (PNG) of every PM site of a run that the imagery covers.

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``file`` (empty when no tile covers the site) and ``status``.
    """
    sites = layers.get("sites")
    if sites is None or "site_type" not in sites.columns:
        raise InputError("the run has no sites layer. Fix: use a design run (bthd demo/design).")
    pms = sites[sites["site_type"] == "PM"].sort_values("site_id")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    covered = set(index.sindex.query(pms.geometry.to_numpy(), predicate="intersects")[0])
    rows = []
    for i, s in enumerate(pms.itertuples()):
        if i not in covered:
            rows.append({"site_id": s.site_id, "file": "", "status": "no imagery"})
            continue
        area = area_of_site(layers, str(s.site_id), half_size_m=half_size_m)
        path = out / f"{s.site_id}.png"
        render_view(
            index,
            layers,
            area,
            path,
            synthetic_data=synthetic_data,
            data_credit=data_credit,
            max_px=600,
            figsize=(6.0, 6.4),
            dpi=100,
            overwrite=overwrite,
        )
        rows.append({"site_id": s.site_id, "file": path.name, "status": "ok"})
    return pd.DataFrame(rows, columns=["site_id", "file", "status"])


def nonblank_share(png: str | os.PathLike[str]) -> float:
    """Share of the pixels of a PNG that differ from its most common colour (a check that a
    picture shows something)."""
    import matplotlib.image as mpimg

    img = mpimg.imread(str(png))[..., :3]
    flat = (img.reshape(-1, 3) * 255).astype(np.uint8)
    _, counts = np.unique(flat, axis=0, return_counts=True)
    return float(1 - counts.max() / counts.sum())
