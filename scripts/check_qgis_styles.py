"""Check that a bthd GeoPackage export opens styled in real QGIS, and render a map of it.

A manual check, not part of the test suite or CI (QGIS is far too heavy for CI). It opens every
feature layer of an export's ``bthd.gpkg`` as a ``QgsVectorLayer`` through QGIS's OGR provider,
exactly as QGIS Desktop does when a user drags the file in, and checks that QGIS applied the
default style of the layer from the ``layer_styles`` table: the renderer is the one the QML
defines (single symbol with the QML's colour, categorised, graduated or rule-based with the same
number of classes), labels are on when the QML turns them on, and every feature is drawn by a
class. It prints a table (layer, features, CRS, style loaded, renderer, classes, labels, drawn),
renders the styled layers over the extent of the NRO zones into a PNG with a legend drawn from
the renderers' own legend items and a note on the synthetic layers, and exits 1 if a layer is
not styled, is not in EPSG:2154, or leaves features undrawn.

How to run it (Debian 12: ``apt-get install qgis python3-qgis``; QGIS 3.22 or later)::

    bthd demo --out /tmp/qg-demo --overwrite
    bthd export /tmp/qg-demo --format gpkg --out /tmp/qg-export
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/check_qgis_styles.py \
        /tmp/qg-export/bthd.gpkg --png /tmp/qg-map.png

Add ``--bbox xmin,ymin,xmax,ymax`` (Lambert-93 metres) to render a detail instead, e.g. a town
at 1:5 000 where the PBO codes show. It takes a few seconds on the demo (40 000 premises).

Run it with the system python3 that has ``qgis.core`` (not bthd's virtualenv: bthd does not
depend on QGIS). ``EXPORT`` may be the export folder or its ``bthd.gpkg``.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsRectangle,
    QgsRenderContext,
    QgsSymbolLayerUtils,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QPoint, QRect, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter

#: Layers drawn on the map, bottom to top (the others are checked but not drawn).
MAP_LAYERS = (
    "communes",
    "roads",
    "zpbo",
    "zpm",
    "znro",
    "premises",
    "distribution_cables",
    "transport_cables",
    "backbone",
    "pbo",
    "pm",
    "nro",
    "pop",
)

#: QML renderer type → QgsFeatureRenderer.type().
RENDERERS = {
    "singleSymbol": "singleSymbol",
    "categorizedSymbol": "categorizedSymbol",
    "graduatedSymbol": "graduatedSymbol",
    "RuleRenderer": "RuleRenderer",
}


@dataclass
class Expected:
    """What a layer's default QML says QGIS should show."""

    renderer: str
    classes: int
    color: str | None
    labels: bool


@dataclass
class Row:
    """One line of the report."""

    layer: str
    features: int
    crs: str
    loaded: str
    renderer: str
    classes: int
    labels: str
    drawn: int
    problems: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def _expected(qml: str) -> Expected:
    """The renderer type, number of classes, first colour and labels defined by a QML."""
    root = ET.fromstring(qml.split("\n", 1)[1] if qml.startswith("<!DOCTYPE") else qml)
    r = root.find("renderer-v2")
    if r is None:
        raise ValueError("QML without <renderer-v2>")
    kind = r.get("type", "")
    classes = {
        "categorizedSymbol": len(r.findall("categories/category")),
        "graduatedSymbol": len(r.findall("ranges/range")),
        "RuleRenderer": len(list(r.iter("rule"))),
    }.get(kind, 1)
    color = None
    if kind == "singleSymbol":
        for opt in r.iter("Option"):
            if opt.get("name") in ("color", "line_color"):
                rgba = [int(v) for v in (opt.get("value") or "0,0,0").split(",")[:3]]
                color = QColor(*rgba).name()
                break
    return Expected(kind, classes, color, root.get("labelsEnabled") == "1")


def _styles(gpkg: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The feature layers (name, description) and each layer's default QML, read with sqlite3."""
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        layers = con.execute(
            "SELECT table_name, description FROM gpkg_contents "
            "WHERE data_type = 'features' ORDER BY rowid"
        ).fetchall()
        has = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'layer_styles'"
        ).fetchone()[0]
        qml = {}
        if has:
            for name, text in con.execute(
                "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault ORDER BY id"
            ):
                qml.setdefault(name, text)
    finally:
        con.close()
    return [(n, d or "") for n, d in layers], qml


def _class_counts(layer: QgsVectorLayer, settings: QgsMapSettings) -> tuple[int, dict[str, int]]:
    """Features the renderer draws, and per legend entry (at any scale: classes, not visibility)."""
    renderer = layer.renderer().clone()
    ctx = QgsRenderContext.fromMapSettings(settings)
    renderer.startRender(ctx, layer.fields())
    labels = {i.ruleKey(): i.label() for i in renderer.legendSymbolItems()}
    req = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
    req.setSubsetOfAttributes(list(renderer.usedAttributes(ctx)), layer.fields())
    # QGIS 3.22 draws a value no category names with the category of value "" ("all other
    # values") but gives no legend key for it: such features are counted in that category.
    others = None
    if renderer.type() == "categorizedSymbol":
        others = next((c.label() for c in renderer.categories() if c.value() in ("", None)), None)
    drawn, counts = 0, dict.fromkeys(labels.values(), 0)
    for f in layer.getFeatures(req):
        if renderer.willRenderFeature(f, ctx):
            drawn += 1
            keys = [k for k in renderer.legendKeysForFeature(f, ctx) if k in labels]
            for key in keys:  # a rule-based renderer also names its root rule: not counted
                counts[labels[key]] += 1
            if not keys and others is not None:
                counts[others] += 1
    renderer.stopRender(ctx)
    return drawn, counts


def _sql_counts(gpkg: Path, table: str, qml: str) -> dict[str, int]:
    """Rows per class of the QML, counted by SQLite on the file (independently of QGIS)."""
    root = ET.fromstring(qml.split("\n", 1)[1] if qml.startswith("<!DOCTYPE") else qml)
    r = root.find("renderer-v2")
    assert r is not None
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        total = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        out: dict[str, int] = {}
        if r.get("type") == "categorizedSymbol":
            attr = r.get("attr")
            values = dict(
                con.execute(f'SELECT CAST("{attr}" AS TEXT), count(*) FROM "{table}" GROUP BY 1')
            )
            for c in r.findall("categories/category"):
                if c.get("value"):
                    out[c.get("label", "")] = values.get(c.get("value"), 0)
            for c in r.findall("categories/category"):
                if not c.get("value"):  # "all other values"
                    out[c.get("label", "")] = total - sum(out.values())
        elif r.get("type") == "RuleRenderer":
            rules = list(r.iter("rule"))
            for rule in rules:
                m = re.fullmatch(r'"(\w+)" = (\S+)', rule.get("filter", ""))
                if m:
                    lit = {"true": "1", "false": "0"}.get(m.group(2).lower(), m.group(2))
                    sql = f'SELECT count(*) FROM "{table}" WHERE "{m.group(1)}" = {lit}'
                    out[rule.get("label", "")] = con.execute(sql).fetchone()[0]
            for rule in rules:
                if rule.get("filter") == "ELSE":
                    out[rule.get("label", "")] = total - sum(out.values())
        else:
            out[""] = total
    finally:
        con.close()
    return out


def check(gpkg: Path) -> tuple[list[Row], dict[str, QgsVectorLayer], dict[str, str]]:
    """Open every feature layer of ``gpkg`` in QGIS and compare what QGIS loaded with the QML."""
    names, qml = _styles(gpkg)
    rows, layers = [], {}
    settings = QgsMapSettings()
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    for name, _ in names:
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        problems = []
        if not layer.isValid():
            rows.append(Row(name, 0, "", "no", "-", 0, "-", 0, ["QGIS cannot open the layer"]))
            continue
        msg, ok = layer.loadDefaultStyle()
        renderer = layer.renderer()
        kind = renderer.type()
        if kind == "categorizedSymbol":
            classes = len(renderer.categories())
        elif kind == "graduatedSymbol":
            classes = len(renderer.ranges())
        elif kind == "RuleRenderer":
            classes = len(renderer.rootRule().descendants())
        else:
            classes = 1
        crs = layer.crs().authid()
        if crs != "EPSG:2154":
            problems.append(f"CRS {crs}, expected EPSG:2154")
        if name not in qml:
            problems.append("no default style in layer_styles")
            ok = False
        else:
            exp = _expected(qml[name])
            if not ok:
                problems.append(f"QGIS did not load the default style ({msg})")
            if kind != RENDERERS.get(exp.renderer, exp.renderer):
                problems.append(f"renderer {kind}, QML defines {exp.renderer}")
            elif classes != exp.classes:
                problems.append(f"{classes} classes, QML defines {exp.classes}")
            if (
                exp.color
                and kind == "singleSymbol"
                and renderer.symbol().color().name() != exp.color
            ):
                problems.append(f"colour {renderer.symbol().color().name()}, QML {exp.color}")
            if exp.labels != layer.labelsEnabled():
                problems.append(f"labels {layer.labelsEnabled()}, QML {exp.labels}")
        n = layer.featureCount()
        drawn, counts = _class_counts(layer, settings)
        if ok and drawn < n:
            problems.append(f"{n - drawn} features drawn by no class")
        if ok and name in qml and kind != "singleSymbol":
            expected = _sql_counts(gpkg, name, qml[name])
            if expected != counts:
                problems.append(f"QGIS draws {counts} by class, the file holds {expected}")
        rows.append(
            Row(
                name,
                n,
                crs,
                "yes" if ok and not problems else "no",
                kind,
                classes,
                "yes" if layer.labelsEnabled() else "no",
                drawn,
                problems,
                counts if kind != "singleSymbol" else {},
            )
        )
        layers[name] = layer
    return rows, layers, dict(names)


def table(rows: list[Row]) -> str:
    """The report as a fixed-width text table."""
    head = ("layer", "features", "CRS", "styled", "renderer", "classes", "labels", "drawn")
    body = [
        (
            r.layer,
            str(r.features),
            r.crs,
            r.loaded,
            r.renderer,
            str(r.classes),
            r.labels,
            str(r.drawn),
        )
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r, b in zip(rows, body, strict=True):
        line = "  ".join(x.ljust(w) for x, w in zip(b, widths, strict=True))
        lines.append(line + ("  ! " + "; ".join(r.problems) if r.problems else ""))
    lines.append("")
    lines.append("features per class (QGIS's renderer, checked against SQLite counts):")
    for r in rows:
        if r.counts:
            lines.append(
                f"  {r.layer}: " + ", ".join(f"{k or '(all)'} {v}" for k, v in r.counts.items())
            )
    return "\n".join(lines)


def render(
    layers: dict[str, QgsVectorLayer],
    titles: dict[str, str],
    png: Path,
    width: int,
    bbox: tuple[float, float, float, float] | None = None,
) -> None:
    """Render the map layers over the NRO zones (or ``bbox``) with a legend and a synthetic note."""
    drawn = [n for n in MAP_LAYERS if n in layers]
    if bbox is not None:
        extent = QgsRectangle(*bbox)
    else:
        zones = layers.get("znro") or next(iter(layers.values()))
        extent = QgsRectangle(zones.extent())
        extent.scale(1.04)
    height = round(width * extent.height() / extent.width())
    settings = QgsMapSettings()
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    settings.setLayers([layers[n] for n in reversed(drawn)])  # first is on top
    settings.setOutputSize(QSize(width, height))
    settings.setOutputDpi(96)
    settings.setExtent(extent)
    settings.setBackgroundColor(QColor("white"))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    settings.setFlag(QgsMapSettings.DrawLabeling, True)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    mapimg = job.renderedImage()

    legend_w, top, bottom = 430, 46, 40
    out = QImage(width + legend_w, max(height, 1300) + top + bottom, QImage.Format_ARGB32)
    out.fill(QColor("white"))
    p = QPainter(out)
    p.setRenderHint(QPainter.Antialiasing)
    p.drawImage(QPoint(0, top), mapimg)
    p.setPen(QColor("#333333"))
    p.drawRect(QRect(0, top, width - 1, height - 1))
    p.setFont(QFont("DejaVu Sans", 13, QFont.Bold))
    p.drawText(
        QRect(8, 0, width + legend_w - 16, top),
        Qt.AlignVCenter,
        f"{png.stem}: bthd.gpkg as QGIS {Qgis.QGIS_VERSION} styles it (layer_styles), EPSG:2154",
    )
    synthetic = [n for n, t in titles.items() if "SYNTHETIC" in t]
    p.setFont(QFont("DejaVu Sans", 10, QFont.Bold))
    p.setPen(QColor("#b03a2e"))
    p.drawText(
        QRect(8, top + height + 4, width + legend_w - 16, bottom - 8),
        Qt.AlignVCenter,
        "SYNTHETIC DATA: layers " + ", ".join(synthetic) + " are generated by bthd (seeded), "
        "not observations; the design is computed on them.",
    )
    y, x = top + 6, width + 14
    for name in reversed(drawn):
        layer = layers[name]
        p.setPen(QColor("black"))
        p.setFont(QFont("DejaVu Sans", 9, QFont.Bold))
        p.drawText(x, y + 13, name + ("  [SYNTHETIC]" if name in synthetic else ""))
        y += 18
        p.setFont(QFont("DejaVu Sans", 8))
        items = layer.renderer().legendSymbolItems()
        for item in items:
            if item.symbol() is None:
                continue
            pix = QgsSymbolLayerUtils.symbolPreviewPixmap(item.symbol(), QSize(28, 14))
            p.drawPixmap(x + 4, y, pix)
            p.drawText(x + 40, y + 11, item.label() or name)
            y += 16
        y += 4
    p.end()
    png.parent.mkdir(parents=True, exist_ok=True)
    if not out.save(str(png), "PNG"):
        raise OSError(f"{png}: QGIS could not write the PNG")


def main(argv: list[str] | None = None) -> int:
    """Check an export's GeoPackage in QGIS, print the table, write the map; 1 if not styled."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("export", type=Path, help="export folder or its bthd.gpkg")
    ap.add_argument("--png", type=Path, required=True, help="map to write (PNG)")
    ap.add_argument("--width", type=int, default=1600, help="map width in pixels")
    ap.add_argument(
        "--bbox",
        type=lambda v: tuple(float(x) for x in v.split(",")),
        help="xmin,ymin,xmax,ymax in EPSG:2154 (default: the NRO zones), to look at a detail",
    )
    args = ap.parse_args(argv)
    gpkg = args.export / "bthd.gpkg" if args.export.is_dir() else args.export
    if not gpkg.is_file():
        print(
            f"{gpkg}: no such GeoPackage; give an export folder or its bthd.gpkg", file=sys.stderr
        )
        return 2
    app = QgsApplication([], False)
    app.initQgis()
    try:
        rows, layers, titles = check(gpkg)
        print(f"{gpkg} in QGIS {Qgis.QGIS_VERSION}")
        print(table(rows))
        render(layers, titles, args.png, args.width, args.bbox)
        print(f"map: {args.png}")
        bad = [r.layer for r in rows if r.problems]
        if bad:
            print(f"NOT STYLED or wrong: {', '.join(bad)}", file=sys.stderr)
        return 1 if bad else 0
    finally:
        layers = {}  # QGIS layers must be gone before exitQgis, or Python crashes on exit
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
