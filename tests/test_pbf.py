"""Tests of bthd.io.pbf on real OpenStreetMap extracts (ODbL, © OpenStreetMap contributors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from bthd._errors import InputError, InputNotFoundError
from bthd.io.osm import graph_from_osm_file
from bthd.io.pbf import EXCLUDED_HIGHWAY, is_osm_file, read_osm_roads, road_components
from bthd.region import graph_from_layers, layers_from_graph
from bthd.settings import WORK_CRS

DATA = Path(__file__).parent / "data"
SAMPLES = DATA / "osm_samples"
BAVARIA_XML = DATA / "osmnx-test-planet_10.068_48.135_10.071_48.137.osm"
BAVARIA_PBF = SAMPLES / "osmnx-test-planet_10.068_48.135_10.071_48.137.osm.pbf"
HELSINKI_PBF = SAMPLES / "helsinki-centre.osm.pbf"
HELSINKI_ROADS_XML = SAMPLES / "helsinki-centre-roads.osm"


def _ends(edges: object) -> set[tuple[float, float]]:
    geoms = edges.geometry.to_numpy()  # type: ignore[attr-defined]
    pts = np.vstack([shapely.get_coordinates(shapely.get_point(geoms, i)) for i in (0, -1)])
    return {(round(x, 1), round(y, 1)) for x, y in pts}


def test_pbf_and_xml_of_one_extract_give_the_same_layers() -> None:
    a = read_osm_roads(BAVARIA_PBF)
    b = read_osm_roads(BAVARIA_XML)
    assert len(a.edges) == len(b.edges) > 10
    assert np.array_equal(a.edges[["u", "v"]].to_numpy(), b.edges[["u", "v"]].to_numpy())
    assert np.allclose(a.edges["length"], b.edges["length"])
    assert a.nodes["osmid"].tolist() == b.nodes["osmid"].tolist()


def test_same_edges_as_osmnx_reading_the_xml() -> None:
    """The PBF reader and osmnx (graph_from_xml) give the same streets."""
    ours = read_osm_roads(BAVARIA_PBF).edges
    _, theirs = layers_from_graph(graph_from_osm_file(BAVARIA_XML, retain_all=True))
    theirs = theirs[theirs["highway"].notna()]  # osmnx also turns the 33 buildings into edges
    assert _ends(ours) == _ends(theirs)
    assert ours["length"].sum() == pytest.approx(theirs["length"].sum(), rel=1e-4)
    # private service roads are kept, as osmnx's network_type="all" keeps them
    assert (ours["access"] == "private").sum() == 9


def test_helsinki_pbf_against_osmnx_on_its_roads() -> None:
    ours = read_osm_roads(HELSINKI_PBF)
    _, theirs = layers_from_graph(graph_from_osm_file(HELSINKI_ROADS_XML, retain_all=True))
    e = ours.edges
    # only roads: every edge has a highway class osmnx's "all" filter keeps
    assert e["highway"].notna().all()
    assert not e["highway"].str.contains(EXCLUDED_HIGHWAY.pattern).any()
    # the same street network: the unions of the lines differ by well under 1 % of their length
    ua = shapely.union_all(e.geometry.to_numpy())
    ub = shapely.union_all(theirs.geometry.to_numpy())
    assert ua.difference(ub.buffer(0.5)).length < 0.005 * ub.length
    assert ub.difference(ua.buffer(0.5)).length < 0.005 * ub.length
    # every osmnx intersection or dead end is a node here (we also cut where the class changes)
    theirs_ends, ours_ends = _ends(theirs), _ends(e)
    assert len(theirs_ends & ours_ends) >= 0.99 * len(theirs_ends)
    # lengths are great-circle metres (osmnx's), close to the Lambert-93 ones... in Helsinki,
    # far outside Lambert-93's zone, the projected lines are longer: check on the geometry alone
    assert (e["length"] > 0).all()
    # the geometry runs from u to v
    start = shapely.get_point(e.geometry.to_numpy(), 0)
    assert np.allclose(shapely.get_x(start), ours.nodes["x"].to_numpy()[e["u"]], atol=0.01)
    end = shapely.get_point(e.geometry.to_numpy(), -1)
    assert np.allclose(shapely.get_y(end), ours.nodes["y"].to_numpy()[e["v"]], atol=0.01)


def test_layers_make_a_graph_the_design_reads() -> None:
    r = read_osm_roads(HELSINKI_PBF)
    G = graph_from_layers(r.nodes, r.edges)
    assert G.number_of_nodes() == len(r.nodes)
    assert G.number_of_edges() == 2 * len(r.edges)
    assert r.nodes.crs == WORK_CRS and r.edges.crs == WORK_CRS


def test_area_filter_keeps_whole_ways_touching_the_area() -> None:
    full = read_osm_roads(HELSINKI_PBF)
    centre = full.nodes.geometry.union_all().centroid
    part = read_osm_roads(HELSINKI_PBF, area=centre.buffer(100), margin_m=0)
    assert 0 < len(part.edges) < len(full.edges)
    # every way kept touches the area, and ways are kept whole (not cut at the border)
    circle = centre.buffer(100 + 1e-6)
    by_way = part.edges.dissolve(by="osmid").geometry
    assert by_way.intersects(circle).all()
    assert part.edges.geometry.union_all().difference(circle).length > 0
    # nothing of a way that does not touch the area
    others = full.edges[~full.edges["osmid"].isin(by_way.index)]
    assert not others.dissolve(by="osmid").geometry.intersects(centre.buffer(99)).any()


def test_components_are_labelled_not_dropped() -> None:
    r = read_osm_roads(HELSINKI_PBF)
    comp = road_components(r.edges, len(r.nodes))
    assert len(comp) == len(r.edges)
    assert comp.min() == 0
    lengths = np.bincount(comp, weights=r.edges["length"].to_numpy())
    assert lengths[0] == lengths.max()


def test_pbf_covering_none_of_the_area_is_refused() -> None:
    brittany = shapely.box(300_000, 6_800_000, 310_000, 6_810_000)  # Lambert-93
    with pytest.raises(InputError, match="covers none of the area") as exc:
        read_osm_roads(HELSINKI_PBF, area=brittany)
    assert str(HELSINKI_PBF) in str(exc.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        read_osm_roads(tmp_path / "nope.osm.pbf")
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(HELSINKI_PBF.read_bytes()[:5000])
    with pytest.raises(InputError, match=r"broken\.osm\.pbf"):
        read_osm_roads(bad)
    empty = tmp_path / "nodes-only.osm"
    empty.write_text(
        '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="48.1" lon="-1.6"/></osm>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no road"):
        read_osm_roads(empty)
    assert is_osm_file("bretagne-latest.osm.pbf") and not is_osm_file("roads.gpkg")
