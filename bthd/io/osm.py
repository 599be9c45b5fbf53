"""Road graphs: OpenStreetMap through osmnx (a file or a download), or any roads layer.

Every function returns an osmnx-compatible :class:`networkx.MultiDiGraph` in Lambert-93
(EPSG:2154): nodes with ``x``/``y`` in metres, edges with ``length`` in metres, a LineString
``geometry`` running from ``u`` to ``v``, ``highway`` and ``osmid``, and both directions of every
street (a cable or a trench does not care about one-way streets). ``ox.graph_to_gdfs``,
``ox.distance.nearest_nodes`` / ``nearest_edges`` and ``ox.routing`` work on them.

* :func:`graph_from_osm_file`: a local ``.osm`` (XML) file, offline.
* :func:`graph_from_place`, :func:`graph_from_bbox`: download from Overpass (needs internet;
  responses are cached, see :func:`user_cache_dir`).
* :func:`graph_from_lines`, :func:`read_roads`: a roads layer (BD TOPO, a municipal street
  layer, an OSM GeoJSON export) noded at its intersections.
* :func:`roads_from_graph`: back to a roads layer (:data:`bthd.schema.ROADS`).

Not for: routing or Steiner trees (see :mod:`bthd.network`), premises or addresses.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from bthd._errors import BthdError, InputError
from bthd.io import _existing, read
from bthd.schema import validate
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: Edge attributes set by :func:`graph_from_lines`; input columns of these names are not copied.
_RESERVED = ("u", "v", "key", "length", "geometry", "oneway", "reversed", "osmid")


class DownloadError(BthdError, ConnectionError):
    """OpenStreetMap data could not be downloaded (no network, server error)."""


# --- OSM files and downloads --------------------------------------------------------------


def graph_from_osm_file(
    path: str | os.PathLike[str], *, simplify: bool = True, retain_all: bool = False
) -> nx.MultiDiGraph:
    """Read the street graph of a local OpenStreetMap XML file (``.osm``), in Lambert-93.

    Parameters
    ----------
    path
        An ``.osm`` file (from JOSM, osmconvert, or the Overpass API).
    simplify
        Merge the OSM nodes that are not intersections into edge geometries (osmnx default).
    retain_all
        Keep the parts of the graph not connected to its largest component.

    Returns
    -------
    networkx.MultiDiGraph
        Every way of the file as osmnx reads it (``ox.graph_from_xml``), projected to EPSG:2154;
        ``length`` is in metres (geodesic, computed before projection).

    Raises
    ------
    bthd.InputNotFoundError, bthd.InputError
        The file does not exist, is empty, is not well-formed XML, or holds no way.
    """
    import osmnx as ox

    p = _existing(path)
    try:
        G = ox.graph_from_xml(p, simplify=simplify, retain_all=retain_all)
    except ParseError as exc:
        raise InputError(
            f"{p}: not well-formed OSM XML ({exc}); the file may be truncated. Export it again."
        ) from exc
    if G.number_of_edges() == 0:
        raise InputError(
            f"{p}: the OSM file has no ways ({G.number_of_nodes()} nodes); export the streets "
            "too (in JOSM or Overpass: the ways, not only the nodes)."
        )
    return ox.project_graph(G, to_crs=WORK_CRS)


def user_cache_dir() -> Path:
    """Folder of bthd's caches: ``$BTHD_CACHE_DIR``, else the user's cache folder + ``bthd``.

    The user's cache folder is ``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux,
    ``~/Library/Caches`` on macOS and ``%LOCALAPPDATA%`` on Windows.
    """
    if os.environ.get("BTHD_CACHE_DIR"):
        return Path(os.environ["BTHD_CACHE_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "bthd"


def graph_from_place(
    query: str | dict[str, str],
    *,
    network_type: str = "all",
    cache_dir: str | os.PathLike[str] | None = None,
) -> nx.MultiDiGraph:
    """Download the street graph of a place from OpenStreetMap, in Lambert-93.

    Parameters
    ----------
    query
        A place Nominatim knows, e.g. ``"Lamballe-Armor, Côtes-d'Armor, France"``.
    network_type
        osmnx network type: ``"all"`` (default: every street and path a cable may follow),
        ``"drive"``, ``"drive_service"``, ``"walk"``...
    cache_dir
        Where osmnx caches the server responses (default: ``user_cache_dir() / "osmnx"``);
        a second call with the same query reads the cache, offline.

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph projected to EPSG:2154 (``length`` in metres).

    Raises
    ------
    bthd.io.osm.DownloadError
        No network, or the server failed; the message says what to do offline.
    bthd.InputError
        The place is unknown to Nominatim or has no streets.
    """
    import osmnx as ox

    what = f"the place {query!r}"
    return _download(lambda: ox.graph_from_place(query, network_type=network_type), what, cache_dir)


def graph_from_bbox(
    bbox: tuple[float, float, float, float],
    *,
    crs: str | int = "EPSG:4326",
    network_type: str = "all",
    cache_dir: str | os.PathLike[str] | None = None,
) -> nx.MultiDiGraph:
    """Download the street graph inside a bounding box from OpenStreetMap, in Lambert-93.

    Parameters
    ----------
    bbox
        ``(left, bottom, right, top)`` in ``crs``: longitudes and latitudes by default, or e.g.
        Lambert-93 metres with ``crs="EPSG:2154"``.
    crs
        CRS of ``bbox``.
    network_type, cache_dir
        As in :func:`graph_from_place`.

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph projected to EPSG:2154 (``length`` in metres).

    Raises
    ------
    bthd.io.osm.DownloadError
        No network, or the server failed.
    bthd.InputError
        The box has no streets.
    """
    import osmnx as ox

    left, bottom, right, top = (float(v) for v in bbox)
    if not (left < right and bottom < top):
        raise ValueError(
            f"bbox must be (left, bottom, right, top) with left < right and "
            f"bottom < top, got {bbox}"
        )
    if not CRS.from_user_input(crs).equals(CRS.from_epsg(4326)):
        to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        left, bottom, right, top = to_wgs84.transform_bounds(left, bottom, right, top)
    what = f"the box {left:.5f}, {bottom:.5f}, {right:.5f}, {top:.5f} (lon/lat)"
    return _download(
        lambda: ox.graph_from_bbox((left, bottom, right, top), network_type=network_type),
        what,
        cache_dir,
    )


def _download(
    fetch: Callable[[], nx.MultiDiGraph], what: str, cache_dir: str | os.PathLike[str] | None
) -> nx.MultiDiGraph:
    import osmnx as ox
    import requests
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    cache = Path(cache_dir) if cache_dir is not None else user_cache_dir() / "osmnx"
    offline_fix = (
        "bthd downloads OpenStreetMap data from Nominatim and Overpass the first time (then "
        f"reads its cache in {cache}). Connect to the internet and try again, or work offline "
        "from a file: graph_from_osm_file('area.osm') or read_roads('roads.gpkg')"
    )
    with _osmnx_settings(cache):
        try:
            G = fetch()
        except requests.RequestException as exc:
            raise DownloadError(
                f"cannot download {what} from OpenStreetMap: no connection "
                f"({type(exc).__name__}). {offline_fix}."
            ) from exc
        except ResponseStatusCodeError as exc:
            raise DownloadError(
                f"cannot download {what} from OpenStreetMap: the server answered {exc}. "
                "Try again later (the Overpass servers are often busy)."
            ) from exc
        except InsufficientResponseError as exc:
            raise InputError(
                f"OpenStreetMap has no street for {what} ({exc}). Check the name (try "
                "'Commune, Département, France') or the box."
            ) from exc
    return ox.project_graph(G, to_crs=WORK_CRS)


@contextlib.contextmanager
def _osmnx_settings(cache: Path) -> Iterator[None]:
    """Enable osmnx's cache in ``cache`` for the block, then restore osmnx's settings."""
    import osmnx as ox

    names = ("use_cache", "cache_folder", "overpass_rate_limit")
    saved = {n: getattr(ox.settings, n) for n in names}
    ox.settings.use_cache = True
    ox.settings.cache_folder = cache
    if not _resolves(ox.settings.overpass_url):
        # osmnx would wait 60 s for a server status it cannot get: fail fast instead (a cached
        # response is still read, since the cache is looked up before any request)
        ox.settings.overpass_rate_limit = False
    try:
        yield
    finally:
        for n, v in saved.items():
            setattr(ox.settings, n, v)


def _resolves(url: str) -> bool:
    """Whether the host of ``url`` has an address (a cheap test of being online)."""
    from urllib.parse import urlparse

    host = urlparse(url).hostname or url
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


# --- roads layers -------------------------------------------------------------------------


def graph_from_lines(
    gdf: gpd.GeoDataFrame, *, tolerance: float = 0.5, source: str = "<roads>"
) -> nx.MultiDiGraph:
    """Turn a roads layer into an osmnx-compatible graph noded at its intersections.

    Lines are split wherever they cross or touch (overlapping stretches are kept once), line
    ends closer than ``tolerance`` are merged into one node, and every piece becomes an edge in
    both directions, as osmnx does for two-way streets.

    Parameters
    ----------
    gdf
        LineStrings and MultiLineStrings with a CRS (reprojected to Lambert-93 when needed);
        its other columns (``highway``, ``name``...) are copied onto the edges.
    tolerance
        Distance in metres under which line ends are merged (digitising gaps). 0 merges only
        identical ends.
    source
        Name of the input in error messages.

    Returns
    -------
    networkx.MultiDiGraph
        Graph attribute ``crs`` = ``"EPSG:2154"``. Nodes are numbered 0..n-1 and have ``x``,
        ``y`` (metres) and ``street_count``. Edges have ``geometry`` (running from ``u`` to
        ``v``), ``length`` (planar Lambert-93 metres), ``osmid`` (the input's ``osmid`` column,
        else its index label), ``oneway`` = False, ``reversed`` (True on the v→u copy), and the
        input's non-missing attributes.

    Raises
    ------
    bthd.ValidationError
        The layer has no CRS, or null, empty, invalid or non-line geometries (all listed).

    bthd.InputError
        No line of positive length is left.

    Notes
    -----
    Noding is planar: a bridge gets a node where it passes over a street. A line end that stops
    short of another line (an undershoot) is not joined to it; only ends are merged. A street
    digitised twice a few centimetres apart is kept once when both copies end on the same
    nodes (within ``tolerance``), twice otherwise.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0 metres, got {tolerance}")
    roads = validate(gdf, "roads", source=source)
    geoms = roads.geometry.to_numpy()
    parts, row = shapely.get_parts(geoms, return_index=True)
    # noding: split at every crossing and contact, keep overlapping stretches once
    noded = shapely.get_parts(shapely.union_all(parts))
    noded = noded[(shapely.get_type_id(noded) == 1) & (shapely.length(noded) > 0)]
    if len(noded) == 0:
        raise InputError(f"{source}: the roads layer has no line of positive length.")
    # the input line each piece comes from: the nearest to its middle (lowest row on ties)
    mid = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    piece_i, part_i = shapely.STRtree(parts).query_nearest(mid, all_matches=True)
    order = np.lexsort((part_i, piece_i))
    _, first = np.unique(piece_i[order], return_index=True)
    src_row = row[part_i[order][first]]

    pieces, u, v, node_xy = _snap_ends(noded, tolerance)
    length = shapely.length(pieces)
    keep = ~((u == v) & (length <= 2 * tolerance)) & (length > 0)
    keep &= ~_near_duplicates(pieces, u, v, tolerance)
    pieces, u, v, length, src_row = pieces[keep], u[keep], v[keep], length[keep], src_row[keep]
    return _build_graph(roads, pieces, u, v, length, src_row, node_xy)


def _snap_ends(
    pieces: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge line ends closer than ``tolerance``; return the moved pieces, u, v and nodes."""
    coords, ring = shapely.get_coordinates(pieces, return_index=True)
    counts = shapely.get_num_coordinates(pieces)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    ends = starts + counts - 1
    m = len(pieces)
    ends_xy = np.vstack([coords[starts], coords[ends]])
    uniq, inv = np.unique(ends_xy, axis=0, return_inverse=True)
    inv = inv.ravel()
    if tolerance > 0 and len(uniq) > 1:
        pairs = cKDTree(uniq).query_pairs(tolerance, output_type="ndarray")
        adj = coo_matrix(
            (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(uniq), len(uniq))
        )
        n_nodes, label = connected_components(adj, directed=False)
    else:
        n_nodes, label = len(uniq), np.arange(len(uniq))
    size = np.bincount(label, minlength=n_nodes)
    node_xy = np.column_stack(
        [
            np.bincount(label, weights=uniq[:, 0], minlength=n_nodes) / size,
            np.bincount(label, weights=uniq[:, 1], minlength=n_nodes) / size,
        ]
    )
    u, v = label[inv[:m]], label[inv[m:]]
    coords = coords.copy()
    coords[starts], coords[ends] = node_xy[u], node_xy[v]
    return shapely.linestrings(coords, indices=ring), u, v, node_xy


def _near_duplicates(pieces: np.ndarray, u: np.ndarray, v: np.ndarray, tol: float) -> np.ndarray:
    """Pieces joining the same two nodes as an earlier piece, within ``tol`` of it.

    Two digitisations of one street a few centimetres apart survive the noding (they do not
    overlap exactly) but end on the same nodes once their ends are merged: keep one.
    """
    n = len(u)
    a, b = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((np.arange(n), b, a))
    sa, sb = a[order], b[order]
    new_group = np.concatenate([[True], (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])])
    dup = np.zeros(n, dtype=bool)
    if new_group.all():
        return dup
    first_sorted = order[np.maximum.accumulate(np.where(new_group, np.arange(n), 0))]
    first = np.empty(n, dtype=np.int64)
    first[order] = first_sorted
    later = np.zeros(n, dtype=bool)
    later[order] = ~new_group
    idx = np.flatnonzero(later)
    dup[idx] = shapely.hausdorff_distance(pieces[idx], pieces[first[idx]]) <= tol
    return dup


def _build_graph(
    roads: gpd.GeoDataFrame,
    pieces: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    length: np.ndarray,
    src_row: np.ndarray,
    node_xy: np.ndarray,
) -> nx.MultiDiGraph:
    attrs = pd.DataFrame(roads.drop(columns=roads.geometry.name)).iloc[src_row]
    osmid = (attrs["osmid"] if "osmid" in attrs.columns else roads.index[src_row]).tolist()
    attrs = attrs.drop(columns=[c for c in _RESERVED if c in attrs.columns])
    records = [
        {k: val for k, val in r.items() if not _missing(val)} for r in attrs.to_dict("records")
    ]
    used = np.zeros(len(node_xy), dtype=bool)
    used[u] = used[v] = True
    # street_count as osmnx counts it: streets (undirected edges) at the node, a loop twice
    street_count = np.bincount(np.concatenate([u, v]), minlength=len(node_xy))
    G = nx.MultiDiGraph(crs=WORK_CRS, created_with="bthd.io.osm.graph_from_lines", simplified=False)
    G.add_nodes_from(
        (
            int(i),
            {
                "x": float(node_xy[i, 0]),
                "y": float(node_xy[i, 1]),
                "street_count": int(street_count[i]),
            },
        )
        for i in np.flatnonzero(used)
    )
    back = shapely.reverse(pieces)
    G.add_edges_from(
        (
            int(a),
            int(b),
            {
                **rec,
                "osmid": oid,
                "length": float(d),
                "oneway": False,
                "reversed": False,
                "geometry": g,
            },
        )
        for a, b, rec, oid, d, g in zip(u, v, records, osmid, length, pieces, strict=True)
    )
    G.add_edges_from(
        (
            int(b),
            int(a),
            {
                **rec,
                "osmid": oid,
                "length": float(d),
                "oneway": False,
                "reversed": True,
                "geometry": g,
            },
        )
        for a, b, rec, oid, d, g in zip(u, v, records, osmid, length, back, strict=True)
    )
    log.info(
        "road graph: %d nodes, %d street segments, %.1f km",
        G.number_of_nodes(),
        len(pieces),
        length.sum() / 1000,
    )
    return G


def _missing(value: Any) -> bool:
    if isinstance(value, list | tuple | np.ndarray):
        return False
    return bool(pd.isna(value))


def roads_from_graph(G: nx.MultiDiGraph, *, both_directions: bool = False) -> gpd.GeoDataFrame:
    """The edges of a road graph as a roads layer (:data:`bthd.schema.ROADS`) in Lambert-93.

    Parameters
    ----------
    G
        A graph of :func:`graph_from_lines`, :func:`graph_from_osm_file` or osmnx.
    both_directions
        Keep both directed edges of a two-way street; by default a street is one row (the
        reverse copy, same nodes and same geometry backwards, is dropped).

    Returns
    -------
    geopandas.GeoDataFrame
        One LineString per edge with ``u``, ``v``, ``key``, ``length`` (m), ``highway`` and
        the other edge attributes; lists (osmnx merges the tags of simplified ways) are joined
        with ``;`` so that every format can store them.
    """
    import osmnx as ox

    if G.number_of_edges() == 0:
        raise InputError("the graph has no edges; nothing to turn into roads.")
    edges = ox.graph_to_gdfs(G, nodes=False, fill_edge_geometry=True).reset_index()
    if not both_directions:
        a = np.minimum(edges["u"].to_numpy(), edges["v"].to_numpy())
        b = np.maximum(edges["u"].to_numpy(), edges["v"].to_numpy())
        shape = shapely.to_wkb(shapely.normalize(edges.geometry.to_numpy()))
        dup = pd.DataFrame({"a": a, "b": b, "shape": shape}).duplicated().to_numpy()
        edges = edges.loc[~dup]
    edges = edges.drop(columns=["reversed"], errors="ignore")
    for col in edges.columns.drop(edges.geometry.name):
        if edges[col].dtype == object and edges[col].map(_is_list).any():
            edges[col] = edges[col].map(_joined).astype("str")
    edges = edges.reset_index(drop=True)
    return validate(edges, "roads", source="<road graph>")


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | set)


def _joined(value: Any) -> str | None:
    """A list of tags as ``a;b``; a single value as text; missing stays missing."""
    if _is_list(value):
        return ";".join(map(str, value))
    return None if _missing(value) else str(value)


def read_roads(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    repair: bool = False,
    tolerance: float = 0.5,
) -> nx.MultiDiGraph:
    """Read a roads layer and turn it into a road graph (:func:`graph_from_lines`).

    Parameters
    ----------
    path
        Any format :func:`bthd.io.read` reads (GeoPackage, GeoJSON, Shapefile, GeoParquet...).
    layer
        Layer name in a multi-layer file.
    repair
        Repair invalid geometries instead of reporting them.
    tolerance
        Distance in metres under which line ends are merged.

    Returns
    -------
    networkx.MultiDiGraph
        As :func:`graph_from_lines`.
    """
    roads = read(path, kind="roads", layer=layer, repair=repair)
    return graph_from_lines(roads, tolerance=tolerance, source=str(path))


__all__ = [
    "DownloadError",
    "graph_from_bbox",
    "graph_from_lines",
    "graph_from_osm_file",
    "graph_from_place",
    "read_roads",
    "roads_from_graph",
    "user_cache_dir",
]
