"""The synthetic copper plant: NRAs in large or remote communes, SRs grouping the hamlets."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from bthd.settings import WORK_CRS, SynthSettings
from bthd.synth._settlements import Hamlets, PremiseRows

#: An NRA serving at least this many lines carries TV (the smallest did not in the 2010s).
NRA_TV_MIN_LINES = 1500


def copper_plant(
    com: gpd.GeoDataFrame,
    bourg_xy: np.ndarray,
    P: PremiseRows,
    ham: Hamlets,
    s: SynthSettings,
    rng: np.random.Generator,
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """NRA in large or remote communes, communes attached to the nearest NRA, SRs for hamlets.

    Parameters
    ----------
    com
        The communes generated (``insee_code``, ``locaux``, ``name``), by position.
    bourg_xy
        Each commune's bourg node (m).
    P
        The premises' columns in the layer's order (:func:`assemble_premises`).
    ham
        The hamlets.
    s, rng
        Settings and the generator's random state.

    Returns
    -------
    (sites, nra_of, sr_of)
        NRA and SR sites, and the NRA and SR of each premise.
    """
    hx, hy, hcom = ham.x, ham.y, ham.commune
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
            "tv": [bool(nra_lines.get(n, 0) >= NRA_TV_MIN_LINES) for n in nra_ids]
            + [False] * len(sr_rows),
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
