"""Assembly of the synthetic premises: inside their commune, one per position, businesses."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from bthd.network.graph import position_key
from bthd.settings import WORK_CRS
from bthd.synth._settlements import PremiseRows

#: Weight of a bourg address against a hamlet one when drawing the businesses of a commune.
BOURG_BUSINESS_WEIGHT = 4.0


def assemble_premises(
    rows: list[PremiseRows],
    polys: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    etab: np.ndarray,
    insee: np.ndarray,
    rng: np.random.Generator,
) -> tuple[gpd.GeoDataFrame, PremiseRows]:
    """The premises layer from the rows of the bourgs and hamlets.

    Every premise is moved back inside its commune (towards its anchor on the road, else to
    the commune's reference point), repeats of one position are spread on a small spiral, the
    rows are ordered by commune (bourg first) and the commune's *établissements* are drawn
    among its single-local addresses (a bourg address four times likelier than a hamlet one).

    Returns
    -------
    (premises, P)
        The layer and its columns as arrays in the layer's order (``commune``, ``bourg``,
        ``settlement``, ``locaux``... for the copper plant).
    """
    n_com = len(polys)
    P = {k: np.concatenate([r[k] for r in rows]) for k in rows[-1]}
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
    key = position_key(P["x"], P["y"])
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
        w = np.where(P["bourg"][idx], BOURG_BUSINESS_WEIGHT, 1.0)
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
    return premises, P
