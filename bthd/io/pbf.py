"""Read the roads of an OpenStreetMap extract (``.osm.pbf``, ``.osm`` XML) into road layers.

:func:`read_osm_roads` streams an extract as distributed (the regional ``.osm.pbf`` files of the
usual extract sites, or an ``.osm`` XML export) and returns the road network of an area as the
node and edge layers bthd designs on (:func:`bthd.region.layers_from_graph` gives the same
columns): nodes ``node_id``, ``x``, ``y`` (Lambert-93) and ``osmid``; undirected edges ``u``,
``v``, ``length`` (metres, great-circle, as osmnx measures it), ``highway``, ``name``, ``ref``,
``access``, ``service``, ``bridge``, ``tunnel``, ``osmid`` (the first OSM way) and a LineString
from ``u`` to ``v``.

What is kept is what osmnx keeps for ``network_type="all"``, the type bthd downloads with
(:func:`bthd.io.osm.graph_from_place`): ways with a ``highway`` tag, not areas (``area=yes``),
not ``abandoned|construction|no|planned|platform|proposed|raceway|razed|rest_area|services``
(osmnx's own Overpass filter, applied here as the same regular expressions). So:

* **private tracks and service roads are kept** (``access=private`` included), as osmnx's
  ``"all"`` keeps them: a drop cable follows the private lane to a farm;
* **ferries are not roads**: ``route=ferry`` ways carry no ``highway`` tag, so osmnx leaves them
  out, and so does this reader; an island served by ferry comes out as a separate road
  component, which :func:`road_components` reports (it is not dropped);
* every street is two-way (a cable does not care about one-way streets); the graph is
  simplified as osmnx simplifies it (nodes that only continue a street are merged into the edge
  geometry), except that a change of ``highway`` class also ends an edge (osmnx's
  ``edge_attrs_differ=["highway"]``), so every edge has one class;
* every part of the network is kept (osmnx's ``retain_all=True``): an area whose roads fall
  apart is flagged by the caller, never cut silently.

Library: **pyosmium** (PyPI ``osmium``, libosmium's official bindings). Compared in December
2026 for Python 3.11 wheels: pyosmium 4.3 is a 1.9 MB wheel whose only dependency is
``requests``, reads PBF and XML in C++ with filters applied before Python sees an object, and
streams (constant memory whatever the file size). pyrosm 0.25 (5.5 MB wheel plus protobuf and
rapidjson) decodes the whole file into memory before filtering, which does not fit a regional
extract comfortably; QuackOSM 0.19 (DuckDB, 25 MB, and about fifteen further packages) streams
through on-disk Parquet caches, a heavier machine for a roads-only read. The reader makes one
pass: libosmium keeps the node locations in its own index (in memory, or in a file with
``node_storage``) and hands Python only the ``highway`` ways (C++ entity and key filters); each
way's node ids go into a compact array and its positions come as one WKB line built in C++;
the graph is then built with numpy. Memory is the location index (about 16 bytes per node of
the file), the ways' node references and tags, and the layers returned: measured by
``scripts/bench_own_data.py`` on a 209 MB extract (10.7 million nodes, 1.1 million road ways)
on 2 cores: 56 s and 3.2 GB at the peak for the whole file, 40 s and 1.6 GB for the area of one
département.

Not for: buildings, addresses or any other OSM feature; downloads (see :mod:`bthd.io.osm`).
"""

from __future__ import annotations

import logging
import os
import re
from array import array
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph

from bthd._errors import InputError
from bthd.io import _existing
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: Suffixes of the OpenStreetMap files :func:`read_osm_roads` reads.
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")
#: ``highway`` values left out: osmnx's ``network_type="all"`` filter (unanchored regex).
EXCLUDED_HIGHWAY = re.compile(
    "abandoned|construction|no|planned|platform|proposed|raceway|razed|rest_area|services"
)
#: ``area`` values that make a way an area, not a road (osmnx: ``["area"!~"yes"]``).
EXCLUDED_AREA = re.compile("yes")
#: Way tags copied onto the edges (a subset of osmnx's ``useful_tags_way``).
EDGE_TAGS = ("highway", "name", "ref", "access", "service", "bridge", "tunnel")
#: Earth radius of osmnx's great-circle lengths, in metres.
EARTH_RADIUS_M = 6_371_009.0


@dataclass
class OsmRoads:
    """What :func:`read_osm_roads` returns.

    Attributes
    ----------
    nodes, edges
        The road layers (see the module docstring).
    ways
        Number of OSM ways kept.
    ferries
        Number of ``route=ferry`` ways seen (not roads; their islands are separate components).
    bbox
        Bounding box of the file's road nodes, (lon min, lat min, lon max, lat max).
    """

    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    ways: int
    ferries: int
    bbox: tuple[float, float, float, float]


def is_osm_file(path: str | os.PathLike[str]) -> bool:
    """Whether a path names an OpenStreetMap file (by its suffix)."""
    name = os.fspath(path).lower()
    return name.endswith(OSM_SUFFIXES)


def read_osm_roads(
    path: str | os.PathLike[str],
    *,
    area: Any = None,
    margin_m: float = 500.0,
    node_storage: str = "flex_mem",
) -> OsmRoads:
    """Read the roads of an OSM extract, in Lambert-93, kept where they touch an area.

    Parameters
    ----------
    path
        An ``.osm.pbf`` extract, or an ``.osm`` XML file (plain, ``.bz2`` or ``.gz``).
    area
        Keep the ways with at least one node within ``margin_m`` of this area (whole: a road
        crossing the border is not cut): a shapely geometry in Lambert-93, or a GeoSeries /
        GeoDataFrame with a CRS (its union). None keeps every road of the file.
    margin_m
        Margin around ``area`` in metres, so that the roads just outside (which premises near
        the border may hang on) are kept.

    Returns
    -------
    OsmRoads
        Node and edge layers; edges sorted by the file order of their first way.

    Raises
    ------
    bthd.InputNotFoundError
        The file does not exist.
    bthd.InputError
        The file cannot be read, holds no road, or covers none of ``area`` (the message gives
        both boxes in longitude/latitude).
    """
    import osmium

    p = _existing(path)
    source = str(p)
    zone = _area_geometry(area, margin_m)
    try:
        header_box = osmium.FileProcessor(str(p)).header.box()
    except RuntimeError as exc:
        raise _unreadable(p, exc) from exc
    if zone is not None and header_box.valid():
        hb = (
            header_box.bottom_left.lon,
            header_box.bottom_left.lat,
            header_box.top_right.lon,
            header_box.top_right.lat,
        )
        if not shapely.intersects(shapely.box(*hb), _to_lonlat(zone)):
            raise _no_cover(source, hb, zone)

    # ---- one pass: node locations into libosmium's index (C++), highway ways to Python ----
    refs = array("q")
    starts = array("q")
    way_ids = array("q")
    # each way's node positions come as one WKB line built in C++ (a Python loop over its nodes
    # would take most of the time); a way with nodes missing from the extract takes the slow path
    wkbs: list[str | None] = []
    slow: dict[int, list[tuple[float, float]]] = {}
    fab = osmium.geom.WKBFactory()
    tags: dict[str, list[str | None]] = {k: [] for k in EDGE_TAGS}
    ferries = 0
    try:
        fp = (
            osmium.FileProcessor(str(p), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations(node_storage)
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway", "route"))
        )
        for w in fp:
            wt = w.tags
            hw = wt.get("highway")
            if hw is None:
                if wt.get("route") == "ferry":
                    ferries += 1
                continue
            if EXCLUDED_HIGHWAY.search(hw) or EXCLUDED_AREA.search(wt.get("area") or ""):
                continue
            nds = w.nodes  # type: ignore[union-attr]  # the entity filter lets ways only
            if len(nds) < 2:
                continue
            starts.append(len(refs))
            refs.extend([n.ref for n in nds])
            try:
                wkbs.append(fab.create_linestring(nds, use_nodes=osmium.geom.ALL))
            except (osmium.InvalidLocationError, RuntimeError):
                wkbs.append(None)
                slow[len(wkbs) - 1] = [
                    (n.lon, n.lat) if n.location.valid() else (np.nan, np.nan) for n in nds
                ]
            way_ids.append(w.id)
            for k in EDGE_TAGS:
                tags[k].append(wt.get(k))
    except RuntimeError as exc:
        raise _unreadable(p, exc) from exc
    if not way_ids:
        raise InputError(
            f"{source}: the OpenStreetMap file holds no road (no way with a highway tag). "
            "Export the streets (highway=*), or check that this is the right extract."
        )
    R = np.frombuffer(refs, dtype=np.int64)
    S = np.frombuffer(starts, dtype=np.int64)
    RX, RY = _ref_positions(wkbs, slow, S, len(R))
    del wkbs, slow
    located = np.isfinite(RX) & np.isfinite(RY)
    if not located.any():
        raise InputError(f"{source}: the roads of the file have no node with a position.")
    ids, first_ref = np.unique(R[located], return_index=True)
    lon = RX[located][first_ref]
    lat = RY[located][first_ref]
    bbox = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    to_l93 = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    x, y = to_l93.transform(lon, lat)

    n_ways = len(S)
    way_of_ref = np.repeat(np.arange(n_ways), np.diff(np.r_[S, len(R)]))
    pos = np.minimum(np.searchsorted(ids, R), len(ids) - 1)
    node_of_ref = np.where(located & (ids[pos] == R), pos, -1)

    keep_way = np.ones(n_ways, bool)
    if zone is not None:
        inside = np.zeros(len(ids), bool)
        xmin, ymin, xmax, ymax = zone.bounds
        cand = np.flatnonzero((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
        shapely.prepare(zone)
        inside[cand] = shapely.contains_xy(zone, x[cand], y[cand])
        hit = np.zeros(n_ways, bool)
        ok = node_of_ref >= 0
        hit[np.unique(way_of_ref[ok][inside[node_of_ref[ok]]])] = True
        keep_way = hit
        if not keep_way.any():
            raise _no_cover(source, bbox, zone)
    nodes, edges = _build_layers(
        node_of_ref,
        way_of_ref,
        keep_way,
        x,
        y,
        lon,
        lat,
        ids,
        np.frombuffer(way_ids, np.int64),
        tags,
    )
    log.info(
        "%s: %d OSM ways kept → %d road nodes, %d edges, %.1f km (%d ferry routes left out)",
        source,
        int(keep_way.sum()),
        len(nodes),
        len(edges),
        float(edges["length"].sum()) / 1000,
        ferries,
    )
    return OsmRoads(nodes, edges, int(keep_way.sum()), ferries, bbox)


def _build_layers(
    node_of_ref: np.ndarray,
    way_of_ref: np.ndarray,
    keep_way: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    osm_node_ids: np.ndarray,
    osm_way_ids: np.ndarray,
    tags: dict[str, list[str | None]],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Simplified node and edge layers from the ways' node references."""
    # segments between consecutive references of a kept way (both ends known, not repeated)
    same_way = way_of_ref[1:] == way_of_ref[:-1]
    a, b = node_of_ref[:-1], node_of_ref[1:]
    w = way_of_ref[:-1]
    seg_ok = same_way & keep_way[w] & (a >= 0) & (b >= 0) & (a != b)
    seg_idx = np.flatnonzero(seg_ok)
    a, b, w = a[seg_idx], b[seg_idx], w[seg_idx]
    # one segment per pair of nodes (two ways drawn over the same stretch: the first wins)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * (len(x) + 1) + hi, return_index=True)
    first = np.sort(first)
    a, b, w, seg_idx = a[first], b[first], w[first], seg_idx[first]
    n_seg = len(a)
    hw = np.asarray(pd.Series(tags["highway"], dtype=object).to_numpy()[w], dtype=object)
    # endpoints: not exactly two neighbours, or two neighbours of different highway classes
    n_all = len(x)
    deg = np.bincount(np.r_[a, b], minlength=n_all)
    hw_code = pd.factorize(hw)[0]
    ends = np.r_[a, b]
    codes = np.r_[hw_code, hw_code]
    cmin = np.full(n_all, np.iinfo(np.int64).max)
    cmax = np.full(n_all, -1)
    np.minimum.at(cmin, ends, codes)
    np.maximum.at(cmax, ends, codes)
    endpoint = (deg != 2) | ((deg == 2) & (cmin != cmax))
    # pieces: runs of consecutive segments of one way, cut at endpoints
    prev_contig = np.r_[False, (seg_idx[1:] == seg_idx[:-1] + 1) & (w[1:] == w[:-1])]
    new_piece = ~prev_contig | endpoint[a]
    piece = np.cumsum(new_piece) - 1
    n_piece = int(piece[-1]) + 1 if n_seg else 0
    p_first = np.flatnonzero(new_piece)
    p_last = np.r_[p_first[1:] - 1, n_seg - 1]
    p_start, p_end = a[p_first], b[p_last]
    # pieces meeting at a non-endpoint node (a street continuing into the next way) merge
    mid_nodes = np.r_[p_start, p_end]
    mid_piece = np.r_[np.arange(n_piece), np.arange(n_piece)]
    m = ~endpoint[mid_nodes]
    mn, mp = mid_nodes[m], mid_piece[m]
    o = np.argsort(mn, kind="stable")
    mn, mp = mn[o], mp[o]
    pair = np.flatnonzero(mn[1:] == mn[:-1])
    g = sparse.coo_matrix((np.ones(len(pair)), (mp[pair], mp[pair + 1])), shape=(n_piece, n_piece))
    _, group = csgraph.connected_components(g, directed=False)
    # the node sequence of every piece, flat: its segments' first nodes, then its last node
    p_len = p_last - p_first + 2
    flat_p = np.empty(n_seg + n_piece, np.int64)
    flat_p[np.arange(n_seg) + piece] = a
    flat_p[p_last + np.arange(n_piece) + 1] = b[p_last]
    p_off = np.r_[0, np.cumsum(p_len)]
    gsize = np.bincount(group, minlength=n_piece)
    single = gsize[group] == 1
    # a lone ring without any endpoint: cut at its first node
    endpoint[flat_p[p_off[:-1]][single]] = True
    chains: list[np.ndarray] = []
    chain_piece: list[int] = []
    multi = np.flatnonzero(~single)
    multi = multi[np.argsort(group[multi], kind="stable")]
    for grp_arr in np.split(multi, np.flatnonzero(np.diff(group[multi])) + 1):
        if not len(grp_arr):
            continue
        grp = grp_arr.tolist()
        seqs = {q: flat_p[p_off[q] : p_off[q + 1]] for q in grp}
        merged = _merge_group(grp, seqs, endpoint)
        chains.extend(merged)
        chain_piece.extend([min(grp)] * len(merged))
    # chains: the single pieces as they are, then the merged ones
    keep_flat = np.repeat(single, p_len)
    flat = np.r_[flat_p[keep_flat], *chains] if chains else flat_p[keep_flat]
    c_len = np.r_[p_len[single], [len(c) for c in chains]].astype(np.int64)
    c_piece = np.r_[np.flatnonzero(single), chain_piece].astype(np.int64)
    flat, c_len, c_piece = _no_multi_edges(flat, c_len, c_piece, n_all)
    order = np.argsort(c_piece, kind="stable")  # the file order of the ways
    off = np.r_[0, np.cumsum(c_len)]
    lens = c_len[order]
    new_off = np.r_[0, np.cumsum(lens)]
    take = np.arange(new_off[-1]) - np.repeat(new_off[:-1] - off[:-1][order], lens)
    flat, c_len, c_piece = flat[take], c_len[order], c_piece[order]
    n_chain = len(c_len)
    off = np.r_[0, np.cumsum(c_len)]
    start, end = flat[off[:-1]], flat[off[1:] - 1]
    # nodes of the simplified graph, numbered 0..n-1 in OSM id order
    used = np.zeros(n_all, bool)
    used[start] = used[end] = True
    new_id = np.cumsum(used) - 1
    node_idx = np.flatnonzero(used)
    cu, cv = new_id[start].astype(np.int64), new_id[end].astype(np.int64)
    ring = np.repeat(np.arange(n_chain), c_len)
    lines = shapely.linestrings(x[flat], y[flat], indices=ring)
    seg_len = _haversine(lon[flat[:-1]], lat[flat[:-1]], lon[flat[1:]], lat[flat[1:]])
    seg_len = np.where(ring[1:] == ring[:-1], seg_len, 0.0)
    length = np.bincount(ring[1:], weights=seg_len, minlength=n_chain)
    first_way = w[p_first[c_piece]]
    cols: dict[str, Any] = {"u": cu, "v": cv, "length": length.round(3)}
    for k in EDGE_TAGS:
        cols[k] = pd.Series(tags[k], dtype=object).to_numpy()[first_way]
    cols["osmid"] = osm_way_ids[first_way]
    edges = gpd.GeoDataFrame(cols, geometry=lines, crs=WORK_CRS)
    edges = edges.astype(dict.fromkeys(EDGE_TAGS, "str"))
    for k in EDGE_TAGS:
        edges[k] = edges[k].where(pd.Series(cols[k]).notna().to_numpy(), None)
    nodes = gpd.GeoDataFrame(
        {
            "node_id": np.arange(len(node_idx), dtype=np.int64),
            "x": x[node_idx].round(3),
            "y": y[node_idx].round(3),
            "osmid": osm_node_ids[node_idx],
        },
        geometry=shapely.points(x[node_idx], y[node_idx]),
        crs=WORK_CRS,
    )
    return nodes, edges


def _no_multi_edges(
    flat: np.ndarray, c_len: np.ndarray, c_piece: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split rings (u = v) in three and parallel chains (same two ends) at a middle node.

    A graph keyed on ``(u, v)`` (:func:`bthd.region.graph_from_layers`) would merge two streets
    joining the same two nodes; a split keeps both. Of parallel chains, one stays whole (a
    two-node one if any, since it cannot be split), the others are cut in two.
    """
    off = np.r_[0, np.cumsum(c_len)]
    u, v = flat[off[:-1]], flat[off[1:] - 1]
    key = np.minimum(u, v) * (n_nodes + 1) + np.maximum(u, v)
    n = len(c_len)
    o = np.lexsort((c_len > 2, key))  # by key, two-node chains first
    ks = key[o]
    first = np.r_[True, ks[1:] != ks[:-1]] if n else np.empty(0, bool)
    dup = np.zeros(n, bool)
    dup[o[~first]] = True
    bad = np.flatnonzero(((u == v) & (c_len >= 4)) | (dup & (c_len >= 3)))
    if len(bad) == 0:
        return flat, c_len, c_piece
    keep = np.ones(n, bool)
    keep[bad] = False
    parts: list[np.ndarray] = []
    part_piece: list[int] = []
    for k in bad.tolist():
        c = flat[off[k] : off[k + 1]]
        if c[0] == c[-1]:  # a ring: three edges (two would be parallel)
            m1, m2 = len(c) // 3, max(2 * len(c) // 3, len(c) // 3 + 1)
            pieces = [c[: m1 + 1], c[m1 : m2 + 1], c[m2:]]
        else:
            m = len(c) // 2
            pieces = [c[: m + 1], c[m:]]
        parts.extend(pieces)
        part_piece.extend([int(c_piece[k])] * len(pieces))
    keep_flat = np.repeat(keep, c_len)
    return (
        np.r_[flat[keep_flat], *parts],
        np.r_[c_len[keep], [len(q) for q in parts]].astype(np.int64),
        np.r_[c_piece[keep], part_piece].astype(np.int64),
    )


def _merge_group(
    grp: list[int], seq_nodes: dict[int, np.ndarray], endpoint: np.ndarray
) -> list[np.ndarray]:
    """Join pieces that meet at non-endpoint nodes into chains running endpoint to endpoint."""
    at: dict[int, list[int]] = {}
    for pi in grp:
        s = seq_nodes[pi]
        for end in (int(s[0]), int(s[-1])):
            if not endpoint[end]:
                at.setdefault(end, []).append(pi)
    used: set[int] = set()
    out: list[np.ndarray] = []
    # start from pieces that have an endpoint end; a pure ring starts anywhere
    starts = [pi for pi in grp if endpoint[seq_nodes[pi][0]] or endpoint[seq_nodes[pi][-1]]]
    if not starts:
        starts = [min(grp)]
        endpoint[seq_nodes[starts[0]][0]] = True
    for s0 in [*starts, *grp]:
        if s0 in used:
            continue
        seq = seq_nodes[s0]
        if not endpoint[seq[0]]:
            seq = seq[::-1]
        parts = [seq]
        used.add(s0)
        cur = s0
        tail = int(seq[-1])
        while not endpoint[tail]:
            nxt = [q for q in at.get(tail, []) if q != cur and q not in used]
            if not nxt:
                endpoint[tail] = True
                break
            cur = nxt[0]
            used.add(cur)
            s = seq_nodes[cur]
            s = s if int(s[0]) == tail else s[::-1]
            parts.append(s[1:])
            tail = int(s[-1])
        out.append(np.concatenate(parts))
    return out


def _ref_positions(
    wkbs: list[str | None], slow: dict[int, list[tuple[float, float]]], starts: Any, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of every node reference (NaN where the extract lacks the node)."""
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    ends = np.r_[starts[1:], n]
    fast = np.array([g is not None for g in wkbs], bool)
    if fast.any():
        lines = shapely.from_wkb(np.array([g for g in wkbs if g is not None], dtype=object))
        xy = shapely.get_coordinates(lines)
        lens = (ends - starts)[fast]
        off = np.r_[0, np.cumsum(lens)]
        pos = np.arange(off[-1]) + np.repeat(starts[fast] - off[:-1], lens)
        if len(pos) != len(xy):  # never expected: WKB with use_nodes=ALL keeps every node
            raise InputError("node positions do not match the ways' node lists")
        lon[pos], lat[pos] = xy[:, 0], xy[:, 1]
    for k, pts in slow.items():
        a = np.asarray(pts, float)
        lon[starts[k] : starts[k] + len(a)] = a[:, 0]
        lat[starts[k] : starts[k] + len(a)] = a[:, 1]
    return lon, lat


def _haversine(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> Any:
    """Great-circle distances in metres (osmnx's formula and radius)."""
    y1, y2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dy = y2 - y1
    dx = np.deg2rad(lon2 - lon1)
    h = np.sin(dy / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin(dx / 2) ** 2
    h = np.minimum(1.0, h)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h))


def road_components(edges: gpd.GeoDataFrame, n_nodes: int | None = None) -> np.ndarray:
    """Connected component label of every edge of a road layer (``u``/``v``), largest first.

    Label 0 is the component with the most road length; an area whose roads fall apart (an
    island served by ferry, an extract cut badly) has edges with other labels.
    """
    u = edges["u"].to_numpy(np.int64)
    v = edges["v"].to_numpy(np.int64)
    n = int(n_nodes if n_nodes is not None else (max(u.max(), v.max()) + 1 if len(u) else 0))
    g = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, lab = csgraph.connected_components(g, directed=False)
    comp = lab[u] if len(u) else np.empty(0, np.int64)
    size = np.bincount(comp, weights=edges["length"].to_numpy(float), minlength=lab.max() + 1)
    rank = np.empty(len(size), np.int64)
    rank[np.lexsort((np.arange(len(size)), -size))] = np.arange(len(size))
    return rank[comp]


def _area_geometry(area: Any, margin_m: float) -> Any:
    if area is None:
        return None
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise ValueError("area has no CRS; give it one (EPSG:2154)")
        geom = area.to_crs(WORK_CRS).geometry.union_all()
    else:
        geom = area
    if margin_m > 0:
        geom = shapely.buffer(geom, margin_m)
    return geom


def _to_lonlat(geom: Any) -> Any:
    tr = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _no_cover(source: str, file_box: tuple[float, ...], zone: Any) -> InputError:
    zb = _to_lonlat(zone).bounds
    fb = ", ".join(f"{v:.4f}" for v in file_box)
    return InputError(
        f"{source}: the OpenStreetMap extract covers none of the area: its roads lie in "
        f"lon/lat {fb}, the area in {', '.join(f'{v:.4f}' for v in zb)}. Use the extract of "
        "the area's region (e.g. bretagne-latest.osm.pbf), or choose the area with "
        "--epci/--departement."
    )


def _unreadable(p: os.PathLike[str] | str, exc: Exception) -> InputError:
    return InputError(
        f"{p}: cannot read this OpenStreetMap file ({exc}). It may be truncated or not of the "
        "format its suffix says (.osm.pbf, .osm); download or export it again."
    )


__all__ = [
    "EDGE_TAGS",
    "EXCLUDED_HIGHWAY",
    "OSM_SUFFIXES",
    "OsmRoads",
    "is_osm_file",
    "read_osm_roads",
    "road_components",
]
