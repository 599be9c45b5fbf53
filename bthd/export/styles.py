"""QGIS styles (QML and SLD) of the exported layers, for the GeoPackage ``layer_styles`` table.

QGIS reads a table named ``layer_styles`` in a GeoPackage and applies the row whose
``useAsDefault`` is true to the layer named in ``f_table_name`` when the layer is opened. This
module builds the QML (QGIS's own format) and an SLD (OGC Styled Layer Descriptor, for other
tools) of each exported layer:

* NRO, PM and PBO points with their codes as labels (PM codes from 1:150 000, PBO codes from
  1:8 000), PoPs labelled with their town;
* transport and distribution cables categorised on ``cable_size``: each size of
  :data:`CABLE_SIZES` is a class, darker and wider as the cable grows;
* ZNRO, ZPM and ZPBO zones as outlines (PM zones lightly filled), deployment zones by phase,
  communes outlined and named;
* the layers that hold generated rows (premises, roads, the copper plant, part of the
  backbone) drawn by a rule on ``synthetic``: a generated row gets a hollow or dashed symbol and a
  legend entry that says SYNTHETIC, so the nature of the data shows in QGIS's layer panel.

The QML is what QGIS 3.22 (Debian 12) and later read; ``scripts/check_qgis_styles.py`` opens an
export in QGIS and checks that every layer comes up with the style written here. Every document
is a pure function of the layer name: the same export gives byte-identical styles.

Not for: maps rendered by bthd itself (``bthd.maps``).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

#: Cable sizes (fibres) drawn with their own width and colour, small to large.
CABLE_SIZES = (6, 12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720)

#: The QGIS version the QML was checked with (``scripts/check_qgis_styles.py``).
_QGIS_VERSION = "3.22.16-Białowieża"

#: Font of the labels (shipped with every Debian/Ubuntu desktop and with QGIS on Windows).
_FONT = "DejaVu Sans"

#: Millimetres to SLD pixels (OGC standard rendering pixel of 0.28 mm).
_PX_PER_MM = 1 / 0.28


@dataclass(frozen=True)
class Marker:
    """A simple marker: ``shape`` is a QGIS marker name (circle, square, triangle, diamond)."""

    shape: str
    fill: str
    size_mm: float
    outline: str = "#232323"
    outline_mm: float = 0.2
    hollow: bool = False


@dataclass(frozen=True)
class Line:
    """A simple line of ``width_mm``, dashed or solid."""

    color: str
    width_mm: float
    dashed: bool = False


@dataclass(frozen=True)
class Fill:
    """A zone: fill colour with ``alpha`` (0-255, 0 for no fill), outline colour and width."""

    fill: str
    alpha: int
    outline: str
    width_mm: float
    dashed: bool = False


Symbol = Marker | Line | Fill


@dataclass(frozen=True)
class Label:
    """Labels from the ``field`` of each feature, hidden beyond 1:``max_scale`` if not 0.

    ``priority`` (0-10) decides which labels QGIS keeps where they collide: NRO codes win over
    PM codes, which win over commune names.
    """

    field: str
    size_pt: float
    color: str
    bold: bool = False
    italic: bool = False
    max_scale: int = 0
    priority: int = 5


@dataclass(frozen=True)
class Class:
    """One legend entry: features whose ``attr`` equals ``value`` (``None``: all others)."""

    value: str | None
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class LayerStyle:
    """The style of one layer.

    ``attr`` is ``None`` for a single symbol (the first class), else the attribute the classes
    are drawn by: a categorised renderer, or a rule-based renderer when ``rules`` (a class of
    value ``None`` is then the else rule). ``min_scale`` hides the layer beyond 1:min_scale.
    """

    classes: tuple[Class, ...]
    attr: str | None = None
    rules: bool = False
    label: Label | None = None
    min_scale: int = 0


def _ramp(light: str, dark: str, n: int) -> list[str]:
    """``n`` colours from ``light`` to ``dark``, linear in RGB."""
    a = [int(light[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(dark[i : i + 2], 16) for i in (1, 3, 5)]
    out = []
    for k in range(n):
        t = k / (n - 1) if n > 1 else 1.0
        out.append(
            "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))
        )
    return out


def _cables(light: str, dark: str, base_mm: float, step_mm: float) -> LayerStyle:
    """Cables categorised on ``cable_size``: one class per size, darker and wider as it grows.

    The last class (value "", QGIS's "all other values") draws a size not in :data:`CABLE_SIZES`
    dashed magenta, so that it shows rather than vanishes.
    """
    colors = _ramp(light, dark, len(CABLE_SIZES))
    sizes = [
        Class(str(s), f"{s} FO", Line(c, round(base_mm + step_mm * i, 2)))
        for i, (s, c) in enumerate(zip(CABLE_SIZES, colors, strict=True))
    ]
    # a run designed with other cable sizes (settings.cable_sizes) still shows every cable
    other = Class(
        None, "other sizes", Line("#ff00ff", round(base_mm + step_mm * 4, 2), dashed=True)
    )
    return LayerStyle((*sizes, other), attr="cable_size")


def _single(symbol: Symbol, label: Label | None = None, min_scale: int = 0) -> LayerStyle:
    return LayerStyle((Class(None, "", symbol),), label=label, min_scale=min_scale)


def _synthetic(
    noun: str, real: Symbol, generated: Symbol, label: Label | None = None, min_scale: int = 0
) -> LayerStyle:
    """Rows with ``synthetic`` true drawn with ``generated`` and a SYNTHETIC legend entry.

    The filter compares with ``true``, not 1: QGIS reads a GeoPackage boolean as a boolean, and
    QGIS 3.22 evaluates ``"synthetic" = 1`` as false on it (every row would fall to the else rule).
    """
    return LayerStyle(
        (
            Class("true", f"{noun}: SYNTHETIC (generated, not observed)", generated),
            Class(None, noun, real),
        ),
        attr="synthetic",
        rules=True,
        label=label,
        min_scale=min_scale,
    )


def _phases() -> LayerStyle:
    colors = _ramp("#a1d99b", "#238b45", 3)
    classes = [Class(str(p), f"phase {p}", Fill(c, 70, c, 0.6)) for p, c in enumerate(colors, 1)]
    classes.append(Class(None, "other phases", Fill("#bdbdbd", 70, "#737373", 0.6)))
    return LayerStyle(tuple(classes), attr="phase")


_HALO = "#ffffff"

#: The style of each exported layer that has one.
STYLES: dict[str, LayerStyle] = {
    "departements": _single(Fill("#000000", 0, "#1a1a1a", 0.9, dashed=True)),
    "epci": _single(Fill("#000000", 0, "#404040", 0.7)),
    "communes": _single(
        Fill("#000000", 0, "#8c8c8c", 0.35),
        Label("name", 7.5, "#595959", italic=True, max_scale=300_000, priority=2),
    ),
    "zdep": _phases(),
    "znro": _single(Fill("#c0392b", 0, "#922b21", 0.9, dashed=True)),
    "zpm": _single(Fill("#f5b041", 45, "#d35400", 0.4)),
    "zpbo": _single(Fill("#5dade2", 0, "#5dade2", 0.12)),
    "roads": _synthetic("roads", Line("#808080", 0.25), Line("#b3b3b3", 0.2)),
    "road_nodes": _synthetic(
        "road nodes",
        Marker("circle", "#808080", 0.6, "#808080", 0),
        Marker("circle", "#ffffff", 0.6, "#a6a6a6", 0.1, hollow=True),
        min_scale=25_000,
    ),
    "premises": _synthetic(
        "premises (locaux)",
        Marker("circle", "#2c3e50", 0.8, "#2c3e50", 0),
        Marker("circle", "#8e9ba6", 0.7, "#8e9ba6", 0),
    ),
    "drops": _single(Line("#95a5a6", 0.1), min_scale=20_000),
    "copper_lines": _synthetic(
        "copper lines", Line("#8d6e63", 0.2), Line("#8d6e63", 0.2, dashed=True)
    ),
    "collecte_links": _single(Line("#6c3483", 0.6)),
    "distribution_cables": _cables("#a9cce3", "#0b3a66", 0.25, 0.12),
    "transport_cables": _cables("#f5b7b1", "#641e16", 0.5, 0.14),
    "backbone": _synthetic(
        "backbone (collecte)", Line("#6c3483", 0.9), Line("#a569bd", 0.7, dashed=True)
    ),
    "nra": _synthetic(
        "NRA",
        Marker("square", "#7f8c8d", 2.6),
        Marker("square", "#ffffff", 2.6, "#7f8c8d", 0.5, hollow=True),
    ),
    "sr": _synthetic(
        "SR",
        Marker("circle", "#95a5a6", 1.8),
        Marker("circle", "#ffffff", 1.8, "#95a5a6", 0.4, hollow=True),
    ),
    "nra_med": _single(Marker("square", "#16a085", 2.4)),
    "nra_zo": _single(Marker("diamond", "#d4ac0d", 2.4)),
    "pbo": _single(
        Marker("circle", "#2e86c1", 1.1, "#1b4f72", 0.1),
        Label("site_id", 6.5, "#1b4f72", max_scale=8_000, priority=3),
    ),
    "pm": _single(
        Marker("triangle", "#e67e22", 3.4, "#6e2c00", 0.25),
        Label("site_id", 7.5, "#873600", max_scale=150_000, priority=6),
    ),
    "nro": _single(
        Marker("square", "#c0392b", 4.2, "#ffffff", 0.4),
        Label("site_id", 9, "#7b241c", bold=True, priority=10),
    ),
    "pop": _single(
        Marker("diamond", "#6c3483", 4.4, "#ffffff", 0.4),
        Label("name", 8.5, "#4a235a", bold=True, priority=9),
    ),
}


def _rgba(hex_color: str, alpha: int = 255) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _opt(name: str, value: str) -> str:
    return f'<Option name="{name}" value="{escape(value)}" type="QString"/>'


def _symbol(name: str, style: Symbol) -> str:
    """A QGIS ``<symbol>`` of one simple symbol layer."""
    if isinstance(style, Marker):
        kind, cls = "marker", "SimpleMarker"
        opts = (
            _opt("name", style.shape)
            + _opt("color", _rgba(style.fill, 0 if style.hollow else 255))
            + _opt("outline_color", _rgba(style.outline))
            + _opt("outline_style", "solid" if style.outline_mm else "no")
            + _opt("outline_width", str(style.outline_mm))
            + _opt("outline_width_unit", "MM")
            + _opt("size", str(style.size_mm))
            + _opt("size_unit", "MM")
        )
    elif isinstance(style, Fill):
        kind, cls = "fill", "SimpleFill"
        opts = (
            _opt("color", _rgba(style.fill, style.alpha))
            + _opt("style", "solid" if style.alpha else "no")
            + _opt("outline_color", _rgba(style.outline))
            + _opt("outline_style", "dash" if style.dashed else "solid")
            + _opt("outline_width", str(style.width_mm))
            + _opt("outline_width_unit", "MM")
            + _opt("joinstyle", "round")
        )
    else:
        kind, cls = "line", "SimpleLine"
        opts = (
            _opt("line_color", _rgba(style.color))
            + _opt("line_style", "dash" if style.dashed else "solid")
            + _opt("line_width", str(style.width_mm))
            + _opt("line_width_unit", "MM")
            + _opt("capstyle", "round")
            + _opt("joinstyle", "round")
        )
    return (
        f'<symbol type="{kind}" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="{cls}" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{opts}</Option></layer></symbol>'
    )


def _labeling(label: Label, polygons: bool) -> str:
    """QGIS simple labeling: white halo, around points or over the centroid of a polygon.

    A labelled polygon layer is no obstacle: QGIS would otherwise keep other labels off the
    inside of every commune, and drop the PBO codes of a town seen at 1:5 000.
    """
    placement = (
        '<placement placement="1" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0" '
        f'dist="0" distUnits="MM" priority="{label.priority}"/>'
        if polygons
        else f'<placement placement="0" dist="0.8" distUnits="MM" quadOffset="4" '
        f'priority="{label.priority}"/>'
    )
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fontFamily="{_FONT}" fontSize="{label.size_pt}" fontSizeUnit="Point" '
        f'fontWeight="{75 if label.bold else 50}" fontItalic="{int(label.italic)}" '
        f'textColor="{_rgba(label.color)}" textOpacity="1" fieldName={quoteattr(label.field)} '
        'isExpression="0" namedStyle="" capitalization="0" multilineHeight="1">'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
        f'bufferColor="{_rgba(_HALO)}" bufferOpacity="0.85" bufferNoFill="1" '
        'bufferJoinStyle="128"/></text-style>'
        f"{placement}"
        f'<rendering scaleVisibility="{int(bool(label.max_scale))}" scaleMin="0" '
        f'scaleMax="{label.max_scale}" obstacle="{int(not polygons)}" obstacleFactor="1" '
        'displayAll="0" '
        'upsidedownLabels="0" drawLabels="1" labelPerPart="0" mergeLines="0"/>'
        "</settings></labeling>"
    )


def _filter(attr: str, value: str | None) -> str:
    return "ELSE" if value is None else f'"{attr}" = {value}'


def qml(layer: str) -> str:
    """The QML (QGIS style document) of an exported layer.

    Parameters
    ----------
    layer
        A key of :data:`STYLES`.

    Returns
    -------
    str
        A QML document: single symbol, categorised (cables on ``cable_size``, deployment zones on
        ``phase``) or rule-based on ``synthetic``, with labels where the style has them.
    """
    style = STYLES[layer]
    polygons = isinstance(style.classes[0].symbol, Fill)
    head = (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{_QGIS_VERSION}" styleCategories="Symbology|Labeling|Rendering" '
        f'hasScaleBasedVisibilityFlag="{int(bool(style.min_scale))}" '
        f'minScale="{style.min_scale}" maxScale="0" '
        f'labelsEnabled="{int(style.label is not None)}">\n'
    )
    attrs = 'symbollevels="0" enableorderby="0" forceraster="0"'
    syms = "".join(_symbol(str(i), c.symbol) for i, c in enumerate(style.classes))
    if style.attr is None:
        renderer = (
            f'<renderer-v2 type="singleSymbol" {attrs}>'
            f"<symbols>{_symbol('0', style.classes[0].symbol)}</symbols></renderer-v2>"
        )
    elif style.rules:
        rules = "".join(
            f'<rule key="{{bthd-{layer}-{i}}}" filter={quoteattr(_filter(style.attr, c.value))} '
            f'symbol="{i}" label={quoteattr(c.label)}/>'
            for i, c in enumerate(style.classes)
        )
        renderer = (
            f'<renderer-v2 type="RuleRenderer" {attrs}>'
            f'<rules key="{{bthd-{layer}}}">{rules}</rules>'
            f"<symbols>{syms}</symbols></renderer-v2>"
        )
    else:
        cats = "".join(
            f'<category value={quoteattr(c.value or "")} symbol="{i}" '
            f'label={quoteattr(c.label)} render="true"/>'
            for i, c in enumerate(style.classes)
        )
        renderer = (
            f'<renderer-v2 type="categorizedSymbol" attr="{style.attr}" {attrs}>'
            f"<categories>{cats}</categories><symbols>{syms}</symbols>"
            f"<source-symbol>{_symbol('0', style.classes[0].symbol)}</source-symbol>"
            "</renderer-v2>"
        )
    labels = _labeling(style.label, polygons) if style.label else ""
    return head + renderer + labels + "\n</qgis>\n"


def _px(mm: float) -> float:
    return round(mm * _PX_PER_MM, 1)


def _sld_stroke(color: str, width_mm: float, dashed: bool) -> str:
    dash = '<se:SvgParameter name="stroke-dasharray">6 3</se:SvgParameter>' if dashed else ""
    return (
        f'<se:Stroke><se:SvgParameter name="stroke">{color}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{_px(width_mm)}</se:SvgParameter>{dash}'
        "</se:Stroke>"
    )


def _sld_symbolizer(style: Symbol) -> str:
    if isinstance(style, Marker):
        shape = {"triangle": "triangle", "square": "square", "diamond": "square"}.get(
            style.shape, "circle"
        )
        fill = (
            ""
            if style.hollow
            else f'<se:Fill><se:SvgParameter name="fill">{style.fill}</se:SvgParameter></se:Fill>'
        )
        stroke = _sld_stroke(style.outline, style.outline_mm, False) if style.outline_mm else ""
        rotation = "<se:Rotation>45</se:Rotation>" if style.shape == "diamond" else ""
        return (
            "<se:PointSymbolizer><se:Graphic><se:Mark>"
            f"<se:WellKnownName>{shape}</se:WellKnownName>{fill}{stroke}"
            f"</se:Mark><se:Size>{_px(style.size_mm)}</se:Size>{rotation}"
            "</se:Graphic></se:PointSymbolizer>"
        )
    if isinstance(style, Fill):
        fill = (
            f'<se:Fill><se:SvgParameter name="fill">{style.fill}</se:SvgParameter>'
            f'<se:SvgParameter name="fill-opacity">{round(style.alpha / 255, 2)}'
            "</se:SvgParameter></se:Fill>"
            if style.alpha
            else ""
        )
        return (
            f"<se:PolygonSymbolizer>{fill}"
            f"{_sld_stroke(style.outline, style.width_mm, style.dashed)}</se:PolygonSymbolizer>"
        )
    return (
        f"<se:LineSymbolizer>{_sld_stroke(style.color, style.width_mm, style.dashed)}"
        "</se:LineSymbolizer>"
    )


def _sld_text(label: Label) -> str:
    return (
        "<se:TextSymbolizer><se:Label>"
        f"<ogc:PropertyName>{escape(label.field)}</ogc:PropertyName></se:Label>"
        f'<se:Font><se:SvgParameter name="font-family">{_FONT}</se:SvgParameter>'
        f'<se:SvgParameter name="font-size">{round(label.size_pt * 4 / 3, 1)}</se:SvgParameter>'
        f'<se:SvgParameter name="font-weight">{"bold" if label.bold else "normal"}'
        "</se:SvgParameter></se:Font>"
        '<se:Halo><se:Radius>2</se:Radius><se:Fill><se:SvgParameter name="fill">'
        f"{_HALO}</se:SvgParameter></se:Fill></se:Halo>"
        f'<se:Fill><se:SvgParameter name="fill">{label.color}</se:SvgParameter></se:Fill>'
        "</se:TextSymbolizer>"
    )


def _sld_scale(max_scale: int) -> str:
    return f"<se:MaxScaleDenominator>{max_scale}</se:MaxScaleDenominator>" if max_scale else ""


def sld(layer: str) -> str:
    """The SLD 1.1 document of an exported layer (classes, symbols and labels of :func:`qml`)."""
    style = STYLES[layer]
    rules = []
    for c in style.classes if style.attr else style.classes[:1]:
        if style.attr is None:
            cond = ""
        elif c.value is None:
            cond = "<se:ElseFilter/>"
        else:
            cond = (
                f"<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>{style.attr}"
                f"</ogc:PropertyName><ogc:Literal>{escape(c.value)}</ogc:Literal>"
                "</ogc:PropertyIsEqualTo></ogc:Filter>"
            )
        rules.append(
            f"<se:Rule><se:Name>{escape(c.label or layer)}</se:Name>{cond}"
            f"{_sld_scale(style.min_scale)}{_sld_symbolizer(c.symbol)}</se:Rule>"
        )
    if style.label:
        rules.append(
            f"<se:Rule><se:Name>{escape(layer)} labels</se:Name>"
            f"{_sld_scale(style.label.max_scale)}{_sld_text(style.label)}</se:Rule>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
        'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">'
        f"<NamedLayer><se:Name>{layer}</se:Name><UserStyle><se:Name>{layer}</se:Name>"
        f"<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
        "</StyledLayerDescriptor>\n"
    )
