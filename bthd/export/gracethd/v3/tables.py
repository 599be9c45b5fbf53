"""Addresses, client sites and locals, zones, organisations and references of a v3 delivery.

* ``t_adresse``: one address per premise; number, street and postcode from
  :func:`bthd.export.gracethd.addresses.postal_addresses` (BAN fields kept; a synthetic premise
  is on the street ``VOIE SYNTHETIQUE <settlement>``, which says it); ``ad_nblres``/``ad_nblpro``
  its dwellings and business premises, ``ad_nblent``/``ad_nblpub`` 0 (the design counts no
  others), ``ad_nbfotth`` their sum (one fibre per local); ``ad_distinf`` the drop length.
* client sites and locals: one CLIENT site per address, on its own node at the premise
  (``st_nd_code`` is mandatory and unique), holding one local per dwelling (RES) and business
  premise (PRO), each served by the PBO box of its premise (``lc_bp_codf``).
* RESEAU sites get the address of the nearest premise (street, number, postcode, commune).
* ``t_znro``, ``t_zsro`` from the design's zones; ``t_zdep`` from the plan, when the run has one:
  one deployment zone per PM zone planned, ``zd_r2_code`` the plan's deployment zone
  (ZDEP-...), ``zd_r3_code`` its phase, ``zd_r4_code`` the tranche and year as
  ``<tranche>/<year>`` (just ``<year>`` without a tranche).
* ``t_organisme``: the syndicat and the owner of the reused civil works; ``t_reference``: the
  cables, boxes, racks and trench section used.

Not for: the network itself (:mod:`bthd.export.gracethd.v3.network`).
"""

from __future__ import annotations

import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd.export.gracethd.network import CIVIL_WORKS_OWNER, NETWORK_CODE, OWNER
from bthd.export.gracethd.tables import _multi
from bthd.export.gracethd.v3.network import (
    NEW_DUCTS,
    RACK_UNITS,
    TRENCH_REFERENCE,
    Network3,
)
from bthd.export.gracethd.v3.schema import STATUT


def organismes() -> pd.DataFrame:
    """The organisations a delivery names (``t_organisme``)."""
    return pd.DataFrame(
        {"or_code": [OWNER, CIVIL_WORKS_OWNER], "or_nom": ["MEGALIS BRETAGNE", "ORANGE"]}
    )


def references(net: Network3) -> pd.DataFrame:
    """One reference per cable size, box type, rack and trench section (``t_reference``)."""
    rows = [
        {"rf_code": c, "rf_type": "CA", "rf_design": f"CABLE OPTIQUE {int(s)} FO"}
        for c, s in sorted(set(zip(net.cable["cb_rf_code"], net.cable["cb_capafo"], strict=True)))
    ]
    rows += [
        {"rf_code": c, "rf_type": "BP", "rf_design": f"BOITIER {k[1:].lstrip('0')} FO"}
        for c, k in sorted(set(zip(net.ebp["bp_rf_code"], net.ebp["bp_typephy"], strict=True)))
    ]
    rows.append(
        {
            "rf_code": f"RF-BA-{RACK_UNITS}U",
            "rf_type": "BA",
            "rf_design": f"BAIE 19 POUCES {RACK_UNITS}U",
        }
    )
    if len(net.tranchee):
        rows.append(
            {"rf_code": TRENCH_REFERENCE, "rf_type": "CT", "rf_design": f"TRANCHEE {NEW_DUCTS}"}
        )
    return pd.DataFrame(rows)


def _names(communes: gpd.GeoDataFrame | None) -> dict[str, str]:
    if communes is None:
        return {}
    return dict(zip(communes["insee_code"].astype(str), communes["name"].astype(str), strict=True))


def _sorted(premises: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return premises.sort_values("premise_id", kind="mergesort").reset_index(drop=True)


def _ordered(post: pd.DataFrame, premises: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``post`` (indexed like ``premises``) in the order of :func:`_sorted`."""
    order = premises.sort_values("premise_id", kind="mergesort").index
    return post.loc[order].reset_index(drop=True)


def adresses(
    premises: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    net: Network3,
    post: pd.DataFrame,
    *,
    date: datetime.date,
) -> gpd.GeoDataFrame:
    """One address per premise (``t_adresse``), modified on ``date``.

    ``post`` is :func:`~bthd.export.gracethd.addresses.postal_addresses` of the premises.
    """
    p = _sorted(premises)
    post = _ordered(post, premises)
    insee = p["insee_code"].astype(str)
    names = _names(communes)
    commune = insee.map(names).fillna(insee)
    res = p["logements"].astype(int).to_numpy()
    pro = p["locaux_pro"].astype(int).to_numpy()
    long_drop = (
        p["raccordement_long"].fillna(False).astype(bool).to_numpy()
        if "raccordement_long" in p
        else np.zeros(len(p), dtype=bool)
    )
    poles = set(net.ptech.loc[net.ptech["pt_typephy"] == "A", "pt_nd_code"])
    pbo_node = p["pbo_id"].map(net.site_node)
    racc = np.where(pbo_node.isin(poles).to_numpy(), "0", "7")
    flag = np.where(long_drop, "1", "0")
    return gpd.GeoDataFrame(
        {
            "ad_code": "AD-" + p["premise_id"].astype(str),
            "ad_codtemp": "bthd-" + p["premise_id"].astype(str),
            "ad_commune": commune.to_numpy(),
            "ad_insee": insee.to_numpy(),
            "ad_datmodi": np.full(len(p), date, dtype=object),
            "ad_distinf": p["drop_m"].round(2).to_numpy() if "drop_m" in p else np.nan,
            "ad_ietat": "CI",
            "ad_imneuf": "0",
            "ad_isole": flag,
            "ad_raclong": flag,
            "ad_prio": "0",
            "ad_racc": racc,
            "ad_nbfotth": res + pro,
            "ad_nblres": res,
            "ad_nblpro": pro,
            "ad_nblent": 0,
            "ad_nblpub": 0,
            "ad_nomvoie": post["nom_voie"].to_numpy(),
            "ad_numero": pd.to_numeric(post["numero"], errors="coerce").to_numpy(),
            "ad_rep": post["rep"].to_numpy(),
            "ad_postal": post["code_postal"].to_numpy(),
        },
        geometry=p.geometry.to_numpy(),
        crs=premises.crs,
    )


def clients(premises: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """CLIENT sites (one per address), their nodes, and their locals (one per local).

    Returns
    -------
    tuple
        ``t_site`` rows, ``t_local`` rows and ``t_noeud`` rows of the client sites.
    """
    p = _sorted(premises)
    pid = p["premise_id"].astype(str)
    sites = pd.DataFrame(
        {
            "st_code": "ST-" + pid,
            "st_nd_code": "ND-" + pid,
            "st_ad_code": "AD-" + pid,
            "st_typelog": "CLIENT",
            "st_typephy": "BAT",
            "st_nra": "0",
            "st_abandon": "0",
        }
    )
    nodes = gpd.GeoDataFrame(
        {"nd_code": "ND-" + pid}, geometry=p.geometry.to_numpy(), crs=premises.crs
    )
    res = p["logements"].astype(int).to_numpy()
    reps = res + p["locaux_pro"].astype(int).to_numpy()
    total = int(reps.sum())
    first = np.repeat(np.cumsum(reps) - reps, reps)
    rank = np.arange(total) - first + 1
    owner = np.repeat(pid.to_numpy(dtype=object), reps)
    pbo = np.repeat(p["pbo_id"].to_numpy(dtype=object), reps)
    rank_s = pd.Series(rank).astype(str).str.zfill(3)
    owner_s = pd.Series(owner, dtype=object)
    pbo_s = pd.Series(pbo, dtype=object)
    locaux = pd.DataFrame(
        {
            "lc_code": "LC-" + owner_s + "-" + rank_s,
            "lc_st_code": "ST-" + owner_s,
            "lc_typelog": np.where(rank <= np.repeat(res, reps), "RES", "PRO"),
            "lc_bp_codf": ("BP-" + pbo_s).where(pbo_s.notna(), None),
            "lc_abandon": "0",
        }
    )
    return sites, locaux, nodes


def reseau_addresses(
    net: Network3,
    premises: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    post: pd.DataFrame,
) -> pd.DataFrame:
    """The RESEAU sites with the address of the premise nearest to each (``post``: the
    premises' :func:`~bthd.export.gracethd.addresses.postal_addresses`)."""
    st = net.sites
    if st.empty or premises.empty:
        return st
    node_geom = dict(zip(net.noeud["nd_code"], net.noeud.geometry, strict=True))
    pts = np.array([node_geom[n] for n in st["st_nd_code"]], dtype=object)
    p = _sorted(premises)
    tree = shapely.STRtree(p.geometry.to_numpy())
    idx = tree.query_nearest(pts, return_distance=False, all_matches=False)
    near = np.full(len(st), -1)
    near[idx[0]] = idx[1]
    post = _ordered(post, premises).iloc[near].reset_index(drop=True)
    insee = p["insee_code"].astype(str).iloc[near].reset_index(drop=True)
    return st.assign(
        st_insee=insee.to_numpy(),
        st_commune=insee.map(_names(communes)).fillna(insee).to_numpy(),
        st_nomvoie=post["nom_voie"].to_numpy(),
        st_numero=pd.to_numeric(post["numero"], errors="coerce").to_numpy(),
        st_rep=post["rep"].to_numpy(),
        st_postal=post["code_postal"].to_numpy(),
    )


def zone_tables(
    zones: gpd.GeoDataFrame,
    net: Network3,
    premises: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``t_znro`` and ``t_zsro``: the zones whose NRO or PM has a local in the delivery."""
    z = zones.sort_values("zone_id").reset_index(drop=True)
    local = set(net.locaux["lc_codeext"])
    node = net.site_node
    info = sites.set_index("site_id")
    name = info["name"] if "name" in info else pd.Series(dtype=object)
    cap = info["capacity"]
    zn = z[(z["zone_kind"] == "ZNRO") & z["zone_id"].isin(local)]
    znro = gpd.GeoDataFrame(
        {
            "zn_code": "ZN-" + zn["zone_id"],
            "zn_nd_code": zn["zone_id"].map(node).to_numpy(),
            "zn_lc_code": "LC-" + zn["zone_id"],
            "zn_r1_code": NETWORK_CODE,
            "zn_r2_code": zn["zone_id"].to_numpy(),
            "zn_nroref": zn["zone_id"].to_numpy(),
            "zn_nom": zn["zone_id"].map(name).fillna(zn["zone_id"]).to_numpy(),
            "zn_etat": "PL",
        },
        geometry=_multi(zn.geometry),
        crs=zones.crs,
    )
    zs = z[(z["zone_kind"] == "ZPM") & z["zone_id"].isin(local)]
    p = premises
    locaux = (p["logements"].astype(int) + p["locaux_pro"].astype(int)).groupby(p["pm_id"]).sum()
    depth = pd.Series(
        {
            sid: net.depth.get((str(par), n), np.nan)
            for sid, n, par in zip(
                sites["site_id"], sites["site_id"].map(node), sites["parent_id"], strict=True
            )
            if isinstance(n, str)
        },
        dtype=float,
    )
    drop = p["drop_m"].fillna(0.0) if "drop_m" in p else pd.Series(0.0, index=p.index)
    line = p["pbo_id"].map(depth) + drop
    longest = line.groupby(p["pm_id"]).max()
    long_drops = (
        p["raccordement_long"].fillna(False).astype(bool).groupby(p["pm_id"]).sum()
        if "raccordement_long" in p
        else pd.Series(dtype=int)
    )
    ids = zs["zone_id"]
    parents = zs["parent_id"].where(zs["parent_id"].isin(set(zn["zone_id"])), None)
    zsro = gpd.GeoDataFrame(
        {
            "zs_code": "ZS-" + ids,
            "zs_zn_code": ("ZN-" + parents).where(parents.notna(), None).to_numpy(),
            "zs_lc_code": "LC-" + ids,
            "zs_r1_code": NETWORK_CODE,
            "zs_r2_code": zs["parent_id"].to_numpy(),
            "zs_r3_code": ids.to_numpy(),
            "zs_refpm": ids.to_numpy(),
            "zs_nom": ids.map(name).fillna(ids).to_numpy(),
            "zs_etatpm": "PL",
            "zs_actif": "0",
            "zs_capamax": ids.map(cap).fillna(0).astype(int).to_numpy(),
            "zs_nblogmt": ids.map(locaux).fillna(0).astype(int).to_numpy(),
            "zs_lgmaxln": ids.map(longest).round(0).fillna(0).to_numpy(),
            "zs_znllong": ids.map(long_drops).fillna(0).astype(int).to_numpy(),
        },
        geometry=_multi(zs.geometry),
        crs=zones.crs,
    )
    return znro, zsro


def zdep(schedule: pd.DataFrame, zsro: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One deployment zone per PM zone of the plan (``t_zdep``).

    ``zd_nd_code`` (not required in C2, unique in the suite) is left empty: two PMs may share a
    node, and ``zd_zs_code`` names the PM zone.
    """
    s = schedule.copy()
    s["pm_id"] = s["pm_id"].astype(str)
    zs = zsro.assign(pm_id=zsro["zs_refpm"].astype(str)).merge(s, on="pm_id", how="inner")
    zs = zs.sort_values("pm_id").reset_index(drop=True)
    year = zs["year"].astype("Int64").astype(str)
    tranche = zs["tranche"].astype(object).where(zs["tranche"].notna(), "")
    tranche = tranche.astype(str).str.strip()
    r4 = np.where(tranche != "", tranche + "/" + year, year)
    return gpd.GeoDataFrame(
        {
            "zd_code": "ZD-" + zs["pm_id"],
            "zd_zs_code": zs["zs_code"].to_numpy(),
            "zd_r1_code": NETWORK_CODE,
            "zd_r2_code": zs["zdep_id"].astype(str).to_numpy(),
            "zd_r3_code": zs["phase"].astype(str).to_numpy(),
            "zd_r4_code": r4,
            "zd_statut": STATUT,
        },
        geometry=zs.geometry.to_numpy(),
        crs=zsro.crs,
    )
