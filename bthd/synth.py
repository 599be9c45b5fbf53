"""Synthetic premises, roads and copper plant for communes whose real layers are not open data.

Brittany's premises positions, its rural road network and Orange's copper plant are not
available offline (see ``data/README.md``). This module generates them **deterministically**
from the real commune data (polygon, reference point, Arcep *locaux* and *établissements*), so
that the whole pipeline runs on one command. Every generated feature carries ``synthetic=True``.

The model follows Brittany's settlement pattern (dispersed housing):

* a **bourg** around the commune's reference point: a street grid (spacing
  ``street_spacing_m``, random orientation) clipped to the commune, with addresses along its
  streets (collective buildings of several dwellings in larger towns);
* **hamlets** (*lieux-dits*) spread over the rest of the commune, each with one or two short
  spur streets carrying its houses; their sizes follow a skewed distribution (many isolated
  houses and small hamlets, a few large ones);
* **rural roads** joining bourgs and hamlets, inside and across communes: a minimum spanning
  tree of their Delaunay triangulation plus a share of the shorter extra Delaunay edges (loops),
  never across the sea (islands stay islands);
* a **copper plant**: an NRA in each commune that is large or far from any other NRA, every
  commune attached to its nearest NRA, and SRs (sub-distributors) grouping hamlets and
  the bourgs of communes without an NRA.

Measured realism (metres of road per premise, share of premises in bourgs by commune size) is
written in ``data/README.md`` and recomputed by :func:`realism_table`.

Not for: real data (read it with :mod:`bthd.io`), or the FTTH design (:mod:`bthd.network`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from bthd.settings import SYNTH, WORK_CRS, SynthSettings

log = logging.getLogger(__name__)

#: Version of the generator: bumped whenever its output changes for the same seed.
GENERATOR_VERSION = "2"


@dataclass
class SyntheticRegion:
    """What :func:`generate` returns: premises, the road network as two layers, the copper plant.

    Attributes
    ----------
    premises
        One row per address point (:data:`bthd.schema.PREMISES` columns, plus ``settlement``
        — ``bourg`` or ``hamlet`` —, ``settlement_id``, ``nra_id``, ``sr_id``).
    road_nodes
        Road graph nodes: ``node_id`` (int), ``x``, ``y`` and a Point geometry.
    road_edges
        Road edges (undirected, one row each): ``u``, ``v``, ``length`` (m), ``highway``,
        ``insee_code`` and a LineString geometry.
    copper_sites
        NRA and SR sites (:data:`bthd.schema.SITES` columns, plus ``nra_id`` of an SR).
    """

    premises: gpd.GeoDataFrame
    road_nodes: gpd.GeoDataFrame
    road_edges: gpd.GeoDataFrame
    copper_sites: gpd.GeoDataFrame


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _bourg_share(locaux: np.ndarray, s: SynthSettings, rng: np.random.Generator) -> np.ndarray:
    """Share of a commune's locaux in its bourg, rising with its size (log-linear)."""
    t = np.clip(
        (np.log10(np.maximum(locaux, 1)) - np.log10(500)) / (np.log10(10_000) - np.log10(500)), 0, 1
    )
    base = s.bourg_share_small + t * (s.bourg_share_large - s.bourg_share_small)
    return np.clip(base + rng.normal(0, 0.05, len(locaux)), 0.2, 0.97)


def _collective_share(locaux: np.ndarray) -> np.ndarray:
    """Share of bourg dwellings in collective buildings: none below 3,000 locaux, 45 % at 30,000."""
    t = np.clip((np.log10(np.maximum(locaux, 1)) - np.log10(3000)) / 1.0, 0, 1)
    return 0.45 * t


def _node_key(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Integer keys of positions rounded to 1 cm (for merging identical nodes)."""
    xi = np.round(np.asarray(x) * 100).astype(np.int64)
    yi = np.round(np.asarray(y) * 100).astype(np.int64)
    return xi * 10_000_000_000 + yi


class _Roads:
    """Accumulates road segments, then nodes them by position."""

    def __init__(self) -> None:
        self.x0: list[np.ndarray] = []
        self.y0: list[np.ndarray] = []
        self.x1: list[np.ndarray] = []
        self.y1: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []
        self.commune: list[np.ndarray] = []

    def add(self, x0, y0, x1, y1, kind: str, commune) -> None:
        n = len(x0)
        self.x0.append(np.asarray(x0, float))
        self.y0.append(np.asarray(y0, float))
        self.x1.append(np.asarray(x1, float))
        self.y1.append(np.asarray(y1, float))
        self.kind.append(np.full(n, kind, dtype=object))
        self.commune.append(np.broadcast_to(np.asarray(commune), (n,)).astype(np.int64))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(
            np.concatenate(a) for a in (self.x0, self.y0, self.x1, self.y1, self.kind, self.commune)
        )


# --------------------------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------------------------


def generate(
    communes: gpd.GeoDataFrame,
    *,
    seed: int | None = None,
    settings: SynthSettings = SYNTH,
    zone_types: tuple[str, ...] | None = None,
    only: set[str] | None = None,
) -> SyntheticRegion:
    """Generate premises, roads and a copper plant for communes.

    Parameters
    ----------
    communes
        Communes with ``insee_code``, ``locaux``, ``etablissements``, ``centre_x``, ``centre_y``
        and polygons in Lambert-93 (the embedded layer or a subset of it).
    seed
        Random seed; the same communes and seed give the same output. Default: settings.seed.
    settings
        Generator parameters.
    zone_types
        Generate premises only in communes of these zone types (e.g. ``("RIP",)``); roads
        and copper are generated for the same communes. Default: all.
    only
        Generate only for these INSEE codes; the other communes given are used as land
        (roads between generated communes may cross them) but get nothing.

    Returns
    -------
    SyntheticRegion
    """
    s = settings
    seed = s.seed if seed is None else seed
    com = communes
    all_com = communes.to_crs(WORK_CRS) if communes.crs is not None else communes
    land = all_com.geometry.to_numpy()
    land_label = pd.Series(landmasses(land), index=all_com["insee_code"].to_numpy())
    if zone_types is not None:
        com = com[com["zone_type"].isin(zone_types)]
    if only is not None:
        com = com[com["insee_code"].isin(only)]
    com = com.sort_values("insee_code").reset_index(drop=True)
    if com.crs is None or com.crs.to_epsg() != 2154:
        com = com.to_crs(WORK_CRS)
    n_com = len(com)
    if n_com == 0:
        raise ValueError("no commune to generate premises for (check the subset and zone types)")
    rng = np.random.default_rng(seed)
    polys = com.geometry.to_numpy()
    shapely.prepare(polys)
    locaux = com["locaux"].to_numpy(np.int64)
    etab = np.minimum(com["etablissements"].to_numpy(np.int64), locaux)
    cx = com["centre_x"].to_numpy(float)
    cy = com["centre_y"].to_numpy(float)

    share = _bourg_share(locaux, s, rng)
    n_bourg_locaux = np.round(locaux * share).astype(np.int64)
    n_disp_locaux = locaux - n_bourg_locaux
    roads = _Roads()

    # ---- bourgs: street grids ----------------------------------------------------------------
    spacing = s.street_spacing_m
    # addresses in the bourg (collective buildings hold several dwellings)
    coll = _collective_share(locaux)
    prem_rows: list[dict[str, np.ndarray]] = []
    bourg_node_xy = np.empty((n_com, 2))
    grid_nodes_by_com: list[np.ndarray] = []
    for i in range(n_com):
        nb = int(n_bourg_locaux[i])
        # dwellings in collective buildings of 4..30
        n_coll_loc = round(nb * coll[i])
        sizes = []
        while n_coll_loc > 3:
            k = int(min(n_coll_loc, rng.integers(4, 31)))
            sizes.append(k)
            n_coll_loc -= k
        n_addr = nb - sum(sizes) + len(sizes)
        street_len = max(n_addr, 1) * s.premise_spacing_m / 2.0
        radius = max(np.sqrt(street_len * spacing / (2 * np.pi)), spacing)
        half = int(np.ceil(radius / spacing))
        theta = rng.uniform(0, np.pi / 2)
        c, sn = np.cos(theta), np.sin(theta)
        gi, gj = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1), indexing="ij")
        gx = cx[i] + spacing * (gi * c - gj * sn)
        gy = cy[i] + spacing * (gi * sn + gj * c)
        in_disc = (gi**2 + gj**2) * spacing**2 <= (radius + spacing / 2) ** 2
        inside = in_disc & shapely.contains_xy(polys[i], gx, gy)
        # horizontal and vertical lattice edges with both ends inside
        h = inside[:-1, :] & inside[1:, :]
        v = inside[:, :-1] & inside[:, 1:]
        ex0 = np.concatenate([gx[:-1, :][h], gx[:, :-1][v]])
        ey0 = np.concatenate([gy[:-1, :][h], gy[:, :-1][v]])
        ex1 = np.concatenate([gx[1:, :][h], gx[:, 1:][v]])
        ey1 = np.concatenate([gy[1:, :][h], gy[:, 1:][v]])
        if len(ex0) == 0:
            # a tiny or oddly shaped commune: one street through the reference point
            ex0, ey0 = np.array([cx[i] - spacing / 2 * c]), np.array([cy[i] - spacing / 2 * sn])
            ex1, ey1 = np.array([cx[i] + spacing / 2 * c]), np.array([cy[i] + spacing / 2 * sn])
        # keep the component of the lattice nearest to the centre
        ex0, ey0, ex1, ey1 = _main_component(ex0, ey0, ex1, ey1, cx[i], cy[i])
        roads.add(ex0, ey0, ex1, ey1, "residential", i)
        nodes = np.unique(np.column_stack([np.r_[ex0, ex1], np.r_[ey0, ey1]]), axis=0)
        grid_nodes_by_com.append(nodes)
        d2 = (nodes[:, 0] - cx[i]) ** 2 + (nodes[:, 1] - cy[i]) ** 2
        bourg_node_xy[i] = nodes[np.argmin(d2)]
        # addresses along the streets, weighted by length, on both sides
        if nb > 0:
            pick = rng.integers(0, len(ex0), n_addr)
            t = rng.uniform(0.05, 0.95, n_addr)
            side = rng.choice([-1.0, 1.0], n_addr)
            dx, dy = ex1[pick] - ex0[pick], ey1[pick] - ey0[pick]
            ln = np.hypot(dx, dy)
            px = ex0[pick] + t * dx - side * s.setback_m * dy / ln
            py = ey0[pick] + t * dy + side * s.setback_m * dx / ln
            logements = np.ones(n_addr, np.int64)
            if sizes:
                logements[: len(sizes)] = sizes
                rng.shuffle(logements)
            prem_rows.append(
                {
                    "x": px,
                    "y": py,
                    "ax": ex0[pick] + t * dx,
                    "ay": ey0[pick] + t * dy,
                    "locaux": logements,
                    "commune": np.full(n_addr, i),
                    "bourg": np.ones(n_addr, bool),
                    "settlement": np.full(n_addr, -1 - i),
                }
            )

    # ---- hamlets -------------------------------------------------------------------------------
    ham_x: list[np.ndarray] = []
    ham_y: list[np.ndarray] = []
    ham_com: list[np.ndarray] = []
    ham_size: list[np.ndarray] = []
    bourg_radius = np.array(
        [np.sqrt(((g - g.mean(0)) ** 2).sum(1).max()) if len(g) else 0 for g in grid_nodes_by_com]
    )
    for i in range(n_com):
        d = int(n_disp_locaux[i])
        if d <= 0:
            continue
        n_h = max(1, round(d / s.hamlet_mean_locaux))
        # skewed sizes: 1 + multinomial with Dirichlet weights (alpha < 1: many tiny, few large)
        w = rng.dirichlet(np.full(n_h, 0.6))
        h_sizes = 1 + rng.multinomial(d - n_h, w) if d > n_h else np.ones(d, np.int64)
        n_h = len(h_sizes)
        minx, miny, maxx, maxy = polys[i].bounds
        got_x: list[np.ndarray] = []
        got_y: list[np.ndarray] = []
        need, tries = n_h, 0
        while need > 0 and tries < 20:
            m = need * 3 + 10
            qx, qy = rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)
            ok = shapely.contains_xy(polys[i], qx, qy)
            ok &= np.hypot(qx - cx[i], qy - cy[i]) > bourg_radius[i] + 250
            got_x.append(qx[ok][:need])
            got_y.append(qy[ok][:need])
            need -= int(min(ok.sum(), need))
            tries += 1
        hx, hy = np.concatenate(got_x), np.concatenate(got_y)
        if len(hx) < n_h:  # no room outside the bourg: put the rest in the bourg area
            k = n_h - len(hx)
            ang = rng.uniform(0, 2 * np.pi, k)
            rr = bourg_radius[i] + rng.uniform(30, 120, k)
            hx = np.r_[hx, cx[i] + rr * np.cos(ang)]
            hy = np.r_[hy, cy[i] + rr * np.sin(ang)]
        ham_x.append(hx)
        ham_y.append(hy)
        ham_com.append(np.full(n_h, i))
        ham_size.append(h_sizes)
    hx = np.concatenate(ham_x) if ham_x else np.empty(0)
    hy = np.concatenate(ham_y) if ham_y else np.empty(0)
    hcom = np.concatenate(ham_com).astype(np.int64) if ham_com else np.empty(0, np.int64)
    hsize = np.concatenate(ham_size).astype(np.int64) if ham_size else np.empty(0, np.int64)
    n_ham = len(hx)

    # spur streets of hamlets (vectorised): 1 spur for <= 6 houses, else 2
    n_spur = np.where(hsize > 6, 2, 1)
    spur_ham = np.repeat(np.arange(n_ham), n_spur)
    spur_houses = np.ceil(hsize[spur_ham] / n_spur[spur_ham]).astype(np.int64)
    spur_len = np.ceil(spur_houses / 2.0) * s.premise_spacing_m + 15.0
    ang = rng.uniform(0, 2 * np.pi, len(spur_ham))
    second = np.r_[False, spur_ham[1:] == spur_ham[:-1]]
    ang = np.where(second, np.r_[0, ang[:-1]] + np.pi * rng.uniform(0.6, 1.4, len(ang)), ang)
    sx1 = hx[spur_ham] + spur_len * np.cos(ang)
    sy1 = hy[spur_ham] + spur_len * np.sin(ang)
    roads.add(hx[spur_ham], hy[spur_ham], sx1, sy1, "residential", hcom[spur_ham])
    # houses along the spurs, alternating sides
    h_of_house = np.repeat(np.arange(n_ham), hsize)
    rank = np.arange(len(h_of_house)) - np.repeat(np.cumsum(hsize) - hsize, hsize)
    spur_first = np.cumsum(n_spur) - n_spur
    which = np.where((n_spur[h_of_house] == 2) & (rank % 2 == 1), 1, 0)
    sp = spur_first[h_of_house] + which
    k_on_spur = rank // n_spur[h_of_house]
    t = (np.floor(k_on_spur / 2) * s.premise_spacing_m + 15.0 + s.premise_spacing_m / 2) / spur_len[
        sp
    ]
    t = np.clip(t + rng.uniform(-0.03, 0.03, len(t)), 0.02, 1.0)
    side = np.where(k_on_spur % 2 == 0, 1.0, -1.0)
    dx = sx1[sp] - hx[spur_ham[sp]]
    dy = sy1[sp] - hy[spur_ham[sp]]
    setback = s.setback_m + rng.exponential(10.0, len(t))  # farms sit further from the road
    px = hx[spur_ham[sp]] + t * dx - side * setback * dy / spur_len[sp]
    py = hy[spur_ham[sp]] + t * dy + side * setback * dx / spur_len[sp]
    prem_rows.append(
        {
            "x": px,
            "y": py,
            "ax": hx[spur_ham[sp]],
            "ay": hy[spur_ham[sp]],
            "locaux": np.ones(len(px), np.int64),
            "commune": hcom[h_of_house],
            "bourg": np.zeros(len(px), bool),
            "settlement": h_of_house,
        }
    )

    # ---- rural roads between settlements -------------------------------------------------------
    sx = np.r_[bourg_node_xy[:, 0], hx]
    sy = np.r_[bourg_node_xy[:, 1], hy]
    s_com = np.r_[np.arange(n_com), hcom]
    is_bourg = np.r_[np.ones(n_com, bool), np.zeros(n_ham, bool)]
    e0, e1 = _rural_links(sx, sy, s_com, is_bourg, land, rng)
    # a link arriving at a bourg ends at the bourg's grid node nearest to the other end
    x0, y0, x1, y1 = sx[e0].copy(), sy[e0].copy(), sx[e1].copy(), sy[e1].copy()
    for end_x, end_y, this, other in ((x0, y0, e0, e1), (x1, y1, e1, e0)):
        at_bourg = np.flatnonzero(is_bourg[this])
        if len(at_bourg) == 0:
            continue
        b = this[at_bourg]
        order = np.argsort(b, kind="stable")
        for grp in np.split(order, np.flatnonzero(np.diff(b[order])) + 1):
            bi = int(b[grp[0]])
            nodes = grid_nodes_by_com[bi]
            ox, oy = sx[other[at_bourg[grp]]], sy[other[at_bourg[grp]]]
            j = cKDTree(nodes).query(np.column_stack([ox, oy]))[1]
            end_x[at_bourg[grp]] = nodes[j, 0]
            end_y[at_bourg[grp]] = nodes[j, 1]
    both_bourgs = is_bourg[e0] & is_bourg[e1]
    ln = np.hypot(x1 - x0, y1 - y0)
    keep = ln > 1.0
    # a bend in the middle of each rural road, so they are not ruler-straight
    off = rng.normal(0, 0.06, len(ln)) * ln
    mx = (x0 + x1) / 2 - off * (y1 - y0) / np.maximum(ln, 1e-9)
    my = (y0 + y1) / 2 + off * (x1 - x0) / np.maximum(ln, 1e-9)
    kind = np.where(both_bourgs, "tertiary", "unclassified")
    for hw in ("tertiary", "unclassified"):
        m = keep & (kind == hw)
        roads.add(x0[m], y0[m], mx[m], my[m], hw, s_com[e0[m]])
        roads.add(mx[m], my[m], x1[m], y1[m], hw, s_com[e0[m]])

    # ---- node the road segments ------------------------------------------------------------------
    rx0, ry0, rx1, ry1, rkind, rcom = roads.arrays()
    keys = np.r_[_node_key(rx0, ry0), _node_key(rx1, ry1)]
    uniq, inv = np.unique(keys, return_inverse=True)
    m = len(rx0)
    u, v = inv[:m], inv[m:]
    node_x = np.zeros(len(uniq))
    node_y = np.zeros(len(uniq))
    node_x[u], node_y[u] = rx0, ry0
    node_x[v], node_y[v] = rx1, ry1
    ok = u != v
    a, b = np.minimum(u, v)[ok], np.maximum(u, v)[ok]
    _, first = np.unique(a * len(uniq) + b, return_index=True)
    sel = np.flatnonzero(ok)[np.sort(first)]
    u, v = u[sel], v[sel]
    rx0, ry0, rx1, ry1, rkind, rcom = (a_[sel] for a_ in (rx0, ry0, rx1, ry1, rkind, rcom))
    # join fragments to the main road network of their landmass (islands stay islands)
    com_land = land_label.reindex(com["insee_code"].to_numpy()).to_numpy()
    cu, cv, ccom = _connect_fragments(u, v, node_x, node_y, rcom, com_land)
    if len(cu):
        u, v = np.r_[u, cu], np.r_[v, cv]
        rx0, ry0 = np.r_[rx0, node_x[cu]], np.r_[ry0, node_y[cu]]
        rx1, ry1 = np.r_[rx1, node_x[cv]], np.r_[ry1, node_y[cv]]
        rkind = np.r_[rkind, np.full(len(cu), "unclassified", dtype=object)]
        rcom = np.r_[rcom, ccom]
    sel = np.arange(len(u))
    lengths = np.hypot(rx1[sel] - rx0[sel], ry1[sel] - ry0[sel])
    geoms = shapely.linestrings(
        np.stack([np.column_stack([rx0[sel], ry0[sel]]), np.column_stack([rx1[sel], ry1[sel]])], 1)
    )
    insee = com["insee_code"].to_numpy()
    road_edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length": lengths.round(2),
            "highway": rkind[sel].astype(str),
            "insee_code": insee[rcom[sel]],
            "synthetic": True,
        },
        geometry=geoms,
        crs=WORK_CRS,
    )
    road_nodes = gpd.GeoDataFrame(
        {
            "node_id": np.arange(len(uniq), dtype=np.int64),
            "x": node_x.round(2),
            "y": node_y.round(2),
            "synthetic": True,
        },
        geometry=shapely.points(node_x, node_y),
        crs=WORK_CRS,
    )

    # ---- premises table --------------------------------------------------------------------------
    P = {k: np.concatenate([r[k] for r in prem_rows]) for k in prem_rows[-1]}
    # keep every premise inside its commune (coasts, borders): move an outsider back towards
    # its anchor on the road network (its street foot or hamlet centre, inside by construction)
    P["x"], P["y"] = P["x"].round(2), P["y"].round(2)
    for f in (0.5, 0.2, 0.0):
        out = ~shapely.contains_xy(polys[P["commune"]], P["x"], P["y"])
        if not out.any():
            break
        P["x"][out] = (P["ax"][out] + (P["x"][out] - P["ax"][out]) * f).round(2)
        P["y"][out] = (P["ay"][out] + (P["y"][out] - P["ay"][out]) * f).round(2)
    out = ~shapely.contains_xy(polys[P["commune"]], P["x"], P["y"])
    if out.any():  # a street foot across a concave border: the commune reference point
        c_i = P["commune"][out]
        P["x"][out], P["y"][out] = cx[c_i], cy[c_i]
    # no two address points at the same position: spread repeats on a small spiral (1.5 m
    # steps), keeping each inside its commune
    key = np.round(P["x"] * 100).astype(np.int64) * 10_000_000_000 + np.round(P["y"] * 100).astype(
        np.int64
    )
    srt = np.argsort(key, kind="stable")
    rep = np.zeros(len(key), np.int64)
    same = np.r_[False, key[srt][1:] == key[srt][:-1]]
    run_start = np.maximum.accumulate(np.where(~same, np.arange(len(key)), 0))
    rep[srt] = np.arange(len(key)) - run_start
    dup = np.flatnonzero(rep > 0)
    if len(dup):
        for sign in (1.0, -1.0, 0.3):
            turn = rep[dup] * 2.399963  # golden angle
            rad = 1.5 * np.sqrt(rep[dup])
            nx_ = (P["x"][dup] + sign * rad * np.cos(turn)).round(2)
            ny_ = (P["y"][dup] + sign * rad * np.sin(turn)).round(2)
            inside = shapely.contains_xy(polys[P["commune"][dup]], nx_, ny_)
            P["x"][dup[inside]], P["y"][dup[inside]] = nx_[inside], ny_[inside]
            dup = dup[~inside]
            if len(dup) == 0:
                break
    # order: by commune, bourg first, then hamlets (stable, deterministic)
    order = np.lexsort((np.arange(len(P["x"])), ~P["bourg"], P["commune"]))
    P = {k: v_[order] for k, v_ in P.items()}
    n_p = len(P["x"])
    # business premises: the commune's établissements, 80 % of them in the bourg
    locaux_pro = np.zeros(n_p, np.int64)
    start = np.searchsorted(P["commune"], np.arange(n_com))
    stop = np.searchsorted(P["commune"], np.arange(n_com), side="right")
    single = P["locaux"] == 1
    for i in range(n_com):
        k = int(etab[i])
        if k == 0 or stop[i] == start[i]:
            continue
        idx = np.arange(start[i], stop[i])
        idx = idx[single[idx]]
        if len(idx) == 0:
            continue
        w = np.where(P["bourg"][idx], 4.0, 1.0)
        k = min(k, len(idx))
        chosen = rng.choice(idx, size=k, replace=False, p=w / w.sum())
        locaux_pro[chosen] = 1
    logements = P["locaux"] - locaux_pro
    # collective buildings: some ground floors are shops (mixed)
    kind = np.where(locaux_pro > 0, "business", "residential").astype(object)
    insee_p = insee[P["commune"]]
    rank = np.arange(n_p) - start[P["commune"]]
    premise_id = np.char.add(
        np.char.add(insee_p.astype("U5"), "-"), np.char.zfill(rank.astype("U7"), 6)
    )
    settlement_id = np.where(
        P["bourg"],
        np.char.add(insee_p.astype("U5"), "-B"),
        np.char.add("H", np.char.zfill(P["settlement"].astype("U7"), 6)),
    )
    premises = gpd.GeoDataFrame(
        {
            "premise_id": premise_id.astype(str),
            "insee_code": insee_p.astype(str),
            "logements": logements.astype(np.int64),
            "locaux_pro": locaux_pro,
            "kind": kind.astype(str),
            "synthetic": True,
            "settlement": np.where(P["bourg"], "bourg", "hamlet"),
            "settlement_id": settlement_id.astype(str),
        },
        geometry=shapely.points(P["x"], P["y"]),
        crs=WORK_CRS,
    )
    # ---- copper plant -----------------------------------------------------------------------
    copper_sites, nra_of, sr_of = _copper_plant(
        com, bourg_node_xy, premises, P, hx, hy, hcom, s, rng
    )
    premises["nra_id"] = nra_of
    premises["sr_id"] = sr_of
    log.info(
        "synthetic region: %d communes, %d premises (%d locaux), %d road edges, %d nodes",
        n_com,
        n_p,
        int(P["locaux"].sum()),
        len(road_edges),
        len(road_nodes),
    )
    return SyntheticRegion(premises, road_nodes, road_edges, copper_sites)


def _main_component(x0, y0, x1, y1, cx, cy):
    """Keep the connected part of a clipped street grid that is nearest to the centre."""
    keys = np.r_[_node_key(x0, y0), _node_key(x1, y1)]
    uniq, inv = np.unique(keys, return_inverse=True)
    m = len(x0)
    g = sparse.coo_matrix((np.ones(m), (inv[:m], inv[m:])), shape=(len(uniq), len(uniq)))
    n, lab = csgraph.connected_components(g, directed=False)
    if n == 1:
        return x0, y0, x1, y1
    d = np.hypot((x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy)
    best = lab[inv[:m][np.argmin(d)]]
    k = lab[inv[:m]] == best
    return x0[k], y0[k], x1[k], y1[k]


def landmasses(polys: np.ndarray) -> np.ndarray:
    """Label of the landmass of each polygon: communes that touch share a label.

    The mainland is the label of the largest group; islands (Bréhat, Ouessant, Belle-Île...)
    get their own labels.
    """
    tree = shapely.STRtree(polys)
    a, b = tree.query(shapely.buffer(polys, 5.0), predicate="intersects")
    n = len(polys)
    g = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return csgraph.connected_components(g, directed=False)[1]


def _connect_fragments(u, v, x, y, edge_com, com_land):
    """Connector edges from each road fragment to the largest road component of its landmass."""
    n = len(x)
    g = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    n_comp, lab = csgraph.connected_components(g, directed=False)
    if n_comp == 1:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    # commune (hence landmass) of each node: the commune of an edge that ends there
    node_com = np.zeros(n, np.int64)
    node_com[u] = edge_com
    node_com[v] = edge_com
    land = com_land[node_com]
    size = np.bincount(lab)
    cu, cv, cc = [], [], []
    for lm in np.unique(land):
        in_lm = land == lm
        comps = np.unique(lab[in_lm])
        if len(comps) < 2:
            continue
        main = comps[np.argmax(size[comps])]
        main_nodes = np.flatnonzero(in_lm & (lab == main))
        others = np.flatnonzero(in_lm & (lab != main))
        d, j = cKDTree(np.column_stack([x[main_nodes], y[main_nodes]])).query(
            np.column_stack([x[others], y[others]])
        )
        best = pd.DataFrame({"comp": lab[others], "d": d, "node": others, "to": main_nodes[j]})
        best = best.sort_values(["comp", "d", "node"]).drop_duplicates("comp")
        cu.append(best["node"].to_numpy())
        cv.append(best["to"].to_numpy())
        cc.append(node_com[best["node"].to_numpy()])
    if not cu:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(cu), np.concatenate(cv), np.concatenate(cc)


def _rural_links(sx, sy, s_com, is_bourg, polys, rng):
    """Edges between settlements: MST of the land Delaunay graph plus shorter extra edges."""
    pts = np.column_stack([sx, sy])
    if len(pts) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if len(pts) < 4:
        e = np.array([[i, i + 1] for i in range(len(pts) - 1)])
    else:
        tri = Delaunay(pts, qhull_options="QJ Qbb Qc")
        simp = tri.simplices
        e = np.vstack([simp[:, [0, 1]], simp[:, [1, 2]], simp[:, [0, 2]]])
        e = np.unique(np.sort(e, axis=1), axis=0)
    ln = np.hypot(*(pts[e[:, 0]] - pts[e[:, 1]]).T)
    # never across the sea: the midpoint and quarter points must be on land (some commune)
    land = np.ones(len(e), bool)
    tree = shapely.STRtree(polys)
    for f in (0.25, 0.5, 0.75):
        q = shapely.points(pts[e[:, 0]] * (1 - f) + pts[e[:, 1]] * f)
        hit = np.zeros(len(e), bool)
        idx = tree.query(q, predicate="within")
        hit[idx[0]] = True
        land &= hit
    long_ = ln > 8000
    e, ln = e[land & ~long_], ln[land & ~long_]
    n = len(pts)
    g = sparse.coo_matrix((ln, (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    mst = csgraph.minimum_spanning_tree(g).tocoo()
    mst_keys = np.minimum(mst.row, mst.col).astype(np.int64) * n + np.maximum(mst.row, mst.col)
    mst_mask = np.isin(e[:, 0].astype(np.int64) * n + e[:, 1], mst_keys)
    # extra edges: bourg–bourg links always (the road between two villages), and a share of the
    # other short edges, more likely the shorter they are (bocage roads make many loops)
    scale = np.median(ln[mst_mask]) if mst_mask.any() else 1.0
    p_keep = 0.55 * np.exp(-ln / (2.5 * scale))
    extra = (rng.uniform(size=len(e)) < p_keep) | (
        is_bourg[e[:, 0]] & is_bourg[e[:, 1]] & (ln < 12000)
    )
    keep = mst_mask | extra
    return e[keep, 0], e[keep, 1]


def _copper_plant(com, bourg_xy, premises, P, hx, hy, hcom, s, rng):
    """NRA in large or remote communes, communes attached to the nearest NRA, SRs for hamlets."""
    n_com = len(com)
    locaux = com["locaux"].to_numpy()
    order = np.argsort(-locaux, kind="stable")
    nra_com: list[int] = []
    for i in order:  # greedy: big communes first; a commune far from every NRA gets its own
        if (
            locaux[i] >= s.nra_min_locaux
            or not nra_com
            or np.min(np.hypot(*(bourg_xy[nra_com] - bourg_xy[i]).T)) > s.nra_spacing_m
        ):
            nra_com.append(int(i))
    nra_com_arr = np.array(sorted(nra_com))
    insee = com["insee_code"].to_numpy()
    nra_ids = np.char.add("NRA-", insee[nra_com_arr].astype("U5")).astype(str)
    near = cKDTree(bourg_xy[nra_com_arr]).query(bourg_xy)[1]
    com_nra = nra_ids[near]  # NRA of each commune
    has_nra = np.zeros(n_com, bool)
    has_nra[nra_com_arr] = True
    commune_idx = P["commune"]
    nra_of = com_nra[commune_idx]
    sr_rows = []
    # bourgs of communes without an NRA: one SR at the bourg
    bourg_prem = P["bourg"]
    bourg_lines = np.bincount(
        commune_idx[bourg_prem], weights=P["locaux"][bourg_prem], minlength=n_com
    )
    sr_of_bourg = np.full(n_com, None, dtype=object)
    for i in np.flatnonzero(~has_nra & (bourg_lines > 0)):
        sid = f"SR-{insee[i]}-B"
        sr_of_bourg[i] = sid
        sr_rows.append((sid, "SR", int(bourg_lines[i]), com_nra[i], bourg_xy[i, 0], bourg_xy[i, 1]))
    # hamlets: grouped by NRA into clusters of about sr_target_lines lines (k-means)
    ham_prem = ~bourg_prem
    h_idx = P["settlement"]
    ham_nra = com_nra[hcom]
    ham_lines = np.bincount(h_idx[ham_prem], weights=P["locaux"][ham_prem], minlength=len(hx))
    sr_of_hamlet = np.full(len(hx), None, dtype=object)
    from scipy.cluster.vq import kmeans2

    order = np.argsort(ham_nra, kind="stable")
    bounds = np.flatnonzero(ham_nra[order][1:] != ham_nra[order][:-1]) + 1
    for hs in np.split(order, bounds):
        if len(hs) == 0:
            continue
        nra = ham_nra[hs[0]]
        lines = ham_lines[hs].sum()
        k = max(1, round(lines / s.sr_target_lines))
        pts = np.column_stack([hx[hs], hy[hs]])
        if k == 1 or len(hs) <= k:
            lab = np.zeros(len(hs), np.int64)
            k = 1
        else:
            seed = int(rng.integers(0, 2**31 - 1))
            _, lab = kmeans2(pts, k, seed=seed, minit="++", iter=10)
        for c in range(k):
            members = hs[lab == c]
            if len(members) == 0:
                continue
            cen = pts[lab == c].mean(0)
            j = members[np.argmin(np.hypot(hx[members] - cen[0], hy[members] - cen[1]))]
            sid = f"SR-{nra[4:]}-{c:03d}"
            sr_rows.append((sid, "SR", int(ham_lines[members].sum()), nra, hx[j], hy[j]))
            sr_of_hamlet[members] = sid
    sr_of = np.where(
        bourg_prem, sr_of_bourg[commune_idx], sr_of_hamlet[np.where(ham_prem, h_idx, 0)]
    )
    nra_lines = pd.Series(P["locaux"]).groupby(nra_of).sum()
    sites = gpd.GeoDataFrame(
        {
            "site_id": list(nra_ids) + [r[0] for r in sr_rows],
            "site_type": ["NRA"] * len(nra_ids) + ["SR"] * len(sr_rows),
            "name": [f"NRA {n}" for n in com["name"].to_numpy()[nra_com_arr]]
            + [r[0] for r in sr_rows],
            "capacity": [int(nra_lines.get(n, 0)) for n in nra_ids] + [r[2] for r in sr_rows],
            # NRAs serving many lines carry TV (the smallest did not in the 2010s)
            "tv": [bool(nra_lines.get(n, 0) >= 1500) for n in nra_ids] + [False] * len(sr_rows),
            "nra_id": list(nra_ids) + [r[3] for r in sr_rows],
            "synthetic": True,
        },
        geometry=shapely.points(
            np.r_[bourg_xy[nra_com_arr, 0], [r[4] for r in sr_rows]],
            np.r_[bourg_xy[nra_com_arr, 1], [r[5] for r in sr_rows]],
        ),
        crs=WORK_CRS,
    )
    return sites, nra_of.astype(str), sr_of


def realism_table(synth: SyntheticRegion, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Road metres per premise and share of locaux in bourgs, by commune size class.

    Parameters
    ----------
    synth
        A generated region.
    communes
        The communes it was generated for (``insee_code``, ``locaux``).

    Returns
    -------
    pandas.DataFrame
        One row per size class (locaux of the commune) and a total row.
    """
    p = synth.premises
    loc = p["logements"] + p["locaux_pro"]
    per_com = (
        pd.DataFrame(
            {
                "insee_code": p["insee_code"],
                "locaux": loc,
                "bourg": loc.where(p["settlement"] == "bourg", 0),
            }
        )
        .groupby("insee_code")
        .sum()
    )
    road = synth.road_edges.groupby("insee_code")["length"].sum()
    per_com["road_m"] = road.reindex(per_com.index).fillna(0)
    bins = [0, 500, 1000, 2000, 5000, 10_000, 10**9]
    labels = ["<500", "500–1k", "1k–2k", "2k–5k", "5k–10k", "≥10k"]
    per_com["size_class"] = pd.cut(per_com["locaux"], bins=bins, labels=labels, right=False)
    g = per_com.groupby("size_class", observed=False).agg(
        communes=("locaux", "size"),
        locaux=("locaux", "sum"),
        bourg=("bourg", "sum"),
        road_m=("road_m", "sum"),
    )
    total = g.sum().to_frame("total").T
    g = pd.concat([g, total])
    g["road_m_per_local"] = (g["road_m"] / g["locaux"]).round(1)
    g["bourg_share"] = (g["bourg"] / g["locaux"]).round(3)
    g["road_m"] = g["road_m"].round(0)
    g = g.astype({"communes": "int64", "locaux": "int64", "road_m": "int64"})
    g.index.name = "commune size (locaux)"
    return g.drop(columns=["bourg"]).reset_index()
