"""The copper plant: every premise's line NRA → SR → premise along the roads, and its DSL rate.

NRA (central offices) and SR (sub-distributors) are sites (the synthetic plant of
:mod:`bthd.synth`, or a user's file read with :func:`read_copper_sites`). Each premise is
served by its nearest NRA along the roads; within an NRA's zone a premise is in *distribution
directe* when it is within ``direct_radius_m`` of the NRA, else it hangs on the nearest SR of
that NRA. Road distances become copper lengths with a detour factor
(:attr:`bthd.settings.DslSettings.detour_factor`); attenuation (300 kHz),
downstream rate, rate class and TV eligibility follow :mod:`bthd.dsl`.

Shortest paths run per NRA zone on small subgraphs (compiled Dijkstra), so the region's million
lines take seconds.

:func:`line_arrays` gives the lines as arrays with their locaux, the form the montée-en-débit
planner (:mod:`bthd.med`) and its costs (:mod:`bthd.costs.med`) compute on.

Not for: choosing montée-en-débit operations (see :mod:`bthd.med`) or eligibility by year
(see :mod:`bthd.eligibility`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csgraph

from bthd import dsl
from bthd._errors import InputError, ParameterError, Problem, ValidationError
from bthd.network.graph import undirected_csr
from bthd.network.roads import TrenchNetwork
from bthd.settings.copper import COPPER, CopperSettings

log = logging.getLogger(__name__)

COPPER_SITE_TYPES = ("NRA", "SR", "NRAMED", "NRAZO")


@dataclass
class CopperLines:
    """Every premise's copper line and its DSL figures (index-aligned with the premises).

    Attributes
    ----------
    lines
        ``nra_id``, ``sr_id`` (None in distribution directe), ``nra_sr_m``, ``sr_premise_m``
        (copper lengths, m), ``length_m``, ``atten_db``, ``rate_mbps``, ``rate_class``,
        ``tv`` (none/SD/HD), ``nra_tv`` and ``issue`` (why a premise has no line).
    sites
        The NRA and SR sites used, with ``node`` (road node), ``lines`` and ``flag``.
    """

    lines: pd.DataFrame
    sites: gpd.GeoDataFrame


def read_copper_sites(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read a real NRA/SR file (CSV with coordinates or any vector format).

    The file needs ``site_id``, ``site_type`` (NRA, SR, NRAMED, NRAZO) and a point position;
    ``nra_id`` (the NRA an SR hangs on) and ``tv`` (NRA equipped for TV) are optional. Every
    problem (unknown type codes, missing columns, duplicated ids...) is listed at once.
    """
    from bthd.io import read

    sites = read(path, kind="sites")
    bad = ~sites["site_type"].isin(COPPER_SITE_TYPES)
    if bad.any():
        raise ValidationError(
            str(path),
            [
                Problem(
                    "site types that are not copper sites: "
                    + ", ".join(sorted(set(sites.loc[bad, "site_type"]))),
                    tuple(f"site_id={s}" for s in sites.loc[bad, "site_id"]),
                    f"a copper plant file holds {', '.join(COPPER_SITE_TYPES)}",
                )
            ],
            "sites",
        )
    return sites


def copper_lines(
    net: TrenchNetwork,
    snapped: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    *,
    settings: CopperSettings = COPPER,
    dsl_settings: dsl.DslSettings = dsl.DSL,
) -> CopperLines:
    """Copper lines of premises and their rates.

    Parameters
    ----------
    net
        The road network.
    snapped
        :func:`bthd.network.roads.snap_premises` of the premises (``node``, ``offset_m``...).
    sites
        NRA and SR sites (``site_id``, ``site_type``, optional ``tv``); other types are ignored.
    settings, dsl_settings
        Copper model and DSL physics parameters (the detour factor, copper length / road
        distance, is ``dsl_settings.detour_factor``).

    Returns
    -------
    CopperLines
        Index-aligned with ``snapped``. Premises without a line (no road, no NRA reachable:
        islands without an NRA, new builds) have an ``issue`` and rate class ``inéligible``.
    """
    cs = sites[sites["site_type"].isin(("NRA", "SR"))].reset_index(drop=True)
    nra = cs[cs["site_type"] == "NRA"].reset_index(drop=True)
    sr = cs[cs["site_type"] == "SR"].reset_index(drop=True)
    if len(nra) == 0:
        raise ValidationError(
            "copper sites", [Problem("no NRA site", fix="give the NRA sites")], "sites"
        )
    tree = shapely.STRtree(shapely.points(net.x, net.y))
    site_pts = cs.geometry.to_numpy()
    (_, node_of_site), d_site = tree.query_nearest(
        site_pts, return_distance=True, all_matches=False
    )
    far = d_site > settings.max_site_snap_m
    if far.any():
        raise ValidationError(
            "copper sites",
            [
                Problem(
                    f"copper sites farther than {settings.max_site_snap_m:g} m from every road",
                    tuple(f"site_id={s}" for s in cs.loc[far, "site_id"]),
                    "check their coordinates and CRS",
                )
            ],
            "sites",
        )
    node_of = dict(zip(cs["site_id"], node_of_site, strict=True))
    nra_nodes = np.array([node_of[s] for s in nra["site_id"]], np.int64)
    A = net.csr("length")
    # 1. nearest NRA along the roads
    dist_nra, _, src = csgraph.dijkstra(
        A, directed=False, indices=nra_nodes, min_only=True, return_predecessors=True
    )
    nra_of_node = pd.Series(np.arange(len(nra)), index=nra_nodes).groupby(level=0).first()
    zone = np.where(src >= 0, nra_of_node.reindex(src).fillna(-1).to_numpy(np.int64), -1)
    node = snapped["node"].to_numpy()
    ok = node >= 0
    n = len(snapped)
    p_nra = np.full(n, -1, np.int64)
    p_nra[ok] = zone[node[ok]]
    # 2. within each NRA zone: direct, or nearest SR of that NRA
    sr_nodes = np.array([node_of[s] for s in sr["site_id"]], np.int64)
    # an SR hangs on the NRA whose road zone it lies in (a file's nra_id is kept as given)
    sr_nra = zone[sr_nodes]
    p_sr = np.full(n, -1, np.int64)
    d_sr_prem = np.full(n, np.nan)
    d_nra_sr = np.full(len(sr), np.nan)
    eu, ev = net.u, net.v
    same = zone[eu] == zone[ev]
    e_zone = np.where(same, zone[eu], -1)
    e_order = np.argsort(e_zone, kind="stable")
    e_sorted = e_zone[e_order]
    p_order = np.argsort(np.where(ok, p_nra, -1), kind="stable")
    p_sorted = np.where(ok, p_nra, -1)[p_order]
    for k in range(len(nra)):
        srs = np.flatnonzero(sr_nra == k)
        if len(srs) == 0:
            continue
        lo, hi = np.searchsorted(e_sorted, [k, k + 1])
        edges = e_order[lo:hi]
        plo, phi = np.searchsorted(p_sorted, [k, k + 1])
        prem = p_order[plo:phi]
        sub_nodes, inv = np.unique(
            np.r_[eu[edges], ev[edges], nra_nodes[k], sr_nodes[srs], node[prem]],
            return_inverse=True,
        )
        m = len(edges)
        g = undirected_csr(
            len(sub_nodes), inv[:m], inv[m : 2 * m], net.length[edges] + 1e-6, min_weight=None
        ).matrix
        l_nra = inv[2 * m]
        l_sr = inv[2 * m + 1 : 2 * m + 1 + len(srs)]
        l_prem = inv[2 * m + 1 + len(srs) :]
        d_from_nra = csgraph.dijkstra(g, directed=False, indices=l_nra)
        d_nra_sr[srs] = d_from_nra[l_sr]
        d_s, _, s_src = csgraph.dijkstra(
            g, directed=False, indices=l_sr, min_only=True, return_predecessors=True
        )
        far_from_nra = d_from_nra[l_prem] > settings.direct_radius_m
        via = far_from_nra & np.isfinite(d_s[l_prem])
        local_to_sr = pd.Series(srs, index=l_sr).groupby(level=0).first()
        p_sr[prem[via]] = local_to_sr.reindex(s_src[l_prem[via]]).to_numpy(np.int64)
        d_sr_prem[prem[via]] = d_s[l_prem[via]]
    # 3. lengths, attenuation, rate
    offset = snapped["offset_m"].to_numpy()
    reach = ok & (p_nra >= 0) & np.isfinite(dist_nra[np.maximum(node, 0)])
    has_sr = reach & (p_sr >= 0)
    road_direct = np.where(reach, dist_nra[np.maximum(node, 0)], np.nan)
    f = dsl_settings.detour_factor
    nra_sr_m = np.where(has_sr, d_nra_sr[np.maximum(p_sr, 0)] * f, 0.0)
    sr_prem_m = np.where(has_sr, d_sr_prem * f + offset, road_direct * f + offset)
    sr_prem_m = np.where(reach, sr_prem_m, 0.0)
    att = dsl.med_attenuation_db(
        nra_sr_m,
        sr_prem_m,
        has_sr=has_sr,
        med=False,
        nra_sr_gauge=settings.nra_sr_gauge_mm,
        sr_premise_gauge=settings.sr_premise_gauge_mm,
        settings=dsl_settings,
    )["before_db"].to_numpy()
    length = nra_sr_m + sr_prem_m
    rate = dsl.downstream_rate_mbps(att, length_m=length, settings=dsl_settings)
    rate = np.where(reach, rate, 0.0)
    nra_tv = (
        nra["tv"].fillna(False).astype(bool).to_numpy()
        if "tv" in nra.columns
        else np.zeros(len(nra), bool)
    )
    p_tv = np.where(reach, nra_tv[np.maximum(p_nra, 0)], False)
    issue = np.where(
        ~ok,
        snapped["reason"].to_numpy(),
        np.where(~reach, "no NRA reachable by road (island or new build)", ""),
    )
    lines = pd.DataFrame(
        {
            "nra_id": np.where(reach, nra["site_id"].to_numpy()[np.maximum(p_nra, 0)], None),
            "sr_id": np.where(
                has_sr, sr["site_id"].to_numpy()[np.maximum(p_sr, 0)] if len(sr) else None, None
            ),
            "nra_sr_m": np.round(np.where(reach, nra_sr_m, np.nan), 1),
            "sr_premise_m": np.round(np.where(reach, sr_prem_m, np.nan), 1),
            "length_m": np.round(np.where(reach, length, np.nan), 1),
            "atten_db": np.round(np.where(reach, att, np.nan), 2),
            "rate_mbps": np.round(rate, 3),
            "rate_class": np.asarray(dsl.rate_class(rate)),
            "tv": np.asarray(dsl.tv_eligibility(rate, nra_tv=p_tv)),
            "nra_tv": p_tv,
            "issue": issue,
        },
        index=snapped.index,
    )
    lines["rate_class"] = lines["rate_class"].astype(dsl.RATE_CLASS_DTYPE)
    lines["tv"] = lines["tv"].astype(dsl.TV_LEVEL_DTYPE)
    used = cs.copy()
    if "nra_id" in used.columns:
        used = used.rename(columns={"nra_id": "nra_id_given"})
    sr_nra_id = dict(
        zip(
            sr["site_id"],
            np.where(sr_nra >= 0, nra["site_id"].to_numpy()[np.maximum(sr_nra, 0)], None),
            strict=True,
        )
    )
    used["nra_id"] = used["site_id"].map(sr_nra_id)
    used["node"] = node_of_site
    counts = pd.concat([lines["nra_id"].value_counts(), lines["sr_id"].value_counts()])
    used["lines"] = used["site_id"].map(counts).fillna(0).astype(np.int64)
    sr_len = pd.Series(d_nra_sr * f, index=sr["site_id"]) if len(sr) else pd.Series(dtype=float)
    used["nra_sr_m"] = used["site_id"].map(sr_len).round(1)
    used["flag"] = np.where(used["lines"] == 0, "serves no premise", "")
    log.info(
        "copper: %d lines, %d via an SR, %d without a line",
        int(reach.sum()),
        int(has_sr.sum()),
        int((~reach).sum()),
    )
    return CopperLines(lines, used)


# --------------------------------------------------------------------------------------------
# The lines as arrays (for the montée-en-débit planner)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineArrays:
    """The copper lines as arrays, with their locaux."""

    index: pd.Index
    sr_id: np.ndarray  # object, None without an SR
    nra_id: np.ndarray
    has_sr: np.ndarray
    nra_sr_m: np.ndarray
    sr_premise_m: np.ndarray
    length_m: np.ndarray
    atten_db: np.ndarray
    rate: np.ndarray
    tv: np.ndarray  # TV codes 0 none, 1 SD, 2 HD
    nra_tv: np.ndarray
    locaux: np.ndarray


def line_arrays(cl: CopperLines, locaux: pd.Series | None) -> LineArrays:
    """The copper lines ``cl`` as arrays, weighted by ``locaux`` (default 1 per premise).

    A line has an SR (``has_sr``) when it reaches its NRA (no ``issue``) through an SR; its
    NRA→SR length is 0 otherwise.

    Raises
    ------
    bthd.InputError
        ``cl.lines`` lacks columns of :func:`copper_lines`.
    bthd.ParameterError
        ``locaux`` is not a Series of finite counts ≥ 0 index-aligned with the lines.
    """
    L = cl.lines
    need = {
        "nra_id",
        "sr_id",
        "nra_sr_m",
        "sr_premise_m",
        "length_m",
        "atten_db",
        "rate_mbps",
        "tv",
        "nra_tv",
        "issue",
    }
    missing = sorted(need - set(L.columns))
    if missing:
        raise InputError(
            f"copper lines: missing columns {missing}; pass the result of "
            "bthd.network.copper.copper_lines"
        )
    if locaux is None:
        w = np.ones(len(L))
    else:
        if not isinstance(locaux, pd.Series) or not locaux.index.equals(L.index):
            raise ParameterError(
                "locaux: give a Series index-aligned with the premises of the copper lines "
                "(premises['logements'] + premises['locaux_pro'])"
            )
        w = locaux.to_numpy(dtype=float, na_value=np.nan)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ParameterError("locaux: give finite counts ≥ 0 for every premise")
    reach = L["issue"].fillna("").to_numpy(str) == ""
    sr = L["sr_id"].to_numpy(object).copy()
    has_sr = reach & pd.notna(sr)
    sr[~has_sr] = None
    tv = L["tv"].astype(dsl.TV_LEVEL_DTYPE).cat.codes.to_numpy()
    return LineArrays(
        index=L.index,
        sr_id=sr,
        nra_id=L["nra_id"].to_numpy(object),
        has_sr=has_sr,
        nra_sr_m=np.where(has_sr, L["nra_sr_m"].to_numpy(float), 0.0),
        sr_premise_m=np.where(reach, L["sr_premise_m"].to_numpy(float), 0.0),
        length_m=L["length_m"].to_numpy(float),
        atten_db=L["atten_db"].to_numpy(float),
        rate=L["rate_mbps"].to_numpy(float),
        tv=tv.astype(np.int8),
        nra_tv=L["nra_tv"].fillna(False).to_numpy(bool),
        locaux=w,
    )
