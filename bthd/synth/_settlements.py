"""Settlements of the synthetic generator: bourgs with their street grids, hamlets and spurs.

Each step draws from the one generator ``rng`` in a fixed order (see :func:`bthd.synth.generate`):
changing the order changes every output of the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from bthd.settings import SynthSettings
from bthd.synth._roads import Roads, main_component

#: Columns of the premises rows the steps build (positions, anchor on the road, locaux...).
PremiseRows = dict[str, np.ndarray]


def bourg_share(locaux: np.ndarray, s: SynthSettings, rng: np.random.Generator) -> np.ndarray:
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


@dataclass(frozen=True)
class Bourgs:
    """The bourgs' addresses and street grids.

    Attributes
    ----------
    rows
        Premises rows of the bourgs (one dict per commune with at least one bourg local).
    node_xy
        For each commune, the grid node nearest to its reference point (m).
    grid_nodes
        For each commune, the nodes of its street grid.
    """

    rows: list[PremiseRows]
    node_xy: np.ndarray
    grid_nodes: list[np.ndarray]


def bourgs(
    polys: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    locaux: np.ndarray,
    n_bourg_locaux: np.ndarray,
    s: SynthSettings,
    rng: np.random.Generator,
    roads: Roads,
) -> Bourgs:
    """A street grid around each commune's reference point, with addresses along its streets.

    The grid (spacing ``s.street_spacing_m``, random orientation) is clipped to the commune and
    to a disc sized for its addresses; its component nearest to the centre is kept. In larger
    towns some dwellings are in collective buildings of 4 to 30. The streets are added to
    ``roads`` (``residential``).
    """
    n_com = len(polys)
    spacing = s.street_spacing_m
    # addresses in the bourg (collective buildings hold several dwellings)
    coll = _collective_share(locaux)
    prem_rows: list[PremiseRows] = []
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
        ex0, ey0, ex1, ey1 = main_component(ex0, ey0, ex1, ey1, cx[i], cy[i])
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
    return Bourgs(prem_rows, bourg_node_xy, grid_nodes_by_com)


@dataclass(frozen=True)
class Hamlets:
    """Hamlets (*lieux-dits*): centre (m), commune (position) and locaux of each."""

    x: np.ndarray
    y: np.ndarray
    commune: np.ndarray
    size: np.ndarray


def hamlets(
    polys: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    n_disp_locaux: np.ndarray,
    grid_nodes: list[np.ndarray],
    s: SynthSettings,
    rng: np.random.Generator,
) -> Hamlets:
    """Hamlets spread over each commune outside its bourg, with skewed sizes.

    A commune's dispersed locaux are shared among about ``locaux / s.hamlet_mean_locaux``
    hamlets (1 + multinomial with Dirichlet weights: many tiny, a few large), placed at random
    in the commune at least 250 m beyond the bourg (or just around it when there is no room).
    """
    ham_x: list[np.ndarray] = []
    ham_y: list[np.ndarray] = []
    ham_com: list[np.ndarray] = []
    ham_size: list[np.ndarray] = []
    bourg_radius = np.array(
        [np.sqrt(((g - g.mean(0)) ** 2).sum(1).max()) if len(g) else 0 for g in grid_nodes]
    )
    for i in range(len(polys)):
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
    return Hamlets(
        x=np.concatenate(ham_x) if ham_x else np.empty(0),
        y=np.concatenate(ham_y) if ham_y else np.empty(0),
        commune=np.concatenate(ham_com).astype(np.int64) if ham_com else np.empty(0, np.int64),
        size=np.concatenate(ham_size).astype(np.int64) if ham_size else np.empty(0, np.int64),
    )


def spurs(ham: Hamlets, s: SynthSettings, rng: np.random.Generator, roads: Roads) -> PremiseRows:
    """Spur streets of the hamlets (one for 6 houses or fewer, else two) and their houses.

    The spurs are added to ``roads`` (``residential``); the houses stand along them on
    alternating sides, farms further from the road (exponential setback). Returns their rows.
    """
    hx, hy, hcom, hsize = ham.x, ham.y, ham.commune, ham.size
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
    return {
        "x": px,
        "y": py,
        "ax": hx[spur_ham[sp]],
        "ay": hy[spur_ham[sp]],
        "locaux": np.ones(len(px), np.int64),
        "commune": hcom[h_of_house],
        "bourg": np.zeros(len(px), bool),
        "settlement": h_of_house,
    }
