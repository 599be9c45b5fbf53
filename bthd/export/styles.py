"""QGIS styles (QML and SLD) of the exported layers, for the GeoPackage ``layer_styles`` table.

QGIS reads a table named ``layer_styles`` in a GeoPackage and applies the row whose
``useAsDefault`` is true to the layer named in ``f_table_name`` when the layer is opened. This
module builds the QML (QGIS's own format) and an SLD (OGC Styled Layer Descriptor, for other
tools) of each styled layer: NRO, PM and PBO points, the cables by size, and the zones.

Not for: maps rendered by bthd itself (``bthd.maps``).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

#: Cable sizes (fibres) drawn with their own width and colour, small to large.
CABLE_SIZES = (6, 12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720)

_QGIS_VERSION = "3.28.0-Firenze"


@dataclass(frozen=True)
class PointStyle:
    """A simple marker: ``shape`` is a QGIS marker name (circle, square, triangle, diamond)."""

    shape: str
    fill: str
    size_mm: float
    outline: str = "#232323"


@dataclass(frozen=True)
class FillStyle:
    """A zone: outline colour and width, fill colour with ``alpha`` (0-255)."""

    outline: str
    width_mm: float
    fill: str
    alpha: int


@dataclass(frozen=True)
class CableStyle:
    """Cables categorised on ``cable_size``: width grows with size, colour by tree level."""

    color: str
    base_width_mm: float


#: The style of each exported layer that has one.
STYLES: dict[str, PointStyle | FillStyle | CableStyle] = {
    "nro": PointStyle("square", "#c0392b", 4.0),
    "pm": PointStyle("triangle", "#e67e22", 3.2),
    "pbo": PointStyle("circle", "#2980b9", 1.6),
    "pop": PointStyle("diamond", "#6c3483", 4.2),
    "nra": PointStyle("square", "#7f8c8d", 2.6),
    "sr": PointStyle("circle", "#95a5a6", 1.8),
    "transport_cables": CableStyle("#c0392b", 0.5),
    "distribution_cables": CableStyle("#2471a3", 0.3),
    "backbone": CableStyle("#6c3483", 0.8),
    "znro": FillStyle("#c0392b", 0.8, "#c0392b", 20),
    "zpm": FillStyle("#e67e22", 0.4, "#e67e22", 25),
    "zpbo": FillStyle("#2980b9", 0.15, "#2980b9", 15),
}


def _rgba(hex_color: str, alpha: int = 255) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _opt(name: str, value: str) -> str:
    return f'<Option name="{name}" value="{escape(value)}" type="QString"/>'


def _width(style: CableStyle, size: int) -> float:
    """Line width (mm) for a cable of ``size`` fibres: the base width, plus 0.15 mm per step."""
    steps = sum(1 for s in CABLE_SIZES if s < size)
    return round(style.base_width_mm + 0.15 * steps, 2)


def _symbol(name: str, style: PointStyle | FillStyle | CableStyle, size: int = 0) -> str:
    if isinstance(style, PointStyle):
        opts = (
            _opt("name", style.shape)
            + _opt("color", _rgba(style.fill))
            + _opt("outline_color", _rgba(style.outline))
            + _opt("outline_width", "0.2")
            + _opt("size", str(style.size_mm))
            + _opt("size_unit", "MM")
        )
        return (
            f'<symbol type="marker" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleMarker" enabled="1" locked="0" pass="0">'
            f'<Option type="Map">{opts}</Option></layer></symbol>'
        )
    if isinstance(style, FillStyle):
        opts = (
            _opt("color", _rgba(style.fill, style.alpha))
            + _opt("style", "solid")
            + _opt("outline_color", _rgba(style.outline))
            + _opt("outline_width", str(style.width_mm))
            + _opt("outline_width_unit", "MM")
        )
        return (
            f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
            f'<Option type="Map">{opts}</Option></layer></symbol>'
        )
    opts = (
        _opt("line_color", _rgba(style.color))
        + _opt("line_width", str(_width(style, size)))
        + _opt("line_width_unit", "MM")
        + _opt("capstyle", "round")
        + _opt("joinstyle", "round")
    )
    return (
        f'<symbol type="line" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{opts}</Option></layer></symbol>'
    )


def qml(layer: str) -> str:
    """The QML (QGIS style document) of an exported layer.

    Parameters
    ----------
    layer
        A key of :data:`STYLES`.

    Returns
    -------
    str
        A QML document: a single-symbol renderer for points and zones, a renderer categorised
        on ``cable_size`` for cables (one width per size of :data:`CABLE_SIZES`).
    """
    style = STYLES[layer]
    head = (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{_QGIS_VERSION}" styleCategories="Symbology">\n'
    )
    if isinstance(style, CableStyle) and layer != "backbone":
        cats = "".join(
            f'<category value="{s}" symbol="{i}" label="{s} FO" render="true"/>'
            for i, s in enumerate(CABLE_SIZES)
        )
        syms = "".join(_symbol(str(i), style, s) for i, s in enumerate(CABLE_SIZES))
        renderer = (
            '<renderer-v2 type="categorizedSymbol" attr="cable_size" symbollevels="0" '
            'enableorderby="0" forceraster="0">'
            f"<categories>{cats}</categories><symbols>{syms}</symbols>"
            f"<source-symbol>{_symbol('0', style, CABLE_SIZES[0])}</source-symbol>"
            "</renderer-v2>"
        )
    else:
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><symbols>{_symbol("0", style, CABLE_SIZES[-1])}</symbols>'
            "</renderer-v2>"
        )
    return head + renderer + "\n</qgis>\n"


def _sld_symbolizer(style: PointStyle | FillStyle | CableStyle, size: int = 0) -> str:
    if isinstance(style, PointStyle):
        shape = {"triangle": "triangle", "square": "square", "diamond": "square"}.get(
            style.shape, "circle"
        )
        return (
            "<se:PointSymbolizer><se:Graphic><se:Mark>"
            f"<se:WellKnownName>{shape}</se:WellKnownName>"
            f'<se:Fill><se:SvgParameter name="fill">{style.fill}</se:SvgParameter></se:Fill>'
            f'<se:Stroke><se:SvgParameter name="stroke">{style.outline}</se:SvgParameter>'
            '<se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>'
            f"</se:Mark><se:Size>{round(style.size_mm * 3.78, 1)}</se:Size>"
            "</se:Graphic></se:PointSymbolizer>"
        )
    if isinstance(style, FillStyle):
        return (
            "<se:PolygonSymbolizer>"
            f'<se:Fill><se:SvgParameter name="fill">{style.fill}</se:SvgParameter>'
            f'<se:SvgParameter name="fill-opacity">{round(style.alpha / 255, 2)}'
            "</se:SvgParameter></se:Fill>"
            f'<se:Stroke><se:SvgParameter name="stroke">{style.outline}</se:SvgParameter>'
            f'<se:SvgParameter name="stroke-width">{round(style.width_mm * 3.78, 1)}'
            "</se:SvgParameter></se:Stroke></se:PolygonSymbolizer>"
        )
    return (
        "<se:LineSymbolizer><se:Stroke>"
        f'<se:SvgParameter name="stroke">{style.color}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{round(_width(style, size) * 3.78, 1)}'
        "</se:SvgParameter></se:Stroke></se:LineSymbolizer>"
    )


def sld(layer: str) -> str:
    """The SLD 1.1 document of an exported layer (same symbols as :func:`qml`)."""
    style = STYLES[layer]
    if isinstance(style, CableStyle) and layer != "backbone":
        rules = "".join(
            f"<se:Rule><se:Name>{s} FO</se:Name><ogc:Filter><ogc:PropertyIsEqualTo>"
            f"<ogc:PropertyName>cable_size</ogc:PropertyName><ogc:Literal>{s}</ogc:Literal>"
            f"</ogc:PropertyIsEqualTo></ogc:Filter>{_sld_symbolizer(style, s)}</se:Rule>"
            for s in CABLE_SIZES
        )
    else:
        rules = f"<se:Rule><se:Name>{layer}</se:Name>{_sld_symbolizer(style)}</se:Rule>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
        'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">'
        f"<NamedLayer><se:Name>{layer}</se:Name><UserStyle><se:Name>{layer}</se:Name>"
        f"<se:FeatureTypeStyle>{rules}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
        "</StyledLayerDescriptor>\n"
    )
