"""Synthetic layers fitted to a user's real ones: premises on real roads, roads to real premises.

When a user gives the real streets of a territory but not its addresses,
:func:`premises_on_roads` places each commune's *locaux* (its real count, Arcep 2018, from the
communes layer) along those streets, so that a network can be designed on the real road graph
before the addresses are at hand:

* every road edge is cut into sample points every ``premise_spacing_m``; a point's weight is
  its road class's (:data:`CLASS_WEIGHT`: no house on a motorway, few on a footpath) times the
  local density of streets (road length within :data:`DENSITY_RADIUS_M`) to a power, so that
  the **bourg** — where the streets are dense — takes most of the addresses, as it does in
  Brittany's settlement pattern;
* a commune's addresses are drawn among its sample points (the points inside its polygon)
  by weight (a dense street takes several per frontage), spread along the street and set back
  ``setback_m`` from its axis on either side; larger communes get collective buildings (4 to
  30 dwellings) in their densest streets, and ``etablissements`` become business premises,
  mostly in the bourg;
* each commune has its own random stream (``seed`` and its INSEE code), so a commune's premises
  do not change when the area around it does.

When a user gives real premises but no roads, :func:`roads_to_premises` joins them with a
synthetic network: the minimum spanning tree of their Delaunay triangulation plus its short
loops, never longer than ``max_link_m``; every premise is on it.

:func:`generate_for_area` runs the embedded region's generator (:mod:`bthd.synth`) on any
communes layer (a user's included), for what has to be drawn from commune data alone (premises
and roads when neither was given; the copper plant when no NRA/SR was given), and
:func:`sites_onto_roads` moves generated sites onto the real roads.

Every feature made here has ``synthetic=True``. Not for: the generator itself (:mod:`bthd.synth`,
which draws roads and premises together from commune data alone).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay

from bthd.settings import DEFAULT_SEED, SYNTH, WORK_CRS, SynthSettings
from bthd.synth import SyntheticRegion

log = logging.getLogger(__name__)

#: Version of these generators: bumped whenever their output changes for the same inputs.
GENERATOR_VERSION = "1"
#: Relative weight of a road class for homes along it; classes not listed weigh ``1``.
CLASS_WEIGHT: dict[str, float] = {
    "motorway": 0.0,
    "motorway_link": 0.0,
    "trunk": 0.0,
    "trunk_link": 0.0,
    "primary": 0.5,
    "primary_link": 0.0,
    "secondary": 0.7,
    "secondary_link": 0.0,
    "tertiary_link": 0.2,
    "footway": 0.15,
    "path": 0.1,
    "cycleway": 0.05,
    "steps": 0.05,
    "bridleway": 0.05,
    "pedestrian": 0.6,
    "track": 0.3,
    "service": 0.5,
}
#: Radius of the street density around a sample point, in metres.
DENSITY_RADIUS_M = 250.0
#: Exponent of the density in a sample point's weight (larger: more concentrated bourgs).
DENSITY_POWER = 1.5
#: Share of a commune's sample points, by weight, that counts as its bourg.
BOURG_WEIGHT_SHARE = 0.6


def premises_on_roads(
    communes: gpd.GeoDataFrame,
    road_edges: gpd.GeoDataFrame,
    *,
    seed: int = DEFAULT_SEED,
    settings: SynthSettings = SYNTH,
) -> gpd.GeoDataFrame:
    """Place each commune's locaux along real roads.

    Parameters
    ----------
    communes
        Communes (``insee_code``, ``locaux``, optional ``etablissements``, polygons).
    road_edges
        Road edges (LineStrings with an optional ``highway``), in Lambert-93.
    seed
        Seed; the same communes, roads and seed give the same premises.
    settings
        ``premise_spacing_m`` (frontage of one address) and ``setback_m`` are used.

    Returns
    -------
    geopandas.GeoDataFrame
        Premises (:data:`bthd.schema.PREMISES`) with ``synthetic=True``, ``settlement``
        (``bourg`` or ``hamlet``) and ``settlement_id``, ordered by commune. The sum of
        ``logements + locaux_pro`` of a commune is its ``locaux``, except in a commune without
        any road inside (logged, and listed in ``attrs["communes_without_roads"]``).
    """
    com = communes.to_crs(WORK_CRS).sort_values("insee_code").reset_index(drop=True)
    edges = road_edges.to_crs(WORK_CRS)
    spacing = float(settings.premise_spacing_m)
    px, py, pe, pt = _samples(edges, spacing)
    hw = (
        edges["highway"].astype("str").to_numpy()
        if "highway" in edges.columns
        else np.full(len(edges), "", dtype=object)
    )
    hw_first = np.array([str(h).split(";")[0] for h in hw], dtype=object)
    cls_w = np.array([CLASS_WEIGHT.get(h, 1.0) for h in hw_first])[pe]
    density = _density(px, py, spacing)
    weight = cls_w * density**DENSITY_POWER
    # the commune of each sample point
    pts = shapely.points(px, py)
    which = np.full(len(px), -1, np.int64)
    if len(px):
        pi, ci = shapely.STRtree(com.geometry.to_numpy()).query(pts, predicate="within")
        which[pi] = ci
    rows: list[pd.DataFrame] = []
    missing: list[str] = []
    etab_all = (
        com["etablissements"].to_numpy(np.int64)
        if "etablissements" in com.columns
        else np.zeros(len(com), np.int64)
    )
    for i, c in com.iterrows():
        code = str(c["insee_code"])
        locaux = int(c["locaux"])
        sel = np.flatnonzero((which == i) & (weight > 0))
        if locaux <= 0:
            continue
        if len(sel) == 0:
            missing.append(code)
            continue
        rng = np.random.default_rng([int(seed), _code_number(code)])
        rows.append(
            _commune_premises(
                code,
                locaux,
                int(min(etab_all[i], locaux)),
                sel,
                px,
                py,
                pe,
                pt,
                weight,
                edges,
                c.geometry,
                settings,
                rng,
            )
        )
    if missing:
        log.warning(
            "no road inside %d communes (%s): their locaux are not placed",
            len(missing),
            ", ".join(missing[:20]),
        )
    if rows:
        prem = pd.concat(rows, ignore_index=True)
    else:
        prem = pd.DataFrame(
            columns=[
                "premise_id",
                "insee_code",
                "logements",
                "locaux_pro",
                "kind",
                "synthetic",
                "settlement",
                "settlement_id",
                "x",
                "y",
            ]
        )
    out = gpd.GeoDataFrame(
        prem.drop(columns=["x", "y"]),
        geometry=shapely.points(prem["x"].to_numpy(float), prem["y"].to_numpy(float)),
        crs=WORK_CRS,
    )
    out = out.astype({"logements": "int64", "locaux_pro": "int64", "synthetic": "bool"})
    out.attrs["communes_without_roads"] = missing
    log.info(
        "synthetic premises on real roads: %d addresses, %d locaux in %d communes",
        len(out),
        int((out["logements"] + out["locaux_pro"]).sum()) if len(out) else 0,
        out["insee_code"].nunique() if len(out) else 0,
    )
    return out


def _commune_premises(
    code: str,
    locaux: int,
    etab: int,
    sel: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    pe: np.ndarray,
    pt: np.ndarray,
    weight: np.ndarray,
    edges: gpd.GeoDataFrame,
    polygon: shapely.Geometry,
    settings: SynthSettings,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Addresses of one commune drawn among its sample points."""
    w = weight[sel]
    # bourg: the densest sample points holding BOURG_WEIGHT_SHARE of the weight
    order = np.argsort(-w, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    bourg = np.zeros(len(sel), bool)
    bourg[order[: int(np.searchsorted(cum, BOURG_WEIGHT_SHARE)) + 1]] = True
    # dwellings per address: collective buildings in larger communes, in the densest streets
    dwell = locaux - etab
    coll_share = 0.45 * float(np.clip(np.log10(max(locaux, 1)) - np.log10(3000), 0, 1))
    n_coll = round(dwell * coll_share)
    sizes: list[int] = []
    while n_coll > 3:
        k = min(int(n_coll), int(rng.integers(4, 31)))
        sizes.append(k)
        n_coll -= k
    n_addr = dwell - sum(sizes) + len(sizes) + etab
    # with replacement: a dense street takes several addresses per frontage (terraces, flats)
    j = rng.choice(len(sel), size=n_addr, replace=True, p=w / w.sum())
    j = j[np.lexsort((np.arange(n_addr), -w[j]))]  # densest first: collective buildings there
    s = sel[j]
    logements = np.ones(n_addr, np.int64)
    logements[: len(sizes)] = sorted(sizes, reverse=True)
    # business premises: single addresses, four times likelier in the bourg
    locaux_pro = np.zeros(n_addr, np.int64)
    single = np.flatnonzero(np.arange(n_addr) >= len(sizes))
    if etab:
        bw = np.where(bourg[j[single]], 4.0, 1.0)
        chosen = rng.choice(single, size=min(etab, len(single)), replace=False, p=bw / bw.sum())
        locaux_pro[chosen] = 1
        logements[chosen] = 0
    # position: along the edge (jittered within the sample's frontage), set back from the axis
    geoms = edges.geometry.to_numpy()
    glen = shapely.length(geoms)
    jitter = rng.uniform(-0.45, 0.45, n_addr) * settings.premise_spacing_m
    along = np.clip(pt[s] + jitter, 0.0, glen[pe[s]])
    foot = shapely.line_interpolate_point(geoms[pe[s]], along)
    ahead = shapely.line_interpolate_point(geoms[pe[s]], np.minimum(along + 1.0, glen[pe[s]]))
    behind = shapely.line_interpolate_point(geoms[pe[s]], np.maximum(along - 1.0, 0.0))
    dx = shapely.get_x(ahead) - shapely.get_x(behind)
    dy = shapely.get_y(ahead) - shapely.get_y(behind)
    norm = np.hypot(dx, dy)
    norm = np.where(norm > 0, norm, 1.0)
    side = rng.choice([-1.0, 1.0], n_addr)
    back = settings.setback_m * rng.uniform(0.6, 1.4, n_addr)
    fx, fy = shapely.get_x(foot), shapely.get_y(foot)
    x = fx - side * back * dy / norm
    y = fy + side * back * dx / norm
    out = ~shapely.contains_xy(polygon, x, y)
    x[out], y[out] = fx[out], fy[out]  # a border street: on the road's axis
    out = ~shapely.contains_xy(polygon, x, y)
    x[out], y[out] = px[s[out]], py[s[out]]  # the sample point itself, inside by construction
    x, y = _spread(np.round(x, 2), np.round(y, 2), polygon)
    kind = np.where(locaux_pro > 0, "business", "residential")
    is_bourg = bourg[j]
    rank = np.arange(n_addr)
    return pd.DataFrame(
        {
            "premise_id": [f"{code}-R{r:06d}" for r in rank],
            "insee_code": code,
            "logements": logements,
            "locaux_pro": locaux_pro,
            "kind": kind,
            "synthetic": True,
            "settlement": np.where(is_bourg, "bourg", "hamlet"),
            "settlement_id": np.where(is_bourg, f"{code}-B", f"{code}-D"),
            "x": x,
            "y": y,
        }
    )


def _samples(
    edges: gpd.GeoDataFrame, spacing: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ``spacing`` metres along the edges: x, y, edge index, distance along."""
    geoms = edges.geometry.to_numpy()
    glen = shapely.length(geoms)
    n = np.maximum(1, np.floor(glen / spacing).astype(np.int64))
    edge = np.repeat(np.arange(len(geoms)), n)
    k = np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)
    step = glen / n
    t = (k + 0.5) * step[edge]
    pts = shapely.line_interpolate_point(geoms[edge], t)
    return shapely.get_x(pts), shapely.get_y(pts), edge, t


def _density(x: np.ndarray, y: np.ndarray, spacing: float) -> np.ndarray:
    """Road length (m) within about :data:`DENSITY_RADIUS_M` of each sample point (grid sums)."""
    if len(x) == 0:
        return np.empty(0)
    cell = DENSITY_RADIUS_M / 2
    ix = np.floor((x - x.min()) / cell).astype(np.int64)
    iy = np.floor((y - y.min()) / cell).astype(np.int64)
    nx_, ny_ = ix.max() + 3, iy.max() + 3
    grid = sparse.coo_matrix(
        (np.full(len(x), spacing), (ix + 1, iy + 1)), shape=(nx_, ny_)
    ).toarray()
    # 3 × 3 box sum: the length within about one radius
    pad = np.pad(grid, 1)
    box = np.zeros_like(grid)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            box += pad[1 + dx : 1 + dx + nx_, 1 + dy : 1 + dy + ny_]
    return np.asarray(box[ix + 1, iy + 1], float)


def _spread(
    x: np.ndarray, y: np.ndarray, polygon: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray]:
    """No two addresses at the same position: repeats move on a small spiral (1.5 m steps),
    staying inside the commune (a move that would leave it turns the other way, or shrinks)."""
    key = pd.Series(list(zip(x, y, strict=True)))
    rep = key.groupby(key).cumcount().to_numpy()
    dup = np.flatnonzero(rep > 0)
    if len(dup) == 0:
        return x, y
    x, y = x.copy(), y.copy()
    turn = rep[dup] * 2.399963  # golden angle
    rad = 1.5 * np.sqrt(rep[dup])
    todo = np.ones(len(dup), bool)
    for sign in (1.0, -1.0, 0.3, -0.3):
        nx_ = np.round(x[dup] + sign * rad * np.cos(turn), 2)
        ny_ = np.round(y[dup] + sign * rad * np.sin(turn), 2)
        ok = todo & shapely.contains_xy(polygon, nx_, ny_)
        x[dup[ok]], y[dup[ok]] = nx_[ok], ny_[ok]
        todo &= ~ok
        if not todo.any():
            break
    return x, y


def _code_number(code: str) -> int:
    """A number from an INSEE code (Corsica's 2A/2B included) for seeding."""
    return int("".join(ch if ch.isdigit() else str(ord(ch) % 10) for ch in code) or 0)


def roads_to_premises(
    premises: gpd.GeoDataFrame,
    *,
    seed: int = DEFAULT_SEED,
    max_link_m: float = 3000.0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A synthetic road network that reaches every premise (no real roads were given).

    The roads are the minimum spanning tree of the premises' Delaunay triangulation (within
    ``max_link_m``; premises farther apart stay apart) plus a share of its shorter other
    edges (street loops), every premise being a road node.

    Parameters
    ----------
    premises
        Premise points (Lambert-93).
    seed
        Seed of the choice of loops.
    max_link_m
        Longest road drawn between two premises, in metres.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``road_nodes`` (``node_id``, ``x``, ``y``) and ``road_edges`` (``u``, ``v``,
        ``length``, ``highway`` = ``unclassified``, ``synthetic=True``).
    """
    pts = premises.to_crs(WORK_CRS).geometry
    xy = np.unique(np.column_stack([pts.x.round(2), pts.y.round(2)]), axis=0)
    n = len(xy)
    if n < 2:
        raise ValueError("roads_to_premises needs at least two distinct premise positions")
    if n < 4:
        e = np.column_stack([np.arange(n - 1), np.arange(1, n)])
    else:
        tri = Delaunay(xy, qhull_options="QJ Qbb Qc")
        s = tri.simplices
        e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        e = np.unique(np.sort(e, axis=1), axis=0)
    ln = np.hypot(*(xy[e[:, 0]] - xy[e[:, 1]]).T)
    ok = (ln > 0) & (ln <= max_link_m)
    e, ln = e[ok], ln[ok]
    g = sparse.coo_matrix((ln, (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    mst = csgraph.minimum_spanning_tree(g).tocoo()
    keys = np.minimum(mst.row, mst.col).astype(np.int64) * n + np.maximum(mst.row, mst.col)
    in_mst = np.isin(e[:, 0].astype(np.int64) * n + e[:, 1], keys)
    rng = np.random.default_rng(seed)
    scale = float(np.median(ln[in_mst])) if in_mst.any() else 1.0
    loops = rng.uniform(size=len(e)) < 0.3 * np.exp(-ln / (2.0 * scale))
    keep = in_mst | loops
    e, ln = e[keep], ln[keep]
    nodes = gpd.GeoDataFrame(
        {
            "node_id": np.arange(n, dtype=np.int64),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "synthetic": True,
        },
        geometry=shapely.points(xy[:, 0], xy[:, 1]),
        crs=WORK_CRS,
    )
    edges = gpd.GeoDataFrame(
        {
            "u": e[:, 0].astype(np.int64),
            "v": e[:, 1].astype(np.int64),
            "length": ln.round(2),
            "highway": "unclassified",
            "synthetic": True,
        },
        geometry=shapely.linestrings(np.stack([xy[e[:, 0]], xy[e[:, 1]]], axis=1)),
        crs=WORK_CRS,
    )
    log.info("synthetic roads to real premises: %d nodes, %d edges", len(nodes), len(edges))
    return nodes, edges


def generate_for_area(
    communes: gpd.GeoDataFrame, codes: set[str], *, seed: int = DEFAULT_SEED
) -> SyntheticRegion:
    """:func:`bthd.synth.generate` for the communes ``codes`` of a (possibly user's) layer.

    The communes touching them are land for the generated roads; the columns the generator
    needs are filled where a user's layer lacks them (``centre_x``/``centre_y``: a point
    inside the polygon; ``etablissements``: 0). Every commune gets premises, whatever its zone
    type.
    """
    from bthd import synth

    c = communes.to_crs(WORK_CRS)
    if "centre_x" not in c.columns or "centre_y" not in c.columns:
        rp = c.geometry.representative_point()
        c = c.assign(centre_x=rp.x, centre_y=rp.y)
    if "etablissements" not in c.columns:
        c = c.assign(etablissements=0)
    chosen = c[c["insee_code"].isin(codes)]
    if len(chosen) < len(c):
        hits = c.sindex.query(chosen.geometry.buffer(50.0), predicate="intersects")[1]
        keep = np.zeros(len(c), bool)
        keep[hits] = True
        c = c[keep | c["insee_code"].isin(codes).to_numpy()]
    return synth.generate(c, seed=seed, zone_types=None, only=set(codes))


def sites_onto_roads(sites: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Synthetic sites moved onto their nearest road node (when the roads are real)."""
    if len(sites) == 0 or len(nodes) == 0:
        return sites
    tree = shapely.STRtree(nodes.geometry.to_numpy())
    _, j = tree.query_nearest(sites.geometry.to_numpy(), all_matches=False)
    out = sites.copy()
    out.geometry = nodes.geometry.to_numpy()[j]
    return out


__all__ = [
    "CLASS_WEIGHT",
    "GENERATOR_VERSION",
    "generate_for_area",
    "premises_on_roads",
    "roads_to_premises",
    "sites_onto_roads",
]
