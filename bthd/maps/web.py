"""The interactive web map of a run: one self-contained HTML file (folium and Leaflet).

:func:`web_map` draws a :class:`bthd.maps.content.MapContent`: communes coloured by FTTH
coverage in the chosen year, PM zones (by year, phase or NRO), backbone and PoPs, NRO, PM,
transport cables by size, MED sites and, at the detail scale (one EPCI), premises, PBOs and
distribution cables; tooltips give the run's figures; a layer control switches layers and base
maps (OpenStreetMap, IGN Géoplateforme orthophotos by WMTS); a legend says what the colours
mean, what was aggregated at this scale and what is synthetic; credits name every source.

The page works offline from ``file://``: Leaflet is vendored (``bthd/resources/maps/vendor``)
and inlined, folium's CDN links are not used, the data are embedded. Only the base-map tiles
need a network. The output is deterministic (element ids are numbered, not random).

Not for: computing figures (see :mod:`bthd.maps.content`), printed maps (:mod:`bthd.maps.static`).
"""

from __future__ import annotations

import html
import json
import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium import Map, TileLayer
from folium.map import Layer, LayerControl
from folium.template import Template

from bthd.maps import _style as st
from bthd.maps._page import COORD_DECIMALS, HELPER_JS, PAGE_CSS, legend_html, title_html
from bthd.maps._vendor import head_html
from bthd.maps.content import MapContent

log = logging.getLogger(__name__)

#: Largest page the map aims at (bytes); a larger one is written with a warning.
MAX_BYTES = 20_000_000


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: IGN Géoplateforme WMTS, layer ORTHOIMAGERY.ORTHOPHOTOS, Web Mercator tile matrix set "PM".
IGN_ORTHO_TILES = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&TILEMATRIXSET=PM"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=image/jpeg"
)
#: Credits in the map's corner (the legend has them in full, with the synthetic note).
SHORT_CREDITS = "Data: IGN/Etalab, INSEE, Arcep (Licence Ouverte) · network and premises: SYNTHETIC"

#: Hosts of the base-map tiles: the only requests the page makes.
TILE_HOSTS: tuple[str, ...] = ("tile.openstreetmap.org", "data.geopf.fr")


class GeoJsonLayer(Layer):
    """A GeoJSON overlay drawn by the page's ``bthdLayer`` helper.

    Each feature carries ``s``, the index of its style in ``styles`` (Leaflet path options,
    a ``radius`` for points) and ``t``, its tooltip (HTML, escaped).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = bthdLayer({{ this.data }}, {{ this.styles }});
        {% endmacro %}
        """
    )

    def __init__(
        self, data: str, styles: list[dict[str, Any]], *, name: str, show: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoJsonLayer"
        self.data = data
        self.styles = json.dumps(styles, separators=(",", ":"))


def _round(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, COORD_DECIMALS))


def feature_collection(
    gdf: gpd.GeoDataFrame, style_index: np.ndarray | None, tips: list[str] | None
) -> str:
    """A compact GeoJSON FeatureCollection (WGS 84, rounded) for :class:`GeoJsonLayer`."""
    g = gdf.to_crs(4326) if len(gdf) else gdf
    geoms = _round(g.geometry.to_numpy()) if len(g) else np.array([], dtype=object)
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms)) if len(g) else np.array([])
    texts = shapely.to_geojson(geoms[keep]) if len(g) else []
    s = style_index[keep] if style_index is not None else np.zeros(int(keep.sum()), int)
    t = [tips[i] for i in np.flatnonzero(keep)] if tips is not None else None
    feats = []
    for i, geom in enumerate(texts):
        props: dict[str, Any] = {"s": int(s[i])}
        if t is not None:
            props["t"] = t[i]
        feats.append(
            '{"type":"Feature","properties":'
            + json.dumps(props, separators=(",", ":"), ensure_ascii=False)
            + ',"geometry":'
            + geom
            + "}"
        )
    out = '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}"
    return out.replace("</", "<\\/")


def _tip(title: str, rows: list[tuple[str, str]], *, synthetic: bool = False) -> str:
    lines = [f"<b>{html.escape(title)}</b>"]
    lines += [f"{html.escape(k)}: {html.escape(v)}" for k, v in rows if v not in ("", "–")]
    if synthetic:
        lines.append("<i>synthetic (model on generated data)</i>")
    return "<br>".join(lines)


def _val(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v


def _txt(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) or pd.isna(x) else str(x)


def _communes_layer(mc: MapContent) -> GeoJsonLayer:
    c = mc.layers["communes"]
    share = c["ftth_share"].to_numpy(float)
    cls = st.coverage_class(share)
    styles = [
        {"color": "#555555", "weight": 0.6, "fillColor": col, "fillOpacity": 0.5}
        for col in (*st.COVERAGE_COLOURS, st.NO_DATA_COLOUR)
    ]
    sidx = np.where(cls < 0, len(st.COVERAGE_COLOURS), cls)
    tips = []
    for r in c.itertuples(index=False):
        d = r._asdict()
        rows = [
            ("INSEE", _txt(d.get("insee_code"))),
            ("locaux", st.fr_int(_val(d.get("locaux")))),
            (f"FTTH raccordables {mc.year}", st.fr_int(_val(d.get("ftth_locaux")))),
            (f"FTTH coverage {mc.year}", st.fr_pct(_val(d.get("ftth_share")))),
            ("FTTH year (schedule)", _txt(d.get("schedule_year"))),
            ("phase (schedule)", _txt(d.get("schedule_phase"))),
            ("cost per prise (model)", st.fr_int(_val(d.get("cost_per_prise_eur"))) + " €"),
            ("Arcep 2018 coverage (real)", st.fr_pct(_val(d.get("arcep_2018")))),
        ]
        tips.append(_tip(_txt(d.get("name")), rows))
    data = feature_collection(c, sidx, tips)
    return GeoJsonLayer(data, styles, name=f"Communes: FTTH coverage {mc.year}")


def _outline_layer(g: gpd.GeoDataFrame, name: str, weight: float) -> GeoJsonLayer:
    styles = [{"color": "#111111", "weight": weight, "fill": False, "interactive": False}]
    return GeoJsonLayer(feature_collection(g, None, None), styles, name=name)


def _zone_layer(mc: MapContent) -> tuple[GeoJsonLayer | None, list[tuple[str, str]]]:
    """PM zones (or deployment zones) and the legend entries of their colours."""
    if mc.zone_colouring == "phase" and "dep_zones" in mc.layers:
        z = mc.layers["dep_zones"]
        key = "phase" if "phase" in z and z["phase"].notna().any() else "year"
        vals = pd.to_numeric(z[key], errors="coerce").fillna(-1).astype(int).to_numpy()
        name = f"Deployment zones by {key}"
    elif mc.zone_colouring == "year":
        z = mc.layers["pm_zones"]
        key = "year"
        vals = pd.to_numeric(z[key], errors="coerce").fillna(-1).astype(int).to_numpy()
        name = "PM zones by deployment year"
    else:
        z = mc.layers.get("pm_zones")
        if z is None or z.empty:
            return None, []
        nros = sorted(z["parent_id"].dropna().astype(str).unique())
        rank = {n: i for i, n in enumerate(nros)}
        sidx = np.array([rank.get(str(p), 0) % len(st.QUALITATIVE) for p in z["parent_id"]])
        styles = [
            {"color": "#333333", "weight": 0.8, "fillColor": c, "fillOpacity": 0.45}
            for c in st.QUALITATIVE
        ]
        tips = [
            _tip(
                str(r.zone_id),
                [("NRO", _txt(r.parent_id)), ("lines", st.fr_int(_val(r.n_points)))],
                synthetic=True,
            )
            for r in z.itertuples(index=False)
        ]
        legend = [("", f"one colour per NRO zone ({len(nros)} NRO)")]
        layer = GeoJsonLayer(
            feature_collection(z, sidx, tips), styles, name="PM zones by NRO", show=False
        )
        return layer, legend
    distinct = sorted({int(v) for v in vals if v >= 0})
    colours = st.sequential_colours(distinct) if distinct else {}
    order = [*distinct, -1]
    styles = [
        {
            "color": "#333333",
            "weight": 0.8,
            "fillColor": colours.get(v, st.NO_DATA_COLOUR),
            "fillOpacity": 0.55,
        }
        for v in order
    ]
    pos = {v: i for i, v in enumerate(order)}
    sidx = np.array([pos[int(v)] for v in vals])
    tips = []
    for r in z.itertuples(index=False):
        d = r._asdict()
        rows = [
            ("phase", " ".join(x for x in (_txt(d.get("phase")), _txt(d.get("phase_name"))) if x)),
            ("tranche", _txt(d.get("tranche_name")) or _txt(d.get("tranche"))),
            ("year", _txt(d.get("year"))),
            ("finished", _txt(d.get("finish_year"))),
            ("NRO", _txt(d.get("parent_id")) if "n_pm" not in d else ""),
            ("lines", st.fr_int(_val(d.get("lines", d.get("n_points"))))),
            ("PM zones", _txt(d.get("n_pm"))),
            ("capex", st.fr_int(_val(d.get("capex_eur"))) + " €"),
        ]
        tips.append(_tip(str(d.get("zone_id")), rows, synthetic=True))
    legend = [(colours[v], f"{key} {v}") for v in distinct]
    if (vals < 0).any():
        legend.append((st.NO_DATA_COLOUR, f"no {key}"))
    layer = GeoJsonLayer(feature_collection(z, sidx, tips), styles, name=name, show=False)
    return layer, legend


def _cable_layer(g: gpd.GeoDataFrame, name: str, *, show: bool, merged: bool) -> GeoJsonLayer:
    cls = st.cable_class(g["cable_size"].to_numpy(float)) if len(g) else np.array([], int)
    styles = [
        {"color": c, "weight": w, "opacity": 0.9}
        for c, w in zip(st.CABLE_COLOURS, st.CABLE_WEIGHTS, strict=True)
    ]
    tips = []
    for r in g.itertuples(index=False):
        d = r._asdict()
        if merged:
            tips.append(
                _tip(
                    f"{name}: {int(d['cable_size'])} fibres",
                    [
                        ("length", st.fr_float(_val(d["length_m"]) / 1000, 1) + " km"),
                        ("sections", st.fr_int(_val(d["sections"]))),
                    ],
                    synthetic=True,
                )
            )
        else:
            tips.append(
                _tip(
                    _txt(d.get("link_id")),
                    [
                        ("cable", f"{_txt(d.get('cable_size'))} fibres"),
                        ("fibres used", _txt(d.get("fibres"))),
                        ("length", st.fr_int(_val(d.get("length_m"))) + " m"),
                        ("works", _txt(d.get("works"))),
                        ("tree", _txt(d.get("tree"))),
                    ],
                    synthetic=True,
                )
            )
    return GeoJsonLayer(feature_collection(g, cls, tips), styles, name=name, show=show)


def _point_style(kind: str, *, fill: str | None = None) -> dict[str, Any]:
    col, r = st.SITE_STYLE[kind]
    return {
        "radius": r,
        "color": "#ffffff",
        "weight": 1,
        "fillColor": fill or col,
        "fillOpacity": 0.95,
    }


def _sites_layer(
    g: gpd.GeoDataFrame,
    kind: str,
    name: str,
    tip: Any,
    *,
    show: bool = True,
) -> GeoJsonLayer:
    tips = [tip(r._asdict()) for r in g.itertuples(index=False)]
    return GeoJsonLayer(
        feature_collection(g, None, tips), [_point_style(kind)], name=name, show=show
    )


def _backbone_layer(b: gpd.GeoDataFrame) -> GeoJsonLayer:
    roles = list(st.BACKBONE_COLOURS)
    styles = [
        {
            "color": st.BACKBONE_COLOURS[r],
            "weight": 4 if r != "collecte" else 1.5,
            "opacity": 0.9 if r != "collecte" else 0.7,
            "dashArray": "6 4" if r == "collecte" else None,
        }
        for r in roles
    ]
    styles = [{k: v for k, v in s.items() if v is not None} for s in styles]
    sidx = np.array([roles.index(r) if r in roles else 0 for r in b["role"].astype(str)])
    tips = []
    for r in b.itertuples(index=False):
        d = r._asdict()
        tips.append(
            _tip(
                _txt(d.get("link_id")),
                [
                    ("role", _txt(d.get("role"))),
                    ("from", _txt(d.get("from_site"))),
                    ("to", _txt(d.get("to_site"))),
                    ("length", st.fr_float(_val(d.get("length_m")) / 1000, 1) + " km"),
                ],
                synthetic=bool(d.get("synthetic")),
            )
        )
    return GeoJsonLayer(feature_collection(b, sidx, tips), styles, name="Backbone")


class PremisesLayer(Layer):
    """Premises as compact columns (ids, coordinates, locaux, technology, FTTH year).

    A GeoJSON feature per premise costs about 170 bytes; columns cost about 40, which keeps a
    large EPCI's page small. Tooltips are built on hover by ``bthdPremises``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = bthdPremises({{ this.data }}, {{ this.styles }});
        {% endmacro %}
        """
    )

    def __init__(self, data: str, styles: list[dict[str, Any]], *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=False)
        self._name = "PremisesLayer"
        self.data = data
        self.styles = json.dumps(styles, separators=(",", ":"))


def _premises_layer(p: gpd.GeoDataFrame, year: int) -> PremisesLayer:
    techs = list(st.TECH_COLOURS)
    styles = [
        {"radius": 2, "stroke": False, "fillColor": st.TECH_COLOURS[t], "fillOpacity": 0.8}
        for t in techs
    ]
    g = p.to_crs(4326)
    xy = np.round(shapely.get_coordinates(g.geometry.to_numpy()), COORD_DECIMALS)
    tech = p["tech"].astype(str) if "tech" in p else pd.Series("none", index=p.index)
    sidx = [techs.index(t) if t in techs else len(techs) - 1 for t in tech]
    fy = pd.to_numeric(p["ftth_year"], errors="coerce") if "ftth_year" in p else None
    data = {
        "year": year,
        "techs": techs,
        "id": [str(i) for i in p["premise_id"]],
        "x": xy[:, 0].tolist(),
        "y": xy[:, 1].tolist(),
        "n": [int(v) for v in p["locaux"]],
        "s": sidx,
        "fy": [0] * len(p) if fy is None else [0 if np.isnan(v) else int(v) for v in fy],
    }
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    return PremisesLayer(text, styles, name=f"Premises ({year})")


class _Hook(MacroElement):
    """Credits in the attribution control and ``window.bthd`` (the map and its layers, for tests
    and scripts)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.map_name }}.attributionControl.setPrefix("Leaflet");
        {{ this.map_name }}.attributionControl.addAttribution({{ this.credits }});
        window.bthd = {map: {{ this.map_name }}, overlays: {{ this.overlays }},
                       base: {{ this.base }}, title: {{ this.title }}};
        {% endmacro %}
        """
    )

    def __init__(
        self,
        map_name: str,
        overlays: dict[str, str],
        base: dict[str, str],
        credits: str,
        title: str,
    ) -> None:
        super().__init__()
        self._name = "Hook"
        self.map_name = map_name
        self.credits = json.dumps(credits, ensure_ascii=False)
        self.title = json.dumps(title, ensure_ascii=False)
        self.overlays = (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in overlays.items())
            + "}"
        )
        self.base = (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in base.items())
            + "}"
        )


def _number_ids(root: Element) -> None:
    """Replace branca's random element ids by a counter in tree order (deterministic pages)."""
    n = 0
    stack = [root]
    while stack:
        el = stack.pop(0)
        el._id = f"{n:04d}"
        n += 1
        stack.extend(el._children.values())


def web_map(mc: MapContent) -> Map:
    """Build the folium map of a :class:`~bthd.maps.content.MapContent` (not yet rendered)."""
    c = mc.layers["communes"].to_crs(4326)
    x0, y0, x1, y1 = c.total_bounds
    m = Map(location=None, tiles=None, prefer_canvas=True, control_scale=True, zoom_start=9)
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(head_html() + HELPER_JS + PAGE_CSS), name="bthd_vendor")
    root.header.add_child(Element(f"<title>{html.escape(mc.title)}</title>"), name="bthd_title_tag")
    TileLayer(OSM_TILES, attr=st.OSM_CREDIT, name="OpenStreetMap", max_zoom=19).add_to(m)
    TileLayer(
        IGN_ORTHO_TILES,
        attr=st.IGN_CREDIT,
        name="IGN orthophotos (Géoplateforme)",
        max_zoom=19,
        show=False,
    ).add_to(m)

    L = mc.layers
    layers: list[GeoJsonLayer | PremisesLayer] = [_communes_layer(mc)]
    zl, zone_legend = _zone_layer(mc)
    if zl is not None:
        layers.append(zl)
    if mc.zone_colouring == "phase" and "pm_zones" in L and len(L["pm_zones"]):
        zl2 = GeoJsonLayer(
            feature_collection(L["pm_zones"], None, None),
            [{"color": "#333333", "weight": 0.6, "fill": False}],
            name="PM zones (outlines)",
            show=False,
        )
        layers.append(zl2)
    if "epci" in L and len(L["epci"]) > 1:
        layers.append(_outline_layer(L["epci"], "EPCI boundaries", 1.5))
    if "departements" in L:
        layers.append(_outline_layer(L["departements"], "Département boundaries", 2.5))
    if "distribution" in L:
        layers.append(
            _cable_layer(L["distribution"], "Distribution cables", show=False, merged=False)
        )
    if "transport" in L:
        layers.append(
            _cable_layer(L["transport"], "Transport cables", show=True, merged=not mc.detail)
        )
    if "backbone" in L:
        layers.append(_backbone_layer(L["backbone"]))
    if "premises" in L:
        layers.append(_premises_layer(L["premises"], mc.year))
    if "pbo" in L:
        layers.append(
            _sites_layer(
                L["pbo"],
                "PBO",
                "PBO",
                lambda d: _tip(
                    _txt(d["site_id"]),
                    [("PM", _txt(d["parent_id"])), ("locaux", st.fr_int(_val(d["capacity"])))],
                    synthetic=True,
                ),
                show=False,
            )
        )
    layers.append(
        _sites_layer(
            L["pm"],
            "PM",
            "PM",
            lambda d: _tip(
                _txt(d["site_id"]),
                [
                    ("NRO", _txt(d.get("parent_id"))),
                    ("lines", st.fr_int(_val(d.get("capacity")))),
                    ("PBO", st.fr_int(_val(d.get("pbos")))),
                    ("cost (model)", st.fr_int(_val(d.get("cost_eur"))) + " €"),
                    ("cost per prise", st.fr_int(_val(d.get("cost_per_prise_eur"))) + " €"),
                    ("deployment year", _txt(d.get("year"))),
                    ("note", _txt(d.get("flag"))),
                ],
                synthetic=True,
            ),
        )
    )
    layers.append(
        _sites_layer(
            L["nro"],
            "NRO",
            "NRO",
            lambda d: _tip(
                _txt(d["site_id"]),
                [("lines", st.fr_int(_val(d.get("capacity")))), ("PM", _txt(d.get("pms")))],
                synthetic=True,
            ),
        )
    )
    if "med" in L and len(L["med"]):
        layers.append(
            _sites_layer(
                L["med"],
                "MED",
                "MED sites (montée en débit)",
                lambda d: _tip(
                    f"{_txt(d.get('kind'))} {_txt(d.get('sr_id'))}",
                    [
                        ("NRA", _txt(d.get("nra_id"))),
                        ("lines", st.fr_int(_val(d.get("lines")))),
                        ("lines gaining 8 Mbit/s", st.fr_int(_val(d.get("gain_8")))),
                        ("lines gaining 30 Mbit/s", st.fr_int(_val(d.get("gain_30")))),
                        ("cost", st.fr_int(_val(d.get("cost_eur"))) + " €"),
                        ("rank", _txt(d.get("rank"))),
                    ],
                    synthetic=True,
                ),
            )
        )
    layers.append(
        _sites_layer(
            L["pop"],
            "POP",
            "PoPs of the backbone",
            lambda d: _tip(_txt(d.get("name")) or _txt(d["site_id"]), [("site", d["site_id"])]),
        )
    )
    for lay in layers:
        lay.add_to(m)
    LayerControl(collapsed=False, position="topright").add_to(m)
    root.html.add_child(Element(title_html(mc) + legend_html(mc, zone_legend)), name="bthd_box")
    m.fit_bounds([[float(y0), float(x0)], [float(y1), float(x1)]])
    _number_ids(root)
    overlays = {lay.layer_name: lay.get_name() for lay in layers}
    base = {
        ch.layer_name: ch.get_name() for ch in m._children.values() if isinstance(ch, TileLayer)
    }
    hook = _Hook(m.get_name(), overlays, base, SHORT_CREDITS, mc.title)
    hook._id = "hook"
    m.add_child(hook, name="bthd_hook")
    return m


def render_html(mc: MapContent) -> str:
    """The map's self-contained HTML page."""
    m = web_map(mc)
    page = m.get_root().render()
    bad = [u for u in ("<script src=", '<link rel="stylesheet" href="http') if u in page]
    if bad:  # pragma: no cover - a folium change would bring CDN links back
        raise AssertionError(f"the page links an external resource ({bad}); vendor it")
    if len(page.encode("utf-8")) > MAX_BYTES:
        log.warning(
            "map page is %.1f MB (> %.0f MB): draw one EPCI (--epci) for a lighter page",
            len(page.encode()) / 1e6,
            MAX_BYTES / 1e6,
        )
    return page


def write_web_map(mc: MapContent, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write the map page to ``path`` atomically (refused if it exists, unless ``overwrite``)."""
    from bthd.io import atomic_file

    page = render_html(mc)
    with atomic_file(path, overwrite=overwrite) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)
