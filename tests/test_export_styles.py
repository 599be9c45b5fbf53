"""QGIS styles of the exported layers: every layer styled, classes that fit the data, stable text.

QGIS itself is not in the test suite (too heavy for CI); ``scripts/check_qgis_styles.py`` opens
an export in QGIS and checks that each layer comes up with these styles.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest

from bthd.export._run import load_run
from bthd.export.gis import SPLITS, TITLES, export_layers
from bthd.export.styles import CABLE_SIZES, STYLES, qml, sld
from bthd.schema import ZONES
from bthd.settings import DesignRules

SLD = {"se": "http://www.opengis.net/se", "ogc": "http://www.opengis.net/ogc"}


def _root(name: str) -> ET.Element:
    doc = qml(name)
    assert doc.startswith("<!DOCTYPE qgis ")
    return ET.fromstring(doc.split("\n", 1)[1])


def _renderer(name: str) -> ET.Element:
    r = _root(name).find("renderer-v2")
    assert r is not None, name
    return r


@pytest.fixture(scope="module")
def layers(small_run: Path) -> dict[str, tuple[gpd.GeoDataFrame, str]]:
    return export_layers(load_run(small_run))


def test_every_layer_an_export_can_hold_has_a_style() -> None:
    # a layer without a row in layer_styles opens in QGIS with a random single symbol
    names = {new for _, parts in SPLITS.values() for new, _ in parts.values()} | set(TITLES)
    assert names - set(STYLES) == set()


def test_classes_and_labels_name_columns_of_the_exported_layers(
    layers: dict[str, tuple[gpd.GeoDataFrame, str]],
) -> None:
    assert {"nro", "pm", "pbo", "premises", "roads", "transport_cables", "zpbo"} <= set(layers)
    # the small run has no plan: deployment zones are drawn by a column of the zones' schema
    assert _renderer("zdep").get("attr") in ZONES.column_names
    for name, (gdf, _) in layers.items():
        root = _root(name)
        r = _renderer(name)
        used = {r.get("attr")} - {None}
        used |= {
            m for rule in r.iter("rule") for m in re.findall(r'"(\w+)"', rule.get("filter", ""))
        }
        used |= {t.get("fieldName") for t in root.iter("text-style")}
        assert used <= set(gdf.columns), (name, used - set(gdf.columns))
        # QGIS labels a layer only when the root says so, and only if the QML has labeling
        assert (root.get("labelsEnabled") == "1") == (root.find("labeling") is not None), name
    for name in ("nro", "pm", "pop"):
        assert _root(name).get("labelsEnabled") == "1"


def test_layers_with_synthetic_rows_say_so_in_their_legend(
    layers: dict[str, tuple[gpd.GeoDataFrame, str]],
) -> None:
    synthetic = [
        n for n, (g, _) in layers.items() if "synthetic" in g and g["synthetic"].fillna(False).any()
    ]
    assert {"premises", "roads", "nra", "sr"} <= set(synthetic)
    for name in synthetic:
        r = _renderer(name)
        assert r.get("type") == "RuleRenderer", name
        rules = list(r.iter("rule"))
        # QGIS reads a GeoPackage boolean as a boolean: '"synthetic" = 1' is false on it in
        # QGIS 3.22 (every row would fall to the else rule), '= true' matches
        assert [x.get("filter") for x in rules] == ['"synthetic" = true', "ELSE"], name
        assert "SYNTHETIC" in (rules[0].get("label") or "")
        assert "SYNTHETIC" not in (rules[1].get("label") or "")
        # the generated rows are drawn differently from observed ones, not only labelled
        syms = {s.get("name"): ET.tostring(s) for s in r.iter("symbol")}
        assert syms[rules[0].get("symbol")] != syms[rules[1].get("symbol")], name


@pytest.mark.parametrize("name", ["transport_cables", "distribution_cables"])
def test_cables_are_drawn_by_size_wider_and_darker_as_they_grow(name: str) -> None:
    assert set(DesignRules().cable_sizes) <= set(CABLE_SIZES)
    r = _renderer(name)
    assert (r.get("type"), r.get("attr")) == ("categorizedSymbol", "cable_size")
    cats = r.findall("categories/category")
    assert [c.get("value") for c in cats] == [*map(str, CABLE_SIZES), ""]  # "": other sizes
    symbols = {s.get("name"): s for s in r.findall("symbols/symbol")}

    def prop(cat: ET.Element, key: str) -> str:
        opt = symbols[cat.get("symbol", "")].find(f".//Option[@name='{key}']")
        assert opt is not None
        return opt.get("value", "")

    sized = cats[:-1]
    widths = [float(prop(c, "line_width")) for c in sized]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)
    luma = [
        sum(
            w * int(v)
            for w, v in zip(
                (0.299, 0.587, 0.114), prop(c, "line_color").split(",")[:3], strict=True
            )
        )
        for c in sized
    ]
    assert luma == sorted(luma, reverse=True) and luma[0] > luma[-1] + 100
    assert prop(cats[-1], "line_style") == "dash"  # an unexpected size shows, dashed


def test_every_legend_entry_has_its_own_symbol_and_sld_rule() -> None:
    for name in STYLES:
        r = _renderer(name)
        entries = r.findall("categories/category") + list(r.iter("rule"))
        refs = [e.get("symbol") for e in entries] or ["0"]  # a single symbol is named 0
        names = [s.get("name") for s in r.findall("symbols/symbol")]
        assert sorted(refs, key=str) == sorted(names, key=str), name
        assert all(e.get("label") for e in entries), name  # no blank legend line
        doc = ET.fromstring(sld(name).split("\n", 1)[1])
        rules = doc.findall(".//se:Rule", SLD)
        symbolized = [x for x in rules if x.find("se:TextSymbolizer", SLD) is None]
        assert len(symbolized) == max(len(entries), 1), name
        has_else = any(e.get("value") == "" or e.get("filter") == "ELSE" for e in entries)
        assert (doc.find(".//se:ElseFilter", SLD) is not None) == has_else, name
        assert (doc.find(".//se:TextSymbolizer", SLD) is not None) == (
            _root(name).find("labeling") is not None
        )


def test_styles_are_stable_text() -> None:
    for name in STYLES:
        assert qml(name) == qml(name) and sld(name) == sld(name)
        # no generated uuids (QGIS writes random rule keys) nor dates in the documents
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", qml(name)), name
        assert not re.search(r"\d{4}-\d\d-\d\d", qml(name) + sld(name)), name
        keys = [x.get("key") for x in _root(name).iter() if x.get("key")]
        assert len(keys) == len(set(keys)), name
