"""The physical network of a design as GraceTHD v2.0.1 rows: nodes, sites, points, paths, cables.

Every end of a transport (TR) or distribution (DI) link is a node (``t_noeud``), coded after
the road node it stands on. A node that hosts an NRO or PMs is a technical site
(``t_sitetech``) with one technical room (``t_ltech``) per NRO or PM; any other node is a
technical point (``t_ptech``): a chamber when an underground path reaches it, else a pole.
Each road edge used by the design is one path (``t_cheminement``); the links of one tree with
the same cable size are merged into cables running node to node (``t_cable`` and their
geometry ``t_cableline``). Each PBO is a box (``t_ebp``) in the point or room at its node.

Not for: addresses, zones and organisations (:mod:`bthd.export.gracethd.tables`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError
from bthd.export.gracethd.schema import STATUT

#: Code of the network in the reference fields ``*_r1_code`` (then NRO, PM, PBO).
NETWORK_CODE = "BTHD"
#: Organisation codes (t_organisme.or_code).
OWNER = "OR-MEGALIS"
CIVIL_WORKS_OWNER = "OR-ORANGE"
#: Box sizes of l_bp_type_phy (BPE n FO), smallest first.
BOX_SIZES = (6, 12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720)
#: Works type of a link → (implantation l_implantation_type, avancement l_avancement).
WORKS = {
    "aerial": ("0", "E"),  # aérien télécom, on existing poles
    "duct_reuse": ("7", "E"),  # conduite, existing ducts
    "new_trench": ("7", "C"),  # conduite, to build
    "road_crossing": ("7", "C"),
}


def _key(xy: np.ndarray) -> list[tuple[float, float]]:
    """Coordinates as hashable keys at 1 cm (the delivery's node tolerance)."""
    r = np.round(np.asarray(xy, dtype=float), 2)
    return [(float(x), float(y)) for x, y in r]


def box_type(fibres: float) -> str:
    """The l_bp_type_phy code of the smallest BPE holding ``fibres`` fibres (B006...B720)."""
    for size in BOX_SIZES:
        if fibres <= size:
            return f"B{size:03d}"
    return f"B{BOX_SIZES[-1]:03d}"


@dataclass
class Network:
    """The network tables (DataFrames; the spatial ones GeoDataFrames in EPSG:2154)."""

    noeud: gpd.GeoDataFrame
    sitetech: pd.DataFrame
    ltech: pd.DataFrame
    ptech: pd.DataFrame
    ebp: pd.DataFrame
    cheminement: gpd.GeoDataFrame
    cable: pd.DataFrame
    cableline: gpd.GeoDataFrame
    site_node: dict[str, str]


def build_network(
    links: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    road_nodes: gpd.GeoDataFrame | None,
    *,
    cables: bool = True,
) -> Network:
    """Nodes, technical sites and points, paths, cables and boxes of a design.

    Parameters
    ----------
    links
        The run's ``links`` layer (TR and DI rows are used: one row per road edge of a tree,
        with ``tree``, ``cable_size``, ``n_cables``, ``fibres``, ``works``).
    sites
        The run's ``sites`` layer (NRO, PM and PBO rows are used).
    road_nodes
        The run's ``road_nodes`` layer, whose ids code the nodes (sequential codes otherwise).
    cables
        Build the v2 cables (``t_cable``, ``t_cableline``); False leaves them empty, for a
        caller that cuts cables its own way (the v3 writer).

    Returns
    -------
    Network

    Raises
    ------
    bthd.InputError
        If the design has no TR/DI links, or an NRO, PM or PBO is not on a link end.
    """
    lk = links[links["link_type"].isin(["TR", "DI"])].reset_index(drop=True)
    if lk.empty:
        raise InputError(
            "the run has no transport (TR) or distribution (DI) links: run the design first "
            "(`bthd demo` runs it)."
        )
    geoms = lk.geometry.to_numpy()
    starts = _key(shapely.get_coordinates(shapely.get_point(geoms, 0)))
    ends = _key(shapely.get_coordinates(shapely.get_point(geoms, -1)))
    fttx = sites[sites["site_type"].isin(["NRO", "PM", "PBO"])].reset_index(drop=True)
    site_keys = _key(shapely.get_coordinates(fttx.geometry.to_numpy()))
    all_keys = sorted(set(starts) | set(ends) | set(site_keys))
    ids: dict[tuple[float, float], str] = {}
    if road_nodes is not None and len(road_nodes):
        rk = _key(road_nodes[["x", "y"]].to_numpy())
        ids = {k: f"ND-{int(n):06d}" for k, n in zip(rk, road_nodes["node_id"], strict=True)}
    extra = [k for k in all_keys if k not in ids]
    for i, k in enumerate(extra, start=1):
        ids[k] = f"ND-X{i:05d}"
    link_ends = set(starts) | set(ends)
    off = [s for s, k in zip(fttx["site_id"], site_keys, strict=True) if k not in link_ends]
    if off:
        raise InputError(
            f"links layer: {len(off)} NRO/PM/PBO not on the end of a TR/DI link "
            f"({', '.join(off[:10])}); the design is inconsistent, run it again."
        )
    site_node = {s: ids[k] for s, k in zip(fttx["site_id"], site_keys, strict=True)}
    sid_of = fttx["site_id"].astype(str).to_numpy()
    type_of = fttx["site_type"].astype(str).to_numpy()
    length = lk["length_m"].to_numpy(dtype=float)
    works_of = lk["works"].astype(str).to_numpy()
    ltype_of = lk["link_type"].astype(str).to_numpy()
    fibres_of = lk["fibres"].to_numpy(dtype=int)
    by_node: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(fttx["site_id"]):
        by_node[site_node[s]].append(i)

    # paths (cheminements): one per road edge, whatever the trees on it
    edge_rows: dict[tuple[str, str, float], list[int]] = {}
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        na, nb = ids[a], ids[b]
        key = (min(na, nb), max(na, nb), round(float(length[i]), 1))
        edge_rows.setdefault(key, []).append(i)
    cm_rows = []
    node_works: dict[str, set[str]] = defaultdict(set)
    for num, (_edge, rows) in enumerate(sorted(edge_rows.items()), start=1):
        first = rows[0]
        works = str(works_of[first])
        imp, avct = WORKS.get(works, ("7", "C"))
        types = sorted({str(ltype_of[r]) for r in rows})
        existing = avct == "E"
        na, nb = ids[starts[first]], ids[ends[first]]
        node_works[na].add(works)
        node_works[nb].add(works)
        cm_rows.append(
            {
                "cm_code": f"CM-{num:06d}",
                "cm_ndcode1": na,
                "cm_ndcode2": nb,
                "cm_gest_do": CIVIL_WORKS_OWNER if existing else OWNER,
                "cm_prop_do": CIVIL_WORKS_OWNER if existing else OWNER,
                "cm_statut": STATUT,
                "cm_avct": avct,
                "cm_typelog": "TD" if len(types) > 1 else types[0],
                "cm_typ_imp": imp,
                "cm_nature": "TEL",
                "cm_mod_pos": "TRA" if works in ("new_trench", "road_crossing") else None,
                "cm_fo_util": int(sum(int(fibres_of[r]) for r in rows)),
                "cm_long": round(float(length[first]), 2),
                "cm_comment": f"works {works}",
                "geometry": geoms[first],
            }
        )
    cheminement = gpd.GeoDataFrame(cm_rows, geometry="geometry", crs=links.crs)

    # nodes
    node_codes = sorted({ids[k] for k in all_keys})
    xy = {ids[k]: k for k in all_keys}
    site_types = {n: sorted({str(type_of[i]) for i in rows}) for n, rows in by_node.items()}
    is_site = {n for n, t in site_types.items() if "NRO" in t or "PM" in t}
    noeud = gpd.GeoDataFrame(
        {
            "nd_code": node_codes,
            "nd_nom": [
                " ".join(sorted(str(sid_of[i]) for i in by_node[n])) or None
                if n in by_node
                else None
                for n in node_codes
            ],
            "nd_type": ["ST" if n in is_site else "PT" for n in node_codes],
            "nd_type_ep": "OPT",
        },
        geometry=shapely.points([xy[n] for n in node_codes]),
        crs=links.crs,
    )

    # technical sites (NRO, PM) and their rooms
    st_rows, lt_rows = [], []
    room: dict[str, str] = {}
    for n in sorted(is_site):
        rows = sorted(by_node[n], key=lambda i: str(sid_of[i]))
        nro = [i for i in rows if type_of[i] == "NRO"]
        st_code = f"ST-{n[3:]}"
        cap = fttx["capacity"].iloc[nro if nro else rows].fillna(0).astype(float)
        st_rows.append(
            {
                "st_code": st_code,
                "st_nd_code": n,
                "st_nom": " ".join(str(sid_of[i]) for i in rows),
                "st_prop": OWNER,
                "st_gest": OWNER,
                "st_proptyp": "CST",
                "st_statut": STATUT,
                "st_avct": "C",
                "st_typephy": "SHE" if nro else "ADR",
                "st_typelog": "NRO" if nro else "SRO",
                "st_nblines": int(cap.sum()),
            }
        )
        for i in rows:
            sid = str(sid_of[i])
            if type_of[i] == "PBO":
                continue
            room[sid] = f"LT-{sid}"
            lt_rows.append(
                {
                    "lt_code": f"LT-{sid}",
                    "lt_etiquet": sid,
                    "lt_st_code": st_code,
                    "lt_prop": OWNER,
                    "lt_gest": OWNER,
                    "lt_proptyp": "CST",
                    "lt_statut": STATUT,
                    "lt_etat": "NC",
                    "lt_comment": f"{type_of[i]} {sid}",
                }
            )
    sitetech = pd.DataFrame(st_rows)
    ltech = pd.DataFrame(lt_rows)

    # technical points at every other node
    pbo_nodes = {site_node[s] for s in fttx.loc[fttx["site_type"] == "PBO", "site_id"]}
    pt_rows = []
    for n in node_codes:
        if n in is_site:
            continue
        at_node = node_works.get(n, set())
        underground = bool(at_node - {"aerial"})
        new = bool(at_node & {"new_trench", "road_crossing"})
        pt_rows.append(
            {
                "pt_code": f"PT-{n[3:]}",
                "pt_codeext": f"bthd road node {int(n[3:])}" if n[3:].isdigit() else None,
                "pt_nd_code": n,
                "pt_prop": OWNER if new else CIVIL_WORKS_OWNER,
                "pt_gest": OWNER if new else CIVIL_WORKS_OWNER,
                "pt_proptyp": "CST" if new else "OCC",
                "pt_statut": STATUT,
                "pt_avct": "C" if new else "E",
                "pt_typephy": "C" if underground else "A",
                "pt_typelog": "R" if n in pbo_nodes else "T",
                # the design does not size chambers nor choose poles: type indéterminé
                "pt_nature": "IND" if underground else "PIND",
            }
        )
    ptech = pd.DataFrame(pt_rows)
    point = {r["pt_nd_code"]: r["pt_code"] for r in pt_rows}

    # boxes: one PBO box per PBO site
    pbo = fttx[fttx["site_type"] == "PBO"].sort_values("site_id")
    bp_rows = []
    for sid, cap, parent in zip(pbo["site_id"], pbo["capacity"], pbo["parent_id"], strict=True):
        n = site_node[str(sid)]
        kind = box_type(float(cap) if pd.notna(cap) else 1.0)
        bp_rows.append(
            {
                "bp_code": f"BP-{sid}",
                "bp_etiquet": str(sid),
                "bp_codeext": f"bthd {sid}",
                "bp_pt_code": point.get(n),
                "bp_lt_code": None if n in point else room.get(str(parent)),
                "bp_prop": OWNER,
                "bp_gest": OWNER,
                "bp_proptyp": "CST",
                "bp_statut": STATUT,
                "bp_avct": "C",
                "bp_typephy": kind,
                "bp_typelog": "PBO",
                "bp_rf_code": f"RF-BP-{kind}",
                "bp_comment": f"PBO of {int(cap) if pd.notna(cap) else 0} locaux",
            }
        )
    ebp = pd.DataFrame(bp_rows)

    parents = dict(zip(fttx["site_id"], fttx["parent_id"], strict=True))
    if cables:
        cable, cableline = _cables(lk, ids, parents)
    else:
        cable = pd.DataFrame()
        cableline = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=lk.crs), crs=lk.crs)
    return Network(noeud, sitetech, ltech, ptech, ebp, cheminement, cable, cableline, site_node)


def _cables(
    lk: gpd.GeoDataFrame,
    ids: dict[tuple[float, float], str],
    parents: dict[str, object],
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Cables: the links of one tree and size merged end to end, ``n_cables`` of each."""
    cb_rows, cl_rows = [], []
    # numbered per tree and size, across the runs laid 1, 2... cables deep, so codes are unique
    runs: dict[tuple[str, str, int], int] = {}
    # the groups of (tree, link type, size, count) in sorted order, rows in their original
    # order within a group (as DataFrame.groupby(sort=True) gives them), without slicing frames
    keys = lk[["tree", "link_type", "cable_size", "n_cables"]].reset_index(drop=True)
    rows = keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()
    ordered = keys.iloc[rows]
    change = np.zeros(len(rows), dtype=bool)
    change[:1] = True
    for col in keys.columns:
        v = ordered[col].to_numpy()
        change[1:] |= v[1:] != v[:-1]
    starts = np.flatnonzero(change)
    bounds = np.append(starts, len(rows))
    all_geoms = lk.geometry.to_numpy()
    fibres = lk["fibres"].to_numpy()
    used_of = np.maximum.reduceat(fibres[rows], starts) if len(rows) else np.array([], int)
    heads = zip(*(ordered[c].to_numpy()[starts] for c in keys.columns), strict=True)
    for g, (tree, ltype, size, count) in enumerate(heads):
        members = rows[bounds[g] : bounds[g + 1]]
        merged = shapely.line_merge(shapely.multilinestrings(all_geoms[members]))
        parts = list(shapely.get_parts(merged))
        a = _key(shapely.get_coordinates(shapely.get_point(parts, 0)))
        b = _key(shapely.get_coordinates(shapely.get_point(parts, -1)))
        order = sorted(range(len(parts)), key=lambda i: (a[i], b[i]))
        used = int(used_of[g])
        nro = str(tree) if ltype == "TR" else str(parents.get(str(tree)) or "")
        pm = str(tree) if ltype == "DI" else None
        run_key = (str(tree), str(ltype), int(size))
        first = runs.get(run_key, 0)
        runs[run_key] = first + len(order)
        for k, i in enumerate(order, start=first + 1):
            geom = parts[i]
            for j in range(1, int(count) + 1):
                code = f"{tree}-{int(size):03d}-{k:03d}" + (f"-{j}" if count > 1 else "")
                cb_rows.append(
                    {
                        "cb_code": f"CB-{code}",
                        "cb_codeext": f"bthd {ltype} {code}",
                        "cb_etiquet": f"{ltype}-{code}",
                        "cb_nd1": ids[a[i]],
                        "cb_nd2": ids[b[i]],
                        "cb_r1_code": NETWORK_CODE,
                        "cb_r2_code": nro or None,
                        "cb_r3_code": pm,
                        "cb_prop": OWNER,
                        "cb_gest": OWNER,
                        "cb_proptyp": "CST",
                        "cb_statut": STATUT,
                        "cb_avct": "C",
                        "cb_tech": "OPT",
                        "cb_typephy": "C",
                        "cb_typelog": ltype,
                        "cb_rf_code": f"RF-CA-{int(size):03d}FO",
                        "cb_capafo": int(size),
                        "cb_fo_util": min(used, int(size)),
                        "cb_fo_disp": max(int(size) - used, 0),
                        "cb_modulo": 12 if size >= 24 else 6,
                        "cb_comment": f"tree {tree}",
                    }
                )
                cl_rows.append(
                    {
                        "cl_code": f"CL-{code}",
                        "cl_cb_code": f"CB-{code}",
                        "cl_long": round(float(geom.length), 2),
                        "geometry": geom,
                    }
                )
    cable = pd.DataFrame(cb_rows)
    cableline = gpd.GeoDataFrame(cl_rows, geometry="geometry", crs=lk.crs)
    return cable, cableline
