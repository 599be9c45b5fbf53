"""Addresses, subscriber sites, zones, organisations and references of a GraceTHD delivery.

* ``t_adresse``: one address per premise (``ad_nblhab``/``ad_nblpro`` its dwellings and
  business premises), state CIBLE, with its number, street and postcode
  (:func:`bthd.export.gracethd.addresses.postal_addresses`); a synthetic premise says so in
  ``ad_comment``.
* ``t_suf``: one *site utilisateur final* per local (residential or professional), in the
  PBO zone of its premise.
* ``t_znro``, ``t_zsro``, ``t_zpbo``: the design's ZNRO, ZPM and ZPBO, each tied to the node
  of its NRO, PM or PBO and to its parent zone; planned (PL). When the run has a schedule, the
  PM zone's phase, tranche, FTTH year and deployment zone are in ``zs_comment``
  (``phase 2, tranche 1, FTTH 2023, ZDEP-200069391-001``).
* ``t_organisme``: the syndicat (owner of what the design builds) and the owner of the civil
  works reused. ``t_reference``: one reference per cable size and box type used.

Not for: the network itself (:mod:`bthd.export.gracethd.network`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd.export.gracethd.addresses import postal_addresses
from bthd.export.gracethd.network import CIVIL_WORKS_OWNER, NETWORK_CODE, OWNER, Network


def organismes() -> pd.DataFrame:
    """The organisations a delivery names (``t_organisme``)."""
    return pd.DataFrame(
        [
            {
                "or_code": OWNER,
                "or_nom": "Megalis Bretagne",
                "or_type": "SYNDICAT MIXTE",
                "or_activ": "Maitre d ouvrage du RIP Bretagne Tres Haut Debit",
                "or_comment": "proprietaire des ouvrages crees par le projet",
            },
            {
                "or_code": CIVIL_WORKS_OWNER,
                "or_nom": "Orange",
                "or_type": "OPERATEUR",
                "or_activ": "Proprietaire des conduites et appuis reutilises (offre GC BLO)",
                "or_comment": "genie civil existant reutilise par le projet",
            },
        ]
    )


def references(net: Network) -> pd.DataFrame:
    """One reference per cable size and box type of the network (``t_reference``)."""
    rows = []
    for code, size in sorted(
        set(zip(net.cable["cb_rf_code"], net.cable["cb_capafo"], strict=True))
    ):
        rows.append(
            {
                "rf_code": code,
                "rf_type": "CA",
                "rf_design": f"CABLE OPTIQUE {int(size)} FO",
                "rf_etat": "A",
            }
        )
    for code, kind in sorted(set(zip(net.ebp["bp_rf_code"], net.ebp["bp_typephy"], strict=True))):
        rows.append(
            {
                "rf_code": code,
                "rf_type": "BP",
                "rf_design": f"BOITIER PBO {kind[1:].lstrip('0')} FO",
                "rf_etat": "A",
            }
        )
    return pd.DataFrame(rows)


def adresses(
    premises: gpd.GeoDataFrame, communes: gpd.GeoDataFrame | None, net: Network
) -> gpd.GeoDataFrame:
    """One address per premise (``t_adresse``).

    ``ad_isole`` is true for a premise the design serves with a long drop (raccordement
    long); ``ad_racc`` is the implantation of the drop: aerial from a pole, underground
    (conduite) from a chamber or a site.
    """
    p = premises.sort_values("premise_id").reset_index(drop=True)
    names = (
        dict(zip(communes["insee_code"], communes["name"], strict=True))
        if communes is not None
        else {}
    )
    lines = p["logements"].astype(int) + p["locaux_pro"].astype(int)
    synthetic = p["synthetic"].astype(bool) if "synthetic" in p else pd.Series(False, p.index)
    drop = p["drop_m"].round(2) if "drop_m" in p else pd.Series(np.nan, p.index)
    isolated = (
        p["raccordement_long"].fillna(False).astype(bool)
        if "raccordement_long" in p
        else pd.Series(False, p.index)
    )
    postal = postal_addresses(p)
    numero = pd.to_numeric(postal["numero"], errors="coerce").astype("Int64")
    pole_nodes = set(net.ptech.loc[net.ptech["pt_typephy"] == "A", "pt_nd_code"])
    pbo = p["pbo_id"] if "pbo_id" in p else pd.Series(None, p.index, dtype=object)
    node = pbo.map(net.site_node)
    racc = np.where(node.isin(pole_nodes), "0", "7").astype(object)
    racc[node.isna().to_numpy()] = None
    commune = p["insee_code"].map(names).astype(object)
    commune = commune.where(commune.notna(), None)
    return gpd.GeoDataFrame(
        {
            "ad_code": "AD-" + p["premise_id"].astype(str),
            "ad_insee": p["insee_code"].astype(str),
            "ad_commune": commune.to_numpy(dtype=object),
            "ad_numero": numero.to_numpy(dtype=object),
            "ad_rep": postal["rep"].to_numpy(),
            "ad_nomvoie": postal["nom_voie"].to_numpy(),
            "ad_postal": postal["code_postal"].to_numpy(),
            "ad_nblhab": p["logements"].astype(int),
            "ad_nblpro": p["locaux_pro"].astype(int),
            "ad_distinf": drop,
            "ad_isole": isolated.to_numpy(),
            "ad_prio": False,
            "ad_racc": racc,
            "ad_ietat": "CI",
            "ad_itypeim": np.where(lines > 1, "I", "P"),
            "ad_imneuf": False,
            "ad_typzone": "3",
            "ad_comment": [
                "adresse SYNTHETIQUE generee par bthd (pas une observation)"
                if s
                else "voie et numero SYNTHETIQUES (absents des donnees)"
                if v
                else None
                for s, v in zip(synthetic, postal["synthetic_address"], strict=True)
            ],
        },
        geometry=p.geometry.to_numpy(),
        crs=premises.crs,
    )


def sufs(premises: gpd.GeoDataFrame) -> pd.DataFrame:
    """One subscriber site per local: R for a dwelling, P for a business (``t_suf``)."""
    p = premises.sort_values("premise_id").reset_index(drop=True)
    n_res = p["logements"].astype(int).to_numpy()
    n_pro = p["locaux_pro"].astype(int).to_numpy()
    reps = n_res + n_pro
    pid = np.repeat(p["premise_id"].astype(str).to_numpy(), reps)
    pbo = np.repeat(p["pbo_id"].to_numpy(dtype=object), reps) if "pbo_id" in p else None
    rank = np.concatenate([np.arange(1, r + 1) for r in reps]) if len(reps) else np.array([])
    res = np.repeat(n_res, reps)
    kind = np.where(rank <= res, "R", "P")
    codes = [f"SF-{a}-{int(k):03d}" for a, k in zip(pid, rank, strict=True)]
    zp = (
        [f"ZP-{b}" if isinstance(b, str) and b else None for b in pbo]
        if pbo is not None
        else [None] * len(codes)
    )
    return pd.DataFrame(
        {
            "sf_code": codes,
            "sf_ad_code": [f"AD-{a}" for a in pid],
            "sf_zp_code": zp,
            "sf_type": kind,
            "sf_racco": "PR",
        }
    )


def _multi(geoms: gpd.GeoSeries) -> np.ndarray:
    g = geoms.to_numpy()
    single = shapely.get_type_id(g) == 3
    out = g.copy()
    out[single] = [shapely.MultiPolygon([x]) for x in g[single]]
    return out


def pm_comments(premises: pd.DataFrame, schedule: pd.DataFrame | None) -> dict[str, str]:
    """The deployment of each PM zone as text: phase, tranche, FTTH year, deployment zone.

    From the plan's schedule when there is one, else from the premises' ``ftth_year``.
    """
    out: dict[str, str] = {}
    if schedule is not None and len(schedule) and "pm_id" in schedule:
        for row in schedule.sort_values("pm_id").itertuples(index=False):
            parts = [
                str(getattr(row, c)).strip()
                for c in ("phase", "tranche")
                if isinstance(getattr(row, c, None), str) and str(getattr(row, c)).strip()
            ]
            year = getattr(row, "year", None)
            if year is not None and pd.notna(year):
                parts.append(f"FTTH {int(year)}")
            zdep = getattr(row, "zdep_id", None)
            if isinstance(zdep, str) and zdep:
                parts.append(zdep)
            if parts:
                out[str(row.pm_id)] = ", ".join(parts)
        return out
    if "ftth_year" in premises and "pm_id" in premises:
        year = premises.groupby("pm_id")["ftth_year"].min()
        out = {str(k): f"FTTH prevu en {int(v)}" for k, v in year.items() if pd.notna(v)}
    return out


def zone_tables(
    zones: gpd.GeoDataFrame,
    net: Network,
    premises: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    schedule: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``t_znro``, ``t_zsro`` and ``t_zpbo`` from the run's zones.

    A zone whose NRO, PM or PBO is not on the network is left out (it has no node to tie to).
    ``schedule`` is the run's ``plan_schedule`` table (pm_id, year, phase, tranche, zdep_id),
    when it has a plan.
    """
    z = zones.sort_values("zone_id").reset_index(drop=True)
    node = net.site_node
    cap = dict(zip(sites["site_id"], sites["capacity"], strict=True))
    locaux = premises["logements"].astype(int) + premises["locaux_pro"].astype(int)
    per_pm = locaux.groupby(premises["pm_id"]).sum() if "pm_id" in premises else pd.Series()
    comment = pm_comments(premises, schedule)
    box = dict(zip(net.ebp["bp_etiquet"], net.ebp["bp_typephy"], strict=True))

    zn = z[(z["zone_kind"] == "ZNRO") & z["zone_id"].isin(node)]
    znro = gpd.GeoDataFrame(
        {
            "zn_code": "ZN-" + zn["zone_id"],
            "zn_nd_code": [node[i] for i in zn["zone_id"]],
            "zn_r1_code": NETWORK_CODE,
            "zn_r2_code": zn["zone_id"].to_numpy(),
            "zn_nroref": zn["zone_id"].to_numpy(),
            "zn_nrotype": "PON",
            "zn_etat": "PL",
            "zn_comment": "zone arriere de NRO (conception bthd)",
        },
        geometry=_multi(zn.geometry),
        crs=zones.crs,
    )
    zs = z[(z["zone_kind"] == "ZPM") & z["zone_id"].isin(node)]
    zsro = gpd.GeoDataFrame(
        {
            "zs_code": "ZS-" + zs["zone_id"],
            "zs_nd_code": [node[i] for i in zs["zone_id"]],
            "zs_zn_code": [
                f"ZN-{p}" if isinstance(p, str) and p in node else None for p in zs["parent_id"]
            ],
            "zs_r1_code": NETWORK_CODE,
            "zs_r2_code": [p if isinstance(p, str) else None for p in zs["parent_id"]],
            "zs_r3_code": zs["zone_id"].to_numpy(),
            "zs_refpm": zs["zone_id"].to_numpy(),
            "zs_etatpm": "PL",
            "zs_typeemp": "ADR",
            "zs_capamax": [int(cap.get(i) or 0) for i in zs["zone_id"]],
            "zs_nblogmt": [int(per_pm.get(i, 0)) for i in zs["zone_id"]],
            "zs_actif": False,
            "zs_comment": [comment.get(i) for i in zs["zone_id"]],
        },
        geometry=_multi(zs.geometry),
        crs=zones.crs,
    )
    zp = z[(z["zone_kind"] == "ZPBO") & z["zone_id"].isin(node)]
    zpbo = gpd.GeoDataFrame(
        {
            "zp_code": "ZP-" + zp["zone_id"],
            "zp_nd_code": [node[i] for i in zp["zone_id"]],
            "zp_zs_code": [
                f"ZS-{p}" if isinstance(p, str) and p in node else None for p in zp["parent_id"]
            ],
            "zp_capamax": [int(box.get(i, "B006")[1:]) for i in zp["zone_id"]],
        },
        geometry=_multi(zp.geometry),
        crs=zones.crs,
    )
    return znro, zsro, zpbo
