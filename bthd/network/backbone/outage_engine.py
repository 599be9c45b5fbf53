"""Who is cut off when one or several elements are down: the operator's question."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd._errors import ParameterError
from bthd.network.backbone._checks import check_cut_ids, site_names
from bthd.network.backbone._service import Net, aggregate, build_net, log_unserved
from bthd.network.backbone.constants import CUT_KINDS, DEFAULT_UPLINKS, PREMISE_COLUMNS
from bthd.network.backbone.graph import backbone_links
from bthd.network.backbone.layers import NetworkLayers, network_layers
from bthd.network.backbone.report import OutageReport


def outage(
    layers_or_run_folder: str | os.PathLike[str] | Mapping[str, pd.DataFrame] | NetworkLayers,
    cut_ids: str | Iterable[str],
    *,
    uplinks: Sequence[str] = DEFAULT_UPLINKS,
    extra_links: gpd.GeoDataFrame | None = None,
    secured_extension: bool = True,
) -> OutageReport:
    """What goes down when one or several elements are cut, for operations.

    Parameters
    ----------
    layers_or_run_folder
        A run folder, a GeoPackage, a mapping of layers or :class:`NetworkLayers`
        (see :func:`network_layers`).
    cut_ids
        One id or several, cut together: backbone link, PoP, collecte link, NRO, PM or PBO
        ids (see :data:`CUT_KINDS`). A PM or PBO cut takes down its own premises only.
    uplinks, extra_links, secured_extension
        See :func:`survivability`.

    Returns
    -------
    OutageReport

    Raises
    ------
    bthd.ParameterError
        When an id is unknown (the message lists close matches and the kinds accepted), or
        names a site of another kind (an NRA...), or no id is given.
    """
    nl = network_layers(layers_or_run_folder)
    ids = [cut_ids] if isinstance(cut_ids, str) else [str(c) for c in cut_ids]
    if not ids:
        raise ParameterError(
            f"cut_ids: no element to cut. Give at least one id ({'; '.join(CUT_KINDS.values())})."
        )
    links = backbone_links(
        nl.backbone, extra_links=extra_links, secured_extension=secured_extension
    )
    prem = nl.premises
    net = build_net(nl.pops, links, nl.collecte, prem["nro_id"], uplinks)
    agg = aggregate(prem, net.nro_ids)
    sites = nl.sites
    site_type = dict(zip(sites["site_id"].astype(str), sites["site_type"].astype(str), strict=True))
    pm_codes, pm_uniques = _factorize(prem, "pm_id")
    pbo_codes, pbo_uniques = _factorize(prem, "pbo_id")
    pm_ids = _ids_of(sites, "PM", pm_uniques)
    pbo_ids = _ids_of(sites, "PBO", pbo_uniques)
    kinds: dict[str, str] = {}
    for kind, known in (
        ("backbone_link", net.bb_ids),
        ("pop", net.pop_ids),
        ("collecte_link", net.co_ids),
        ("nro", net.nro_ids),
        ("pm", pm_ids),
        ("pbo", pbo_ids),
    ):
        for k in known:
            kinds.setdefault(str(k), kind)
    check_cut_ids(ids, kinds, site_type)
    ids = list(dict.fromkeys(ids))  # the same id twice is one cut

    base = net.served()
    log_unserved(net, base, agg)
    nro_code = agg.nro_code

    def evaluate(cuts: list[str]) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Lost NROs, lost premises and the down masks of a set of cuts."""
        masks = {
            "bb": _positions(net.bb_ids, [c for c in cuts if kinds[c] == "backbone_link"]),
            "pop": _positions(net.pop_ids, [c for c in cuts if kinds[c] == "pop"]),
            "co": _positions(net.co_ids, [c for c in cuts if kinds[c] == "collecte_link"]),
            "nro": _positions(net.nro_ids, [c for c in cuts if kinds[c] == "nro"]),
        }
        served = net.served(**{f"{k}_down": v for k, v in masks.items()})
        lost_nro = base & ~served
        lost_prem = np.zeros(len(prem), dtype=bool)
        has = nro_code >= 0
        lost_prem[has] = lost_nro[nro_code[has]]
        for kind, codes, uniques in (("pm", pm_codes, pm_uniques), ("pbo", pbo_codes, pbo_uniques)):
            chosen = [c for c in cuts if kinds[c] == kind]
            if chosen and codes is not None:
                ix = uniques.get_indexer(pd.Index(chosen))
                lost_prem |= np.isin(codes, ix[ix >= 0])
        return lost_nro, lost_prem, masks

    lost_nro, lost_prem, masks = evaluate(ids)
    locaux = agg.premise_locaux
    alone = [evaluate([c])[1] for c in ids] if len(ids) > 1 else [lost_prem]
    names = dict(zip(sites["site_id"].astype(str), site_names(sites), strict=True))
    cut_table = pd.DataFrame(
        {
            "element_id": ids,
            "element_type": [kinds[c] for c in ids],
            "name": [names.get(c) for c in ids],
            "premises_lost_alone": [int(m.sum()) for m in alone],
            "locaux_lost_alone": [int(locaux[m].sum()) for m in alone],
        }
    )

    # PoPs down or cut off from the uplinks
    pop_ok = net.pop_ok(pop_down=masks["pop"], bb_down=masks["bb"])
    pop_bad = ~pop_ok
    pops_table = pd.DataFrame(
        {
            "site_id": net.pop_ids[pop_bad],
            "name": [names.get(p) for p in net.pop_ids[pop_bad]],
            "status": np.where(masks["pop"][pop_bad], "cut", "cut off from the uplinks"),
            "uplink": net.uplink[pop_bad],
        }
    )

    # NROs
    lost_idx = np.flatnonzero(lost_nro)
    causes = [_nro_cause(net, int(i), masks, pop_ok) for i in lost_idx]
    nro_table = pd.DataFrame(
        {
            "site_id": net.nro_ids[lost_idx],
            "name": [names.get(n) for n in net.nro_ids[lost_idx]],
            "cause": causes,
            "premises": agg.premises[lost_idx],
            "locaux": agg.locaux[lost_idx],
        }
    )

    # PMs: cut, or behind a lost NRO
    pm_table = _pm_table(
        sites, prem, lost_nro, net.nro_ids, [c for c in ids if kinds[c] == "pm"], locaux, names
    )
    if len(nro_table):
        nro_table["pms"] = (
            nro_table["site_id"].map(pm_table.groupby("nro_id").size()).fillna(0).astype(np.int64)
        )
    else:
        nro_table["pms"] = pd.Series(dtype=np.int64)
    nro_table = nro_table[["site_id", "name", "cause", "pms", "premises", "locaux"]]
    nro_table = nro_table.sort_values(
        ["locaux", "site_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)

    # premises and communes
    keep = [c for c in (*PREMISE_COLUMNS, "pm_id", "pbo_id") if c in prem.columns]
    lost_premises = prem.loc[lost_prem, keep].copy()
    comm = (
        pd.DataFrame(
            {
                "insee_code": prem["insee_code"].to_numpy(),
                "lost": lost_prem,
                "locaux": locaux,
                "lost_locaux": np.where(lost_prem, locaux, 0),
            }
        )
        .groupby("insee_code", sort=True)
        .agg(
            premises_lost=("lost", "sum"),
            locaux_lost=("lost_locaux", "sum"),
            locaux_total=("locaux", "sum"),
        )
    )
    comm = comm.loc[comm["premises_lost"] > 0].reset_index()
    comm_names = dict(zip(nl.communes["insee_code"], nl.communes["name"], strict=True))
    comm.insert(1, "name", [comm_names.get(c, "") for c in comm["insee_code"]])
    comm["premises_lost"] = comm["premises_lost"].astype(np.int64)
    comm["share_lost"] = (
        comm["locaux_lost"] / comm["locaux_total"].where(comm["locaux_total"] > 0)
    ).fillna(0.0)
    comm = comm.sort_values(
        ["locaux_lost", "insee_code"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    return OutageReport(
        cut=cut_table,
        pops=pops_table,
        nros=nro_table,
        pms=pm_table,
        premises=lost_premises,
        communes=comm,
        premises_total=len(prem),
        locaux_total=int(agg.locaux_total),
        uplinks=tuple(uplinks),
        secured_extension=secured_extension,
    )


def _positions(ids: np.ndarray, chosen: list[str]) -> np.ndarray:
    """A mask over ``ids`` of the ``chosen`` ones."""
    mask = np.zeros(len(ids), dtype=bool)
    if chosen:
        mask[pd.Index(ids).get_indexer(chosen)] = True
    return mask


def _nro_cause(net: Net, i: int, masks: dict[str, np.ndarray], pop_ok: np.ndarray) -> str:
    """Why NRO ``i`` lost service, in words."""
    if masks["nro"][i]:
        return "NRO cut"
    reasons = []
    for j in np.flatnonzero(net.co_nro == i):
        p = net.co_pop[j]
        pop = net.pop_ids[p]
        if masks["co"][j]:
            reasons.append(f"{net.co_ids[j]} cut")
        elif masks["pop"][p]:
            reasons.append(f"{pop} cut")
        elif not pop_ok[p]:
            reasons.append(f"{pop} cut off from the uplinks")
    return "; ".join(reasons)


def _pm_table(
    sites: pd.DataFrame,
    prem: pd.DataFrame,
    lost_nro: np.ndarray,
    nro_ids: np.ndarray,
    cut_pms: list[str],
    locaux: np.ndarray,
    names: dict[str, Any],
) -> pd.DataFrame:
    """The PMs without service: cut, or behind a lost NRO."""
    cols = ["site_id", "name", "nro_id", "cause", "premises", "locaux"]
    pm_nro: dict[str, str] = {}
    if "pm_id" in prem.columns:
        first = prem.loc[prem["pm_id"].notna() & prem["nro_id"].notna(), ["pm_id", "nro_id"]]
        first = first.drop_duplicates("pm_id")
        pm_nro.update(zip(first["pm_id"].astype(str), first["nro_id"].astype(str), strict=True))
    if "parent_id" in sites.columns:
        pms = sites.loc[sites["site_type"].astype(str).eq("PM") & sites["parent_id"].notna()]
        pm_nro.update(zip(pms["site_id"].astype(str), pms["parent_id"].astype(str), strict=True))
    lost_nros = set(nro_ids[lost_nro])
    down = {pm: "NRO down" for pm, nro in pm_nro.items() if nro in lost_nros}
    down.update(dict.fromkeys(cut_pms, "PM cut"))
    if not down:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c in cols[:4] else np.int64) for c in cols}
        )
    ids = sorted(down)
    if "pm_id" in prem.columns:
        g = (
            pd.DataFrame({"pm_id": prem["pm_id"].to_numpy(), "locaux": locaux})
            .groupby("pm_id")
            .agg(premises=("locaux", "size"), locaux=("locaux", "sum"))
        )
        g = g.reindex(ids, fill_value=0)
    else:
        g = pd.DataFrame({"premises": 0, "locaux": 0}, index=ids)
    table = pd.DataFrame(
        {
            "site_id": ids,
            "name": [names.get(p) for p in ids],
            "nro_id": [pm_nro.get(p) for p in ids],
            "cause": [down[p] for p in ids],
            "premises": g["premises"].to_numpy(dtype=np.int64),
            "locaux": g["locaux"].to_numpy(dtype=np.int64),
        }
    )
    return table.sort_values(
        ["locaux", "site_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def _ids_of(sites: pd.DataFrame, site_type: str, in_premises: pd.Index) -> list[str]:
    """Sorted ids of the sites of a type, with those the premises name."""
    ids = set(sites.loc[sites["site_type"].astype(str).eq(site_type), "site_id"].astype(str))
    return sorted(ids | set(in_premises.tolist()))


def _factorize(prem: pd.DataFrame, column: str) -> tuple[np.ndarray | None, pd.Index]:
    """Codes and labels of a premises column (None when absent)."""
    if column not in prem.columns:
        return None, pd.Index([], dtype=object)
    codes, uniques = pd.factorize(prem[column])
    return codes, pd.Index(np.asarray(uniques, dtype=object)).astype(str)
