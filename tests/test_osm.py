"""bthd.io.osm: road graphs from OSM files, downloads (offline here) and roads layers."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import requests
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import CRS
from scipy.spatial import cKDTree

from bthd._errors import InputError, InputNotFoundError, ValidationError
from bthd.io import write
from bthd.io.osm import (
    DownloadError,
    graph_from_bbox,
    graph_from_lines,
    graph_from_osm_file,
    graph_from_place,
    read_roads,
    roads_from_graph,
    user_cache_dir,
)
from bthd.schema import validate

DATA = Path(__file__).parent / "data"
OSM_FILE = DATA / "osmnx-test-planet_10.068_48.135_10.071_48.137.osm"
RENNES = DATA / "rennes-centre-osm-2013.geojson"  # ODbL, © OpenStreetMap contributors

X0, Y0 = 351_000.0, 6_789_000.0


@pytest.fixture(scope="module")
def rennes() -> gpd.GeoDataFrame:
    """469 named streets of central Rennes (OSM 2013), in Lambert-93."""
    return gpd.read_file(RENNES).to_crs("EPSG:2154")


@pytest.fixture(scope="module")
def rennes_graph(rennes: gpd.GeoDataFrame) -> nx.MultiDiGraph:
    return graph_from_lines(rennes)


def lines(*coords: list[tuple[float, float]], **columns: list[object]) -> gpd.GeoDataFrame:
    """LineStrings in Lambert-93 from coordinates relative to (X0, Y0)."""
    geoms = [shapely.LineString([(X0 + x, Y0 + y) for x, y in c]) for c in coords]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:2154")


def one_way(G: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """The edges of a graph of graph_from_lines, one direction only."""
    edges = ox.graph_to_gdfs(G, nodes=False)
    return edges[~edges["reversed"].astype(bool)]


# --- OSM files -------------------------------------------------------------------------------


def test_graph_from_osm_file() -> None:
    G = graph_from_osm_file(OSM_FILE)
    assert CRS.from_user_input(G.graph["crs"]).to_epsg() == 2154
    assert G.number_of_nodes() == 21 and G.number_of_edges() == 40
    nodes, edges = ox.graph_to_gdfs(G)
    # Lambert-93 metres (this file is in Bavaria, east of France)
    assert nodes["x"].between(1_225_000, 1_226_000).all()
    assert nodes["y"].between(6_805_000, 6_806_000).all()
    # `length` is in metres: within 0.3 % of the planar length of the projected geometry
    ratio = edges.length / edges["length"]
    assert ratio.between(0.997, 1.003).all()
    assert edges["length"].sum() == pytest.approx(856.2, abs=0.1)
    assert {"highway", "osmid", "geometry"} <= set(edges.columns)
    node = ox.distance.nearest_nodes(G, nodes["x"].iloc[3] + 1, nodes["y"].iloc[3] + 1)
    assert node == nodes.index[3]


def test_bad_osm_files(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        graph_from_osm_file(tmp_path / "missing.osm")
    empty = tmp_path / "empty.osm"
    empty.touch()
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        graph_from_osm_file(empty)
    cut = tmp_path / "cut.osm"
    cut.write_bytes(OSM_FILE.read_bytes()[:20_000])
    with pytest.raises(InputError, match="not well-formed OSM XML") as info:
        graph_from_osm_file(cut)
    assert str(cut) in str(info.value) and "truncated" in str(info.value)
    nodes_only = tmp_path / "nodes.osm"
    nodes_only.write_text(
        '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="48.1" lon="-1.6"/></osm>'
    )
    with pytest.raises(InputError, match="has no ways"):
        graph_from_osm_file(nodes_only)


# --- downloads, offline ----------------------------------------------------------------------


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network, whatever the machine has, and no pause between requests."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise requests.ConnectionError("network is unreachable (test)")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


@pytest.mark.usefixtures("offline")
def test_download_offline_is_a_clear_error(tmp_path: Path) -> None:
    settings = (ox.settings.use_cache, ox.settings.cache_folder, ox.settings.overpass_rate_limit)
    with pytest.raises(DownloadError) as info:
        graph_from_place("Lamballe-Armor, France", cache_dir=tmp_path)
    msg = str(info.value)
    assert isinstance(info.value, ConnectionError)
    assert "cannot download the place 'Lamballe-Armor, France'" in msg
    assert "no connection" in msg
    assert str(tmp_path) in msg  # where the cache is
    assert "graph_from_osm_file" in msg and "read_roads" in msg  # what to do offline
    with pytest.raises(DownloadError, match=r"cannot download the box -1\.69"):
        graph_from_bbox(
            (351_000, 6_788_000, 352_000, 6_789_000), crs="EPSG:2154", cache_dir=tmp_path
        )
    # osmnx's settings are as they were
    assert (
        ox.settings.use_cache,
        ox.settings.cache_folder,
        ox.settings.overpass_rate_limit,
    ) == settings


def test_bbox_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="left < right"):
        graph_from_bbox((-1.6, 48.1, -1.7, 48.2))


def test_user_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BTHD_CACHE_DIR", str(tmp_path))
    assert user_cache_dir() == tmp_path
    monkeypatch.delenv("BTHD_CACHE_DIR")
    assert user_cache_dir().name == "bthd"


@pytest.mark.network
def test_download_a_small_box(tmp_path: Path) -> None:
    G = graph_from_bbox((-1.6800, 48.1090, -1.6760, 48.1115), cache_dir=tmp_path)
    assert CRS.from_user_input(G.graph["crs"]).to_epsg() == 2154
    assert G.number_of_edges() > 10
    assert any(tmp_path.iterdir())  # the response is cached


# --- roads layers: small cases ---------------------------------------------------------------


def test_a_crossing_becomes_a_node() -> None:
    roads = lines(
        [(0, 0), (100, 0)],
        [(50, -50), (50, 50)],
        highway=["residential", "tertiary"],
        name=["Rue A", "Rue B"],
    )
    G = graph_from_lines(roads)
    assert G.number_of_nodes() == 5
    assert G.number_of_edges() == 8  # 4 street segments, both ways
    assert G.graph["crs"] == "EPSG:2154"
    centre = [n for n, d in G.degree() if d == 8]
    assert len(centre) == 1
    assert (G.nodes[centre[0]]["x"], G.nodes[centre[0]]["y"]) == (X0 + 50, Y0)
    assert G.nodes[centre[0]]["street_count"] == 4
    for u, v, data in G.edges(data=True):
        assert data["length"] == pytest.approx(50)
        assert data["geometry"].coords[0] == (G.nodes[u]["x"], G.nodes[u]["y"])
        assert data["geometry"].coords[-1] == (G.nodes[v]["x"], G.nodes[v]["y"])
        assert G.has_edge(v, u)  # both directions
        assert data["oneway"] is False
        assert (data["highway"], data["name"]) in {("residential", "Rue A"), ("tertiary", "Rue B")}
        assert data["osmid"] in (0, 1)  # the input's index label


def test_a_touching_end_splits_the_other_line() -> None:
    G = graph_from_lines(lines([(0, 0), (100, 0)], [(30, 0), (30, 40)]))  # a T
    assert G.number_of_nodes() == 4
    assert sorted(d for _, d in G.degree()) == [2, 2, 2, 6]
    assert sum(d["length"] for *_, d in G.edges(data=True)) == pytest.approx(2 * 140)


def test_ends_closer_than_the_tolerance_are_merged() -> None:
    roads = lines([(0, 0), (100, 0)], [(100.3, 0.1), (200, 0)])  # a 32 cm digitising gap
    merged = graph_from_lines(roads, tolerance=0.5)
    assert merged.number_of_nodes() == 3 and nx.is_weakly_connected(merged)
    middle = next(n for n, d in merged.degree() if d == 4)
    assert merged.nodes[middle]["x"] == pytest.approx(X0 + 100.15)
    assert graph_from_lines(roads, tolerance=0.1).number_of_nodes() == 4


def test_multilinestrings_and_overlaps() -> None:
    multi = shapely.MultiLineString(
        [[(X0, Y0), (X0 + 100, Y0)], [(X0 + 100, Y0), (X0 + 100, Y0 + 100)]]
    )
    overlap = shapely.LineString([(X0 + 50, Y0), (X0 + 150, Y0)])
    roads = gpd.GeoDataFrame(
        {"highway": ["service", "track"]}, geometry=[multi, overlap], crs="EPSG:2154"
    )
    G = graph_from_lines(roads)
    edges = one_way(G)
    assert edges["length"].sum() == pytest.approx(250)  # the shared 50 m counted once
    assert sorted(edges["length"].round(6)) == [50, 50, 50, 100]
    assert set(edges["osmid"]) == {0, 1}


def test_a_street_digitised_twice_is_kept_once() -> None:
    roads = lines([(0, 0), (100, 0)], [(0.05, 0.1), (60, 0.12), (100, 0.1)], [(100, 0), (200, 0)])
    edges = one_way(graph_from_lines(roads))
    assert len(edges) == 2
    assert edges["length"].sum() == pytest.approx(200, abs=0.05)  # ends moved to their mean


def test_roads_in_wgs84_are_projected_and_input_is_not_mutated() -> None:
    roads = lines([(0, 0), (100, 0)], [(50, -50), (50, 50)]).to_crs("EPSG:4326")
    before = roads.copy()
    G = graph_from_lines(roads)
    assert G.graph["crs"] == "EPSG:2154"
    assert one_way(G)["length"].sum() == pytest.approx(200, abs=0.01)
    assert_geodataframe_equal(roads, before)


def test_bad_roads_layers_are_rejected_with_every_problem() -> None:
    roads = lines([(0, 0), (100, 0)], [(0, 10), (100, 10)], [(0, 20), (100, 20)])
    roads = roads.set_crs(None, allow_override=True)
    roads.loc[1, "geometry"] = shapely.Point(X0, Y0)
    roads.loc[2, "geometry"] = None
    with pytest.raises(ValidationError) as info:
        graph_from_lines(roads, source="voies.gpkg")
    msg = str(info.value)
    assert msg.startswith("voies.gpkg: 3 problems in the roads layer")
    assert "no CRS" in msg and "wrong geometry type Point" in msg and "without geometry" in msg
    with pytest.raises(ValueError, match="tolerance"):
        graph_from_lines(lines([(0, 0), (1, 0)]), tolerance=-1)


# --- roads layers: the real Rennes streets ---------------------------------------------------


def test_rennes_total_length_is_preserved(
    rennes: gpd.GeoDataFrame, rennes_graph: nx.MultiDiGraph
) -> None:
    union_length = shapely.union_all(rennes.geometry.to_numpy()).length
    edges = one_way(rennes_graph)
    assert 2 * len(edges) == rennes_graph.number_of_edges()
    assert edges["length"].sum() == pytest.approx(union_length, rel=1e-3)
    assert edges["length"].sum() == pytest.approx(edges.length.sum())
    assert (edges["length"] > 0).all()


def test_rennes_every_street_crossing_is_a_node(
    rennes: gpd.GeoDataFrame, rennes_graph: nx.MultiDiGraph
) -> None:
    geoms = rennes.geometry.to_numpy()
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = i < j
    inter = shapely.intersection(geoms[i[pairs]], geoms[j[pairs]])
    parts = shapely.get_parts(inter)
    points = shapely.get_coordinates(parts[shapely.get_type_id(parts) == 0])
    # shared stretches (LineString intersections) start and end at nodes too
    stretches = parts[shapely.get_type_id(parts) == 1]
    ends = shapely.get_coordinates(shapely.boundary(stretches))
    crossings = np.vstack([points, ends])
    assert len(crossings) > 500
    node_xy = np.array([(d["x"], d["y"]) for _, d in rennes_graph.nodes(data=True)])
    dist, _ = cKDTree(node_xy).query(crossings)
    assert dist.max() <= 0.5 + 1e-6

    # and every node is a crossing or the end of a street (a closed way's start included):
    # no node in the middle of nowhere
    line_ends = shapely.get_coordinates(
        np.concatenate([shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)])
    )
    dist, _ = cKDTree(np.vstack([crossings, line_ends])).query(node_xy)
    assert dist.max() <= 0.5 + 1e-6


def test_rennes_graph_is_connected_with_sensible_degrees(rennes_graph: nx.MultiDiGraph) -> None:
    sizes = sorted((len(c) for c in nx.weakly_connected_components(rennes_graph)), reverse=True)
    assert sizes[0] >= 0.95 * rennes_graph.number_of_nodes()
    streets = np.array([d["street_count"] for _, d in rennes_graph.nodes(data=True)])
    degree = np.array([d for _, d in rennes_graph.degree()])
    assert (degree == 2 * streets).all()
    assert streets.min() >= 1 and streets.max() <= 6
    # mostly crossroads and T junctions, some dead ends (the box cuts streets), few bends
    assert np.mean(streets >= 3) > 0.6
    assert np.mean(streets == 2) < 0.25
    assert 2.5 < streets.mean() < 3.5


def test_rennes_edges_keep_their_street_attributes(
    rennes: gpd.GeoDataFrame, rennes_graph: nx.MultiDiGraph
) -> None:
    edges = one_way(rennes_graph)
    assert set(edges["highway"]) <= set(rennes["highway"])
    assert edges["name"].notna().all()
    by_name = rennes.dissolve("name").geometry
    mid = shapely.line_interpolate_point(edges.geometry.to_numpy(), 0.5, normalized=True)
    dist = shapely.distance(mid, by_name.loc[edges["name"]].to_numpy())
    # every edge lies on a street of its name (ends merged within 0.5 m may move it a little)
    assert np.quantile(dist, 0.95) < 1e-6 and dist.max() < 0.5
    assert edges.loc[edges["name"] == "Place de la Mairie", "highway"].iloc[0] == "pedestrian"


def test_rennes_graph_works_with_osmnx(rennes_graph: nx.MultiDiGraph) -> None:
    nodes, edges = ox.graph_to_gdfs(rennes_graph)
    assert nodes.crs.to_epsg() == 2154 and edges.crs.to_epsg() == 2154
    assert len(edges) == rennes_graph.number_of_edges()
    rng = np.random.default_rng(2154)
    x = rng.uniform(351_600, 352_900, 50)
    y = rng.uniform(6_788_500, 6_789_800, 50)
    nearest = ox.distance.nearest_edges(rennes_graph, x, y)
    points = shapely.points(x, y)
    got = shapely.distance(points, edges.loc[[tuple(e) for e in nearest]].geometry.to_numpy())
    best = np.array([edges.distance(p).min() for p in points])
    assert np.allclose(got, best)
    a, b = nodes.index[0], nodes.index[len(nodes) // 2]
    if nx.has_path(rennes_graph, a, b):
        route = nx.shortest_path_length(rennes_graph, a, b, weight="length")
        assert route >= shapely.distance(nodes.geometry.loc[a], nodes.geometry.loc[b])


def test_roads_from_graph_round_trip(
    rennes: gpd.GeoDataFrame, rennes_graph: nx.MultiDiGraph
) -> None:
    roads = roads_from_graph(rennes_graph)
    validate(roads, "roads")
    assert len(roads) == rennes_graph.number_of_edges() // 2  # one row per street segment
    assert roads["length"].sum() == pytest.approx(one_way(rennes_graph)["length"].sum())
    assert {"u", "v", "key", "length", "highway", "name"} <= set(roads.columns)
    again = graph_from_lines(roads)
    assert again.number_of_nodes() == rennes_graph.number_of_nodes()
    assert again.number_of_edges() == rennes_graph.number_of_edges()
    both = roads_from_graph(rennes_graph, both_directions=True)
    assert len(both) == rennes_graph.number_of_edges()


def test_roads_from_an_osmnx_graph_join_lists(tmp_path: Path) -> None:
    roads = roads_from_graph(graph_from_osm_file(OSM_FILE))
    assert roads["osmid"].map(type).eq(str).all()
    assert roads["osmid"].str.contains(";").any()  # simplified ways merged several OSM ways
    write(roads, tmp_path / "roads.gpkg")  # storable as it is


def test_read_roads(
    tmp_path: Path, rennes: gpd.GeoDataFrame, rennes_graph: nx.MultiDiGraph
) -> None:
    G = read_roads(RENNES)  # GeoJSON in WGS 84
    assert G.number_of_nodes() == rennes_graph.number_of_nodes()
    assert one_way(G)["length"].sum() == pytest.approx(
        one_way(rennes_graph)["length"].sum(), rel=1e-6
    )
    path = tmp_path / "voies.gpkg"
    write(rennes, path, layer="roads")
    assert read_roads(path).number_of_edges() == rennes_graph.number_of_edges()
    points = tmp_path / "points.geojson"
    write(gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs="EPSG:2154"), points)
    with pytest.raises(ValidationError, match="wrong geometry type Point") as info:
        read_roads(points)
    assert str(points) in str(info.value)
