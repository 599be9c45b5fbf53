"""The text of the web map's page: helper scripts, styles, title and legend boxes.

Not for: the map's layers (see :mod:`bthd.maps.web`).
"""

from __future__ import annotations

import html

from bthd.maps import _style as st
from bthd.maps.content import MapContent

#: Decimal places of the page's coordinates (WGS 84 degrees): 5, about 1 m.
COORD_DECIMALS = 5

#: The page's helpers: ``bthdLayer`` (a GeoJSON overlay with per-feature styles and tooltips)
#: and ``bthdPremises`` (premises from compact columns).
HELPER_JS = """
<script>
function bthdLayer(data, styles) {
  function st(f) { return styles[f.properties.s || 0]; }
  return L.geoJSON(data, {
    style: st,
    pointToLayer: function (f, ll) { return L.circleMarker(ll, st(f)); },
    onEachFeature: function (f, l) {
      if (f.properties.t) { l.bindTooltip(f.properties.t, {sticky: true}); }
    }
  });
}
function bthdPremises(d, styles) {
  var g = L.layerGroup();
  function tip(i) {
    return function () {
      var t = d.id[i] + ": " + d.n[i] + " locaux, " + d.techs[d.s[i]] + " in " + d.year;
      if (d.fy[i]) { t += ", FTTH from " + d.fy[i]; }
      return t + " (synthetic)";
    };
  }
  for (var i = 0; i < d.x.length; i++) {
    L.circleMarker([d.y[i], d.x[i]], styles[d.s[i]]).bindTooltip(tip(i)).addTo(g);
  }
  return g;
}
</script>
"""

#: Style of the title, legend and controls.
PAGE_CSS = """
<style>
.bthd-box { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 0 6px rgba(0,0,0,0.3); font: 12px/1.35 sans-serif; color: #222; }
#bthd-title { position: absolute; top: 10px; left: 55px; z-index: 1000; max-width: 46%; }
#bthd-title h1 { font-size: 15px; margin: 0 0 3px 0; }
#bthd-title .synthetic { color: #b30000; font-weight: bold; }
#bthd-legend { position: absolute; bottom: 62px; left: 10px; z-index: 1000; max-width: 330px;
  max-height: 62%; overflow-y: auto; }
#bthd-legend h2 { font-size: 12px; margin: 6px 0 2px 0; }
#bthd-legend .sw { display: inline-block; width: 14px; height: 10px; margin-right: 5px;
  border: 1px solid #555; vertical-align: middle; }
#bthd-legend .ln { display: inline-block; width: 22px; margin-right: 5px; vertical-align: middle; }
#bthd-legend .pt { display: inline-block; border-radius: 50%; margin-right: 5px;
  vertical-align: middle; border: 1px solid #222; }
#bthd-legend p { margin: 3px 0; }
#bthd-legend .synthetic { color: #b30000; }
.leaflet-control-layers, .leaflet-control-attribution { font: 12px/1.4 sans-serif; }
</style>
"""


def legend_html(mc: MapContent, zone_legend: list[tuple[str, str]]) -> str:
    e = html.escape
    """The legend box: colours, symbols, zones, what was aggregated, synthetic note, credits."""
    parts = [f"<h2>FTTH coverage of locaux by commune, {mc.year}</h2>"]
    for col, lab in zip(st.COVERAGE_COLOURS, st.COVERAGE_LABELS, strict=True):
        parts.append(f'<div><span class="sw" style="background:{col}"></span>{e(lab)}</div>')
    parts.append(
        f'<div><span class="sw" style="background:{st.NO_DATA_COLOUR}"></span>'
        f"{e(st.NO_DATA_LABEL)}</div>"
    )
    parts.append("<h2>Network (designed on synthetic data)</h2>")
    for kind, lab in (
        ("POP", "PoP of the backbone"),
        ("NRO", "NRO (optical node)"),
        ("PM", "PM (point de mutualisation)"),
        ("MED", "MED / NRA-ZO site (montée en débit)"),
        ("PBO", "PBO (detail scale only)"),
    ):
        col, r = st.SITE_STYLE[kind]
        d = int(2 * r)
        parts.append(
            f'<div><span class="pt" style="background:{col};width:{d}px;height:{d}px"></span>'
            f"{e(lab)}</div>"
        )
    parts.append(
        '<div><span class="ln" style="border-top:4px solid #000"></span>backbone (real route'
        ' schematic)</div><div><span class="ln" style="border-top:2px dashed #d7191c"></span>'
        "collecte NRO → PoP (synthetic)</div>"
    )
    parts.append("<div>cables by size (fibres):</div>")
    for col, w, lab in zip(st.CABLE_COLOURS, st.CABLE_WEIGHTS, st.CABLE_LABELS, strict=True):
        parts.append(
            f'<div><span class="ln" style="border-top:{w + 1}px solid {col}"></span>{e(lab)}</div>'
        )
    if zone_legend:
        parts.append("<h2>Zones</h2>")
        for col, lab in zone_legend:
            sw = f'<span class="sw" style="background:{col}"></span>' if col else ""
            parts.append(f"<div>{sw}{e(lab)}</div>")
    if mc.detail:
        parts.append("<h2>Premises (technology in the map's year)</h2>")
        for t, col in st.TECH_COLOURS.items():
            parts.append(
                f'<div><span class="pt" style="background:{col};width:6px;height:6px"></span>'
                f"{e(t)}</div>"
            )
    parts.append("<h2>What is shown</h2>")
    parts += [f"<p>{e(a)}</p>" for a in mc.aggregated]
    if not mc.detail:
        parts.append(
            "<p>Tooltips of communes give their locaux and coverage; tooltips of PMs their "
            "lines and PBOs; tooltips of merged cables their length and sections by size.</p>"
        )
    parts.append(f"<p>Coordinates rounded to {10.0**-COORD_DECIMALS:.5f}° (about 1 m).</p>")
    parts.append(f'<p class="synthetic">{e(mc.synthetic_note)}</p>')
    parts.append(
        f"<p>Data: {e(mc.credits)}. Base maps: {e(st.OSM_CREDIT)}; {e(st.IGN_CREDIT)}.</p>"
    )
    return (
        '<div id="bthd-legend" class="bthd-box"><details open><summary><b>Legend</b>'
        "</summary>" + "".join(parts) + "</details></div>"
    )


def title_html(mc: MapContent) -> str:
    """The title box: title, key figures of the area, the synthetic-data warning."""
    f = mc.figures
    e = html.escape
    line = (
        f"{st.fr_int(f['locaux'])} locaux in {f['communes']} communes; FTTH raccordables in "
        f"{mc.year}: {st.fr_int(f['ftth_locaux'])} ({st.fr_pct(f['ftth_share'])}) · "
        f"{f['nro']} NRO, {f['pm']} PM, {st.fr_int(f['pbo'])} PBO · transport "
        f"{st.fr_int(f['transport_km'])} km, distribution {st.fr_int(f['distribution_km'])} km"
    )
    return (
        f'<div id="bthd-title" class="bthd-box"><h1>{e(mc.title)}</h1><div>{e(line)}</div>'
        '<div class="synthetic">SYNTHETIC DATA: premises, roads, copper plant and the network '
        "designed on them are generated (see the legend); commune locaux counts are real.</div>"
        "</div>"
    )
