"""Read a GraceTHD v2.0.1 delivery back into bthd's layers (premises, sites, links, zones).

So that a delivery (ours, or a contractor's as-built one) can be compared with a design:

* ``premises`` from ``t_adresse`` (``premise_id`` is ``ad_code`` without bthd's ``AD-``
  prefix; ``logements``/``locaux_pro`` from ``ad_nblhab``/``ad_nblpro``; ``synthetic`` when
  ``ad_comment`` says SYNTHETIQUE), with ``pbo_id`` from the PBO zone of their ``t_suf``;
* ``sites``: an NRO per ``t_znro`` (``zn_nroref``), a PM per ``t_zsro`` (``zs_refpm``), at
  their zone's node; a PBO per ``t_ebp`` of type PBO (``bp_etiquet``) at the node of its point
  or room, in the PM zone that holds it;
* ``links``: a link per cable (``t_cable`` with its ``t_cableline``): type, fibres used and
  size, length, and the sites at its two end nodes;
* ``zones``: ZNRO, ZPM and ZPBO with their parents.

Every layer is validated against :mod:`bthd.schema`. The delivery is read with the checker's
reader; run :func:`bthd.export.gracethd.check.check_delivery` first to know it is sound.

Not for: checking a delivery (:mod:`bthd.export.gracethd.check`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError
from bthd.export.gracethd.check import read_tables
from bthd.schema import validate


def _strip(codes: pd.Series, prefix: str) -> pd.Series:
    return codes.astype(str).str.replace(f"^{prefix}", "", regex=True)


def _int(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", np.nan), errors="coerce").fillna(0).astype(int)


def _ref(s: pd.Series, fallback: pd.Series, prefix: str) -> pd.Series:
    """The reference when given, else the code without bthd's prefix."""
    out = s.where(s.astype(str).str.strip() != "", _strip(fallback, prefix))
    return out.astype(str)


def read_delivery(folder: str | Path) -> dict[str, gpd.GeoDataFrame]:
    """Read a GraceTHD v2.0.1 delivery as bthd layers.

    Parameters
    ----------
    folder
        The delivery folder (or an export folder holding it in ``gracethd/``).

    Returns
    -------
    dict
        ``premises``, ``sites``, ``links`` and ``zones``, validated, in EPSG:2154.

    Raises
    ------
    bthd.InputError
        If a table the layers need is missing (each is named).
    bthd.ValidationError
        If a layer built from the delivery breaks bthd's schema.
    """
    tables, path = read_tables(Path(folder))
    need = ("t_adresse", "t_noeud", "t_znro", "t_zsro", "t_zpbo", "t_ebp", "t_cable")
    missing = [t for t in (*need, "t_cableline") if t not in tables]
    if missing:
        raise InputError(
            f"{path}: tables {', '.join(missing)} missing; a delivery needs them to be read as "
            "premises, sites, links and zones. Run `check_delivery` to see every problem."
        )
    node_xy = dict(zip(tables["t_noeud"]["nd_code"], tables["t_noeud"].geometry, strict=True))

    zn, zs, zp = tables["t_znro"], tables["t_zsro"], tables["t_zpbo"]
    nro_id = _ref(zn["zn_nroref"], zn["zn_code"], "ZN-")
    pm_id = _ref(zs["zs_refpm"], zs["zs_code"], "ZS-")
    nro_of_zone = dict(zip(zn["zn_code"], nro_id, strict=True))
    pm_of_zone = dict(zip(zs["zs_code"], pm_id, strict=True))
    pbo_zone_id = _strip(zp["zp_code"], "ZP-")
    zones = gpd.GeoDataFrame(
        {
            "zone_id": [*nro_id, *pm_id, *pbo_zone_id],
            "zone_kind": ["ZNRO"] * len(zn) + ["ZPM"] * len(zs) + ["ZPBO"] * len(zp),
            "parent_id": [
                *([None] * len(zn)),
                *(nro_of_zone.get(c) for c in zs["zs_zn_code"]),
                *(pm_of_zone.get(c) for c in zp["zp_zs_code"]),
            ],
        },
        geometry=[*zn.geometry, *zs.geometry, *zp.geometry],
        crs="EPSG:2154",
    )

    ebp = tables["t_ebp"]
    ebp = ebp[ebp["bp_typelog"] == "PBO"]
    pt = tables.get("t_ptech")
    lt, st = tables.get("t_ltech"), tables.get("t_sitetech")
    pt_node = dict(zip(pt["pt_code"], pt["pt_nd_code"], strict=True)) if pt is not None else {}
    st_node = dict(zip(st["st_code"], st["st_nd_code"], strict=True)) if st is not None else {}
    lt_node = (
        {c: st_node.get(s) for c, s in zip(lt["lt_code"], lt["lt_st_code"], strict=True)}
        if lt is not None
        else {}
    )
    pbo_node = [
        pt_node.get(a) if a else lt_node.get(b)
        for a, b in zip(ebp["bp_pt_code"], ebp["bp_lt_code"], strict=True)
    ]
    lost = [c for c, n in zip(ebp["bp_code"], pbo_node, strict=True) if n not in node_xy]
    if lost:
        raise InputError(
            f"{path}: {len(lost)} PBO boxes whose point or room has no node "
            f"({', '.join(lost[:10])}); fix bp_pt_code/bp_lt_code."
        )
    pbo_geom = [node_xy[n] for n in pbo_node]
    pbo_id = _ref(ebp["bp_etiquet"], ebp["bp_code"], "BP-")
    # the PM of a PBO: that of its PBO zone (same code, else same node), else the PM zone
    # holding the box
    zs_of_zp = dict(zip(pbo_zone_id, zp["zp_zs_code"], strict=True))
    zs_at_node: dict[str, str] = {}
    for n, z in zip(zp["zp_nd_code"], zp["zp_zs_code"], strict=True):
        zs_at_node.setdefault(str(n), str(z))
    tree = shapely.STRtree(zs.geometry.to_numpy())
    pbo_pm: list[str | None] = []
    for pid, n, g in zip(pbo_id, pbo_node, pbo_geom, strict=True):
        zcode = zs_of_zp.get(pid) or zs_at_node.get(str(n))
        if zcode in pm_of_zone:
            pbo_pm.append(pm_of_zone[zcode])
            continue
        near = tree.query_nearest(g)
        pbo_pm.append(str(pm_id.iat[int(near[0])]) if len(near) else None)
    caps = pd.to_numeric(ebp["bp_typephy"].str[1:], errors="coerce")
    sites = gpd.GeoDataFrame(
        {
            "site_id": [*nro_id, *pm_id, *pbo_id],
            "site_type": ["NRO"] * len(zn) + ["PM"] * len(zs) + ["PBO"] * len(ebp),
            "capacity": [
                *([None] * len(zn)),  # an NRO's capacity is not in t_znro
                *_int(zs["zs_capamax"]),
                *caps,
            ],
            "parent_id": [
                *([None] * len(zn)),
                *(nro_of_zone.get(c) for c in zs["zs_zn_code"]),
                *pbo_pm,
            ],
            "synthetic": False,
        },
        geometry=[
            *(node_xy.get(n) for n in zn["zn_nd_code"]),
            *(node_xy.get(n) for n in zs["zs_nd_code"]),
            *pbo_geom,
        ],
        crs="EPSG:2154",
    )
    site_at: dict[str, str] = {}
    for n, sid in zip(
        [*zn["zn_nd_code"], *zs["zs_nd_code"], *pbo_node],
        sites["site_id"],
        strict=True,
    ):
        site_at.setdefault(str(n), str(sid))

    cb = tables["t_cable"].set_index("cb_code")
    cl = tables["t_cableline"].drop_duplicates("cl_cb_code")
    c = cb.loc[cl["cl_cb_code"]]
    links = gpd.GeoDataFrame(
        {
            "link_id": cl["cl_cb_code"].to_numpy(),
            "link_type": c["cb_typelog"].replace({"TD": "DI", "CT": "TR"}).to_numpy(),
            "from_site": [site_at.get(n) for n in c["cb_nd1"]],
            "to_site": [site_at.get(n) for n in c["cb_nd2"]],
            "fibres": _int(c["cb_fo_util"]).to_numpy(),
            "cable_size": _int(c["cb_capafo"]).to_numpy(),
            "length_m": cl.geometry.length.round(2).to_numpy(),
            "synthetic": False,
        },
        geometry=cl.geometry.to_numpy(),
        crs="EPSG:2154",
    )

    ad = tables["t_adresse"]
    log, pro = _int(ad["ad_nblhab"]), _int(ad["ad_nblpro"])
    premise_id = _strip(ad["ad_code"], "AD-")
    suf = tables.get("t_suf")
    pbo_of_ad: dict[str, str] = {}
    if suf is not None:
        zp_pbo = dict(zip(zp["zp_code"], pbo_zone_id, strict=True))
        for a, z in zip(suf["sf_ad_code"], suf["sf_zp_code"], strict=True):
            if z in zp_pbo:
                pbo_of_ad.setdefault(a, zp_pbo[z])
    premises = gpd.GeoDataFrame(
        {
            "premise_id": premise_id.to_numpy(),
            "insee_code": ad["ad_insee"].astype(str).to_numpy(),
            "logements": log.to_numpy(),
            "locaux_pro": pro.to_numpy(),
            "kind": np.where(pro == 0, "residential", np.where(log == 0, "business", "mixed")),
            "synthetic": ad["ad_comment"].astype(str).str.contains("SYNTHETIQUE").to_numpy(),
            "pbo_id": [pbo_of_ad.get(a) for a in ad["ad_code"]],
        },
        geometry=ad.geometry.to_numpy(),
        crs="EPSG:2154",
    )
    src = str(path)
    return {
        "premises": validate(premises, "premises", source=f"{src}/t_adresse"),
        "sites": validate(sites, "sites", source=f"{src}/t_znro, t_zsro, t_ebp"),
        "links": validate(links, "links", source=f"{src}/t_cable"),
        "zones": validate(zones, "zones", source=f"{src}/t_znro, t_zsro, t_zpbo"),
    }
