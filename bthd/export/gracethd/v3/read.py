"""Read a GraceTHD v3.0.1 delivery back into bthd's layers (premises, sites, links, zones).

So that a delivery (ours, or a contractor's) can be compared with a design:

* ``premises`` from ``t_adresse`` (``premise_id`` is ``ad_code`` without bthd's ``AD-``;
  ``logements``/``locaux_pro`` from ``ad_nblres``/``ad_nblpro``; ``synthetic`` when the street is
  one bthd generated, ``VOIE SYNTHETIQUE ...``), with ``pbo_id`` the PBO box serving the locals
  of its CLIENT site (``lc_bp_codf``);
* ``sites``: an NRO or PM per NRO or SRO local (``lc_codeext``), at the node of its site; a PBO
  per box of type PBO (``bp_etiquet``) at the node of its technical point (or of its local's
  site, for a PBO in its PM), its PM the ``cb_r3_code``
  of the cable ending in it (else the PM zone holding it);
* ``links``: a link per cable with a geometry (``t_cable`` with its ``t_cableline``): type,
  fibres used and size, length, and the NRO, PM or PBO at its two end nodes;
* ``zones``: ZNRO and ZPM with their parents (GraceTHD v3, as the suite defines it, has no PBO
  zone); ``zdep`` when the delivery has deployment zones: one zone per ``zd_r2_code`` (the PM
  zones it gathers), with its phase, tranche and first year read from ``zd_r3_code`` and
  ``zd_r4_code`` as bthd writes them.

The delivery is read with the checker's reader
(:func:`bthd.export.gracethd.v3.check.read_tables_v3`, values as text); every layer is
validated against :mod:`bthd.schema`.

Not for: checking a delivery (:mod:`bthd.export.gracethd.v3.check`); v2 deliveries
(:mod:`bthd.export.gracethd.read`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError
from bthd.export.gracethd.v3.check import read_tables_v3
from bthd.schema import validate

#: Tables the layers are built from.
NEEDED = ("t_adresse", "t_noeud", "t_site", "t_local", "t_znro", "t_zsro", "t_ebp", "t_ptech")


def _int(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.replace("", np.nan), errors="coerce").fillna(0).astype(int)


def _strip(codes: pd.Series, prefix: str) -> pd.Series:
    return codes.astype(str).str.replace(f"^{prefix}", "", regex=True)


def _or(value: pd.Series, fallback: pd.Series) -> pd.Series:
    return value.where(value.astype(str).str.strip() != "", fallback)


def read_delivery_v3(folder: str | Path) -> dict[str, gpd.GeoDataFrame]:
    """Read a GraceTHD v3.0.1 delivery as bthd layers.

    Parameters
    ----------
    folder
        The delivery folder.

    Returns
    -------
    dict
        ``premises``, ``sites``, ``links`` and ``zones`` (and ``zdep`` when the delivery has
        deployment zones), validated, in EPSG:2154.

    Raises
    ------
    bthd.InputError
        If a table the layers need is missing (every one is named), or a box has no node.
    bthd.ValidationError
        If a layer built from the delivery breaks bthd's schema.
    """
    tables, path = read_tables_v3(folder)
    missing = [t for t in (*NEEDED, "t_cable", "t_cableline") if t not in tables]
    if missing:
        raise InputError(
            f"{path}: tables {', '.join(missing)} missing; a GraceTHD v3 delivery needs them to "
            "be read as premises, sites, links and zones. Check the delivery with "
            "`bthd validate DELIVERY --kind gracethd` to see every problem."
        )
    nd = tables["t_noeud"]
    node_geom = pd.Series(nd.geometry.to_numpy(), index=nd["nd_code"].to_numpy())
    st = tables["t_site"].set_index("st_code")
    lc = tables["t_local"]

    # NRO and PM sites: their locals
    net = lc[lc["lc_typelog"].isin(["NRO", "SRO"])]
    net_id = _or(net["lc_codeext"], _strip(net["lc_code"], "LC-"))
    id_of_lc = dict(zip(net["lc_code"], net_id, strict=True))
    net_node = net["lc_st_code"].map(st["st_nd_code"])
    zn, zs = tables["t_znro"], tables["t_zsro"]
    nro_of_zn = dict(zip(zn["zn_code"], zn["zn_lc_code"].map(id_of_lc), strict=True))
    pm_parent = dict(
        zip(zs["zs_lc_code"].map(id_of_lc), zs["zs_zn_code"].map(nro_of_zn), strict=True)
    )
    pm_cap = dict(zip(zs["zs_lc_code"].map(id_of_lc), _int(zs["zs_capamax"]), strict=True))

    # PBOs: their boxes, at the node of their technical point
    bp = tables["t_ebp"]
    bp = bp[bp["bp_typelog"] == "PBO"]
    pt_node = dict(zip(tables["t_ptech"]["pt_code"], tables["t_ptech"]["pt_nd_code"], strict=True))
    in_local = bp["bp_lc_code"].map(dict(zip(lc["lc_code"], lc["lc_st_code"], strict=True)))
    bp_node = bp["bp_pt_code"].map(pt_node).fillna(in_local.map(st["st_nd_code"]))
    lost = bp.loc[~bp_node.isin(node_geom.index), "bp_code"].tolist()
    if lost:
        raise InputError(
            f"{path}: {len(lost)} PBO boxes whose technical point or local has no node "
            f"({', '.join(lost[:10])}); fix bp_pt_code, bp_lc_code or t_ptech.pt_nd_code."
        )
    pbo_id = _or(bp["bp_etiquet"], _strip(bp["bp_code"], "BP-"))
    cb = tables["t_cable"]
    pm_of_box = cb[cb["cb_bp2"] != ""].drop_duplicates("cb_bp2").set_index("cb_bp2")["cb_r3_code"]
    pbo_pm = bp["bp_code"].map(pm_of_box).fillna("")
    if (pbo_pm == "").any() and len(zs):
        tree = shapely.STRtree(zs.geometry.to_numpy())
        pick = (pbo_pm == "").to_numpy()
        near = tree.query_nearest(bp_node[pick].map(node_geom).to_numpy(), all_matches=False)
        found = np.full(int(pick.sum()), "", dtype=object)
        found[near[0]] = zs["zs_lc_code"].map(id_of_lc).to_numpy()[near[1]]
        pbo_pm = pbo_pm.copy()
        pbo_pm[pick] = found
    sites = gpd.GeoDataFrame(
        {
            "site_id": [*net_id, *pbo_id],
            "site_type": [*np.where(net["lc_typelog"] == "NRO", "NRO", "PM"), *["PBO"] * len(bp)],
            "capacity": [
                *(pm_cap.get(i) for i in net_id),
                *pd.to_numeric(bp["bp_typephy"].str[1:], errors="coerce"),
            ],
            "parent_id": [
                *(pm_parent.get(i) for i in net_id),
                *(p or None for p in pbo_pm),
            ],
            "synthetic": False,
        },
        geometry=[*net_node.map(node_geom), *bp_node.map(node_geom)],
        crs="EPSG:2154",
    )
    site_at: dict[str, str] = {}
    for n, sid, kind in zip(
        [*net_node, *bp_node], sites["site_id"], sites["site_type"], strict=True
    ):
        if kind != "NRO" or n not in site_at:
            site_at.setdefault(str(n), str(sid))

    # links: the cables with a geometry
    cl = tables["t_cableline"].drop_duplicates("cl_cb_code")
    c = cb.set_index("cb_code").loc[cl["cl_cb_code"]]
    links = gpd.GeoDataFrame(
        {
            "link_id": cl["cl_cb_code"].to_numpy(),
            "link_type": c["cb_typelog"].replace({"TD": "DI", "CT": "TR"}).to_numpy(),
            "from_site": c["cb_nd1"].map(site_at).to_numpy(),
            "to_site": c["cb_nd2"].map(site_at).to_numpy(),
            "fibres": _int(c["cb_fo_util"]).to_numpy(),
            "cable_size": _int(c["cb_capafo"]).to_numpy(),
            "length_m": shapely.length(cl.geometry.to_numpy()).round(2),
            "synthetic": False,
        },
        geometry=cl.geometry.to_numpy(),
        crs="EPSG:2154",
    )

    # zones
    nro_ref = _or(
        zn["zn_nroref"], zn["zn_lc_code"].map(id_of_lc).fillna(_strip(zn["zn_code"], "ZN-"))
    )
    pm_ref = _or(
        zs["zs_refpm"], zs["zs_lc_code"].map(id_of_lc).fillna(_strip(zs["zs_code"], "ZS-"))
    )
    zref = dict(zip(zn["zn_code"], nro_ref, strict=True))
    zones = gpd.GeoDataFrame(
        {
            "zone_id": [*nro_ref, *pm_ref],
            "zone_kind": ["ZNRO"] * len(zn) + ["ZPM"] * len(zs),
            "parent_id": [*([None] * len(zn)), *(zref.get(z) for z in zs["zs_zn_code"])],
        },
        geometry=[*zn.geometry, *zs.geometry],
        crs="EPSG:2154",
    )

    # premises: addresses, and the box serving the locals of their client site
    ad = tables["t_adresse"]
    res, pro = _int(ad["ad_nblres"]), _int(ad["ad_nblpro"])
    client = lc[lc["lc_typelog"].isin(["RES", "PRO", "ENT", "PUB"]) & (lc["lc_bp_codf"] != "")]
    box_id = dict(
        zip(
            tables["t_ebp"]["bp_code"],
            _or(tables["t_ebp"]["bp_etiquet"], _strip(tables["t_ebp"]["bp_code"], "BP-")),
            strict=True,
        )
    )
    served = pd.DataFrame(
        {"ad": client["lc_st_code"].map(st["st_ad_code"]), "pbo": client["lc_bp_codf"].map(box_id)}
    ).dropna()
    pbo_of_ad = served.drop_duplicates("ad").set_index("ad")["pbo"]
    premises = gpd.GeoDataFrame(
        {
            "premise_id": _strip(ad["ad_code"], "AD-").to_numpy(),
            "insee_code": ad["ad_insee"].astype(str).to_numpy(),
            "logements": res.to_numpy(),
            "locaux_pro": pro.to_numpy(),
            "kind": np.where(pro == 0, "residential", np.where(res == 0, "business", "mixed")),
            "synthetic": ad["ad_nomvoie"].astype(str).str.startswith("VOIE SYNTHETIQUE").to_numpy(),
            "pbo_id": ad["ad_code"].map(pbo_of_ad).to_numpy(),
        },
        geometry=ad.geometry.to_numpy(),
        crs="EPSG:2154",
    )
    src = str(path)
    out = {
        "premises": validate(premises, "premises", source=f"{src}/t_adresse"),
        "sites": validate(sites, "sites", source=f"{src}/t_local, t_ebp"),
        "links": validate(links, "links", source=f"{src}/t_cable"),
        "zones": validate(zones, "zones", source=f"{src}/t_znro, t_zsro"),
    }
    zd = tables.get("t_zdep")
    if zd is not None and len(zd):
        out["zdep"] = validate(_zdep(zd), "zones", source=f"{src}/t_zdep")
    return out


def _first_int(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.astype(str).str.extract(r"(\d+)")[0], errors="coerce")


def _zdep(zd: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Deployment zones: the PM zones of one ``zd_r2_code`` gathered, phase/tranche/year."""
    r4 = zd["zd_r4_code"].astype(str)
    year = pd.to_numeric(r4.str.split("/").str[-1], errors="coerce")
    tranche = _first_int(r4.where(r4.str.contains("/"), ""))
    key = _or(zd["zd_r2_code"], _strip(zd["zd_code"], "ZD-"))
    df = gpd.GeoDataFrame(
        {
            "zone_id": key,
            "phase": _first_int(zd["zd_r3_code"]),
            "tranche": tranche,
            "year": year,
        },
        geometry=zd.geometry.to_numpy(),
        crs="EPSG:2154",
    )
    g = df.dissolve("zone_id", aggfunc={"phase": "min", "tranche": "min", "year": "min"})
    g = g.reset_index().assign(zone_kind="ZDEP", parent_id=None)
    for c in ("phase", "tranche", "year"):
        g[c] = g[c].astype("Int64")
    return g[["zone_id", "zone_kind", "parent_id", "phase", "tranche", "year", "geometry"]]
