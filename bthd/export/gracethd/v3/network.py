"""The physical network of a design as GraceTHD v3.0.1 rows (container C2).

Built on the v2 network (:func:`bthd.export.gracethd.network.build_network`: the same nodes,
paths, technical points and codes), reshaped for v3:

* every node hosting an NRO or PMs is a RESEAU site (``t_site``) with one local per NRO or PM
  (``t_local``, NRO or SRO) and one rack in each local (``t_baie``);
* every node is a reception point (``t_pointaccueil``): a chamber or a pole as in v2, the
  shelter of an NRO or the street cabinet of a PM; every path built by the project
  (``new_trench``, ``road_crossing``) is a trench (``t_tranchee``) between two of them;
* cables run box to box: the links of one tree are oriented from its root (the NRO of a
  transport tree, the PM of a distribution tree) and cut at every node where the tree
  branches, the cable changes size, a PBO of the tree stands, or a PM of a transport tree
  stands. A cable leaving or reaching an NRO or PM starts or ends in its rack (``cb_ba1``,
  ``cb_ba2``); elsewhere in a box (``cb_bp1``, ``cb_bp2``): the PBO standing there, else a
  splice box (BPE). Every box is in the technical point of its node (a point is added at a site
  node that holds a box). Several PBOs of one tree at one node: the cable ends in the first, the
  others are fed from it by a cable of their size without geometry (same point);
* ``t_cab_chem`` lists every path each cable runs in.

Not for: addresses, client sites and locals, zones (:mod:`bthd.export.gracethd.v3.tables`).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd.export.gracethd.network import (
    CIVIL_WORKS_OWNER,
    NETWORK_CODE,
    OWNER,
    _key,
    box_type,
    build_network,
)
from bthd.export.gracethd.v3.owners import point_owners
from bthd.export.gracethd.v3.schema import STATUT

log = logging.getLogger(__name__)

#: Units of a rack (ba_nb_u, mandatory in C2, not chosen by the design): a standard 19-inch
#: 42U rack (EIA-310), the usual size of the optical racks of NRO shelters and street cabinets.
RACK_UNITS = 42
#: Composition of a trench or path built by the project (tr_compo, cm_compo), which the design
#: does not choose: 3 PVC ducts of 45 mm, the usual FTTH civil-works section (assumed default).
NEW_DUCTS = "3 fourreaux PVC 42/45"
#: Composition of a reused path of the civil-works owner (cm_compo, asked by the suite for
#: Orange's paths): the design does not survey them, so it says so.
REUSED_DUCTS = "fourreau ORANGE existant, composition non relevee"
REUSED_POLES = "appuis ORANGE existants, composition non relevee"
#: Standard section of the project's trenches (tr_couptyp, a t_reference of type CT).
TRENCH_REFERENCE = "RF-CT-TRANCHEE-3F45"
#: Fibre type of every cable (cb_fo_type, mandatory in C2, not chosen by the design): G.657.A2,
#: bend-insensitive single-mode fibre compatible with G.652.D, the usual FTTH fibre in France.
FIBRE_TYPE = "G657A2"
#: Height (m) and structure of a reused pole (pa_a_haut, pa_a_struc, required for poles; the
#: design does not survey poles): the common 8 m wooden telecom pole (assumed default).
POLE_HEIGHT_M = 8.0
POLE_STRUCTURE = "BOIS"


class _Clock:
    """Debug log of how long each step of :func:`build_network3` takes."""

    def __init__(self) -> None:
        self.t = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        log.debug("v3 network: %s %.2f s", step, now - self.t)
        self.t = now


@dataclass
class Network3:
    """The v3 network tables (the spatial ones GeoDataFrames in EPSG:2154)."""

    noeud: gpd.GeoDataFrame
    sites: pd.DataFrame
    locaux: pd.DataFrame
    baies: pd.DataFrame
    pointaccueil: gpd.GeoDataFrame
    ptech: pd.DataFrame
    tranchee: gpd.GeoDataFrame
    ebp: pd.DataFrame
    cheminement: gpd.GeoDataFrame
    cable: pd.DataFrame
    cableline: gpd.GeoDataFrame
    cab_chem: pd.DataFrame
    #: site id (NRO, PM, PBO) → node code
    site_node: dict[str, str]
    #: (tree, node) → distance along the tree's links from its root (m)
    depth: dict[tuple[str, str], float]


def _num(node: str) -> str:
    return node[3:]


def _orient(
    rows: list[int], a: list[str], b: list[str], root: str, length: np.ndarray
) -> tuple[dict[int, tuple[str, str]], dict[str, float], list[int]]:
    """Orient a tree's links away from ``root`` (breadth first); also each node's depth.

    Links not connected to ``root`` are oriented from the smallest node code of their part.
    """
    adj: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        adj[a[r]].append((r, b[r]))
        adj[b[r]].append((r, a[r]))
    oriented: dict[int, tuple[str, str]] = {}
    depth: dict[str, float] = {}

    def walk(start: str) -> None:
        depth[start] = 0.0
        queue = deque([start])
        while queue:
            u = queue.popleft()
            for r, w in sorted(adj[u]):
                if r in oriented:
                    continue
                oriented[r] = (u, w)
                if w not in depth:
                    depth[w] = depth[u] + float(length[r])
                    queue.append(w)

    if root in adj:
        walk(root)
    from_root = set(oriented)
    for s in sorted(adj):
        if s not in depth:
            walk(s)
    unreached = [r for r in rows if r not in from_root]
    return oriented, depth, unreached


def build_network3(
    links: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, road_nodes: gpd.GeoDataFrame | None
) -> Network3:
    """Nodes, sites, locals, racks, points, trenches, boxes, paths and cables of a design.

    Parameters
    ----------
    links, sites, road_nodes
        The run's layers, as for :func:`bthd.export.gracethd.network.build_network`.

    Returns
    -------
    Network3

    Raises
    ------
    bthd.InputError
        As :func:`bthd.export.gracethd.network.build_network`.
    """
    clock = _Clock()
    v2 = build_network(links, sites, road_nodes, cables=False)
    crs = v2.noeud.crs
    lk = links[links["link_type"].isin(["TR", "DI"])].reset_index(drop=True)
    node_of = dict(
        zip(
            _key(shapely.get_coordinates(v2.noeud.geometry.to_numpy())),
            v2.noeud["nd_code"],
            strict=True,
        )
    )
    geoms = lk.geometry.to_numpy()
    ka = _key(shapely.get_coordinates(shapely.get_point(geoms, 0)))
    kb = _key(shapely.get_coordinates(shapely.get_point(geoms, -1)))
    a = [node_of[k] for k in ka]
    b = [node_of[k] for k in kb]
    length = lk["length_m"].to_numpy(dtype=float)
    # the path of each link, numbered as build_network numbers them
    edge_key = [
        (min(x, y), max(x, y), round(float(n), 1)) for x, y, n in zip(a, b, length, strict=True)
    ]
    cm_of_key = {k: f"CM-{i:06d}" for i, k in enumerate(sorted(set(edge_key)), start=1)}
    cm_of = [cm_of_key[k] for k in edge_key]

    fttx = sites[sites["site_type"].isin(["NRO", "PM", "PBO"])]
    site_node = v2.site_node
    stype = dict(zip(fttx["site_id"].astype(str), fttx["site_type"].astype(str), strict=True))
    parent = {
        str(s): (str(p) if isinstance(p, str) else None)
        for s, p in zip(fttx["site_id"], fttx["parent_id"], strict=True)
    }
    cap = {
        str(s): float(c) if pd.notna(c) else 0.0
        for s, c in zip(fttx["site_id"], fttx["capacity"], strict=True)
    }
    # sites of each tree at each node: PBOs of a PM (DI tree), PMs of an NRO (TR tree)
    own: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sid in sorted(stype):
        up = parent[sid]
        if stype[sid] in ("PBO", "PM") and up:
            own[(up, site_node[sid])].append(sid)

    clock.lap("v2 network")
    # --- sites, locals and racks of NRO and PM nodes (the v2 technical sites)
    st = v2.sitetech
    site_rows, lc_rows, ba_rows = [], [], []
    rack: dict[str, str] = {}
    for code, n, name in zip(st["st_code"], st["st_nd_code"], st["st_nom"], strict=True):
        ids = sorted(str(name).split(" "), key=lambda s: (stype.get(s) != "NRO", s))
        ids = [i for i in ids if stype.get(i) in ("NRO", "PM")]
        nro = any(stype[i] == "NRO" for i in ids)
        site_rows.append(
            {
                "st_code": code,
                "st_nd_code": n,
                "st_codeext": " ".join(ids),
                "st_typelog": "RESEAU",
                "st_typephy": "SHE" if nro else "ADR",
                "st_nra": "0",
                "st_prop": OWNER,
                "st_gest": OWNER,
                "st_proptyp": "CST",
                "st_statut": STATUT,
                "st_avct": "C",
                "st_abandon": "0",
            }
        )
        for sid in ids:
            typ = "NRO" if stype[sid] == "NRO" else "SRO"
            lc_rows.append(
                {
                    "lc_code": f"LC-{sid}",
                    "lc_codeext": sid,
                    "lc_etiquet": sid,
                    "lc_st_code": code,
                    "lc_typelog": typ,
                    "lc_prop": OWNER,
                    "lc_gest": OWNER,
                    "lc_proptyp": "CST",
                    "lc_statut": STATUT,
                    "lc_avct": "C",
                    "lc_abandon": "0",
                }
            )
            rack[sid] = f"BA-{sid}"
            ba_rows.append(
                {
                    "ba_code": f"BA-{sid}",
                    "ba_lc_code": f"LC-{sid}",
                    "ba_nb_u": RACK_UNITS,
                    "ba_statut": STATUT,
                    "ba_type": "BAIE",
                    "ba_prop": OWNER,
                    "ba_gest": OWNER,
                    "ba_proptyp": "CST",
                    "ba_rf_code": f"RF-BA-{RACK_UNITS}U",
                    "ba_abandon": "0",
                }
            )

    clock.lap("sites")
    # --- orient every tree from its root and cut its cables at box and site nodes
    tree_of = lk["tree"].astype(str).to_numpy()
    ltype_of = lk["link_type"].astype(str).to_numpy()
    size_of = lk["cable_size"].to_numpy(dtype=int)
    count_of = lk["n_cables"].to_numpy(dtype=int)
    fibres_of = lk["fibres"].to_numpy(dtype=int)
    by_tree: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (t, lt) in enumerate(zip(tree_of, ltype_of, strict=True)):
        by_tree[(t, lt)].append(i)

    pt = v2.ptech.copy()
    point = dict(zip(pt["pt_nd_code"], pt["pt_code"], strict=True))
    extra_pt: list[dict[str, object]] = []
    bp_rows: list[dict[str, object]] = []
    cb_rows: list[dict[str, object]] = []
    cl_rows: list[dict[str, object]] = []
    line_coords: list[np.ndarray] = []
    flat, owner_of_xy = shapely.get_coordinates(geoms, return_index=True)
    offsets = np.searchsorted(owner_of_xy, np.arange(len(geoms) + 1))
    cc_rows: list[tuple[str, str]] = []
    depth_all: dict[tuple[str, str], float] = {}

    def point_at(n: str, pbo: bool) -> str:
        if n not in point:
            point[n] = f"PT-{_num(n)}"
            extra_pt.append(
                {
                    "pt_code": point[n],
                    "pt_codeext": f"bthd chambre du site {_num(n)}",
                    "pt_nd_code": n,
                    "pt_prop": OWNER,
                    "pt_gest": OWNER,
                    "pt_proptyp": "CST",
                    "pt_statut": STATUT,
                    "pt_avct": "C",
                    "pt_typephy": "C",
                    "pt_typelog": "R" if pbo else "T",
                    "pt_nature": "IND",
                    "pt_abandon": "0",
                }
            )
        return point[n]

    def add_box(
        code: str, label: str, n: str, kind: str, typelog: str, note: str, local: str | None = None
    ) -> None:
        bp_rows.append(
            {
                "bp_code": code,
                "bp_etiquet": label,
                "bp_codeext": f"bthd {label}",
                "bp_pt_code": None if local else point_at(n, typelog == "PBO"),
                "bp_lc_code": local,
                "bp_prop": OWNER,
                "bp_gest": OWNER,
                "bp_proptyp": "CST",
                "bp_statut": STATUT,
                "bp_avct": "C",
                "bp_typephy": kind,
                "bp_typelog": typelog,
                "bp_rf_code": f"RF-BP-{kind}",
                "bp_abandon": "0",
                "_note": note,
            }
        )

    def add_cable(
        code: str,
        ltype: str,
        size: int,
        used: int,
        ends: tuple[str, str],
        racks: tuple[str | None, str | None],
        boxes: tuple[str | None, str | None],
        refs: tuple[str | None, str | None],
    ) -> None:
        cb_rows.append(
            {
                "cb_code": f"CB-{code}",
                "cb_codeext": f"bthd {ltype} {code}",
                "cb_etiquet": f"{ltype}-{code}",
                "cb_cabphy": f"CB-{code}",
                "cb_nd1": ends[0],
                "cb_nd2": ends[1],
                "cb_ba1": racks[0],
                "cb_ba2": racks[1],
                "cb_bp1": boxes[0],
                "cb_bp2": boxes[1],
                "cb_r1_code": NETWORK_CODE,
                "cb_r2_code": refs[0],
                "cb_r3_code": refs[1],
                "cb_prop": OWNER,
                "cb_gest": OWNER,
                "cb_proptyp": "CST",
                "cb_statut": STATUT,
                "cb_avct": "C",
                "cb_abandon": "0",
                "cb_typephy": "C",
                "cb_typelog": ltype,
                "cb_fo_type": FIBRE_TYPE,
                "cb_rf_code": f"RF-CA-{size:03d}FO",
                "cb_capafo": size,
                "cb_fo_util": min(used, size),
                "cb_fo_disp": max(size - used, 0),
                "cb_modulo": 12 if size >= 24 else 6,
            }
        )

    clock.lap("setup")
    for (tree, ltype), rows in sorted(by_tree.items()):
        root = site_node.get(tree)
        oriented, depth, unreached = _orient(rows, a, b, root or "", length)
        if unreached or root is None:
            log.warning("tree %s: %d links not reached from its root", tree, len(unreached))
        for n, d in depth.items():
            depth_all[(tree, n)] = d
        out_edges: dict[str, list[int]] = defaultdict(list)
        in_edges: dict[str, list[int]] = defaultdict(list)
        for r, (u, w) in oriented.items():
            out_edges[u].append(r)
            in_edges[w].append(r)
        nodes = set(out_edges) | set(in_edges)
        refs: tuple[str | None, str | None] = (
            (tree, None) if ltype == "TR" else (parent.get(tree), tree)
        )

        def kind(r: int) -> tuple[int, int]:
            return int(size_of[r]), int(count_of[r])

        breaks: set[str] = set()
        for n in nodes:
            ins, outs = in_edges.get(n, []), out_edges.get(n, [])
            ends_here = n == root or len(outs) != 1 or len(ins) != 1 or bool(own.get((tree, n)))
            if ends_here or kind(ins[0]) != kind(outs[0]):
                breaks.add(n)
        # the box (or rack) each break node offers
        head: dict[str, tuple[str | None, str | None]] = {}  # node -> (rack, box)
        for n in sorted(breaks):
            if n == root:
                head[n] = (rack.get(tree), None)
                continue
            sids = own.get((tree, n), [])
            if ltype == "TR" and sids:
                head[n] = (rack[sids[0]], None)
                continue
            if ltype == "DI" and sids:
                _boxes_at(sids, n, cap, add_box)
                _stubs(tree, ltype, sids, n, cap, refs, add_cable)
                head[n] = (None, f"BP-{sids[0]}")
                continue
            sizes = [int(size_of[r]) for r in in_edges.get(n, []) + out_edges.get(n, [])]
            code = f"BP-{tree}-E{_num(n)}"
            add_box(code, f"{tree}-E{_num(n)}", n, box_type(max(sizes)), "BPE", "splice")
            head[n] = (None, code)
        # chains of links from one break node to the next
        chains: list[tuple[str, str, list[int]]] = []
        for n in sorted(breaks):
            for r in sorted(out_edges.get(n, [])):
                path = [r]
                w = oriented[r][1]
                while w not in breaks:
                    nxt = out_edges[w][0]
                    path.append(nxt)
                    w = oriented[nxt][1]
                chains.append((n, w, path))
        numbers: dict[int, int] = defaultdict(int)
        for u, w, path in sorted(chains, key=lambda c: (kind(c[2][0]), c[0], c[1], c[2])):
            size, count = kind(path[0])
            numbers[size] += 1
            k = numbers[size]
            coords: list[np.ndarray] = []
            at = u
            for r in path:
                c = flat[offsets[r] : offsets[r + 1]]
                if a[r] != at:
                    c = c[::-1]
                coords.append(c if not coords else c[1:])
                at = oriented[r][1]
            line_coords.append(np.concatenate(coords))
            geom = len(line_coords) - 1
            used = int(max(fibres_of[r] for r in path))
            for j in range(1, count + 1):
                code = f"{tree}-{size:03d}-{k:03d}" + (f"-{j}" if count > 1 else "")
                add_cable(
                    code,
                    ltype,
                    size,
                    used,
                    (u, w),
                    (head[u][0], head[w][0]),
                    (head[u][1], head[w][1]),
                    refs,
                )
                cl_rows.append(
                    {"cl_code": f"CL-{code}", "cl_cb_code": f"CB-{code}", "geometry": geom}
                )
                cc_rows.extend((f"CB-{code}", cm_of[r]) for r in path)

    clock.lap("trees")
    # PBOs at their PM's node: boxes in the PM's local, each fed from its rack (no path)
    for pm in sorted(rack):
        if stype[pm] != "PM":
            continue
        n = site_node[pm]
        for sid in own.get((pm, n), []):
            kind_bp = box_type(cap[sid] or 1.0)
            add_box(f"BP-{sid}", sid, n, kind_bp, "PBO", "in the PM", local=f"LC-{pm}")
            add_cable(
                f"{sid}-R",
                "DI",
                int(kind_bp[1:]),
                int(cap[sid]),
                (n, n),
                (rack[pm], None),
                (None, f"BP-{sid}"),
                (parent.get(pm), pm),
            )
    boxed = {r["bp_code"] for r in bp_rows}
    lost = [s for s in sorted(stype) if stype[s] == "PBO" and f"BP-{s}" not in boxed]
    if lost:
        log.warning("%d PBOs not on a link of their PM's tree: boxed, fed by no cable", len(lost))
        for sid in lost:
            _boxes_at([sid], site_node[sid], cap, add_box)
    clock.lap("pbo in pm")
    ebp = _frame(bp_rows).drop(columns="_note")
    cable = _frame(cb_rows)
    lines = shapely.linestrings(
        np.concatenate(line_coords) if line_coords else np.zeros((0, 2)),
        indices=np.repeat(np.arange(len(line_coords)), [len(c) for c in line_coords]),
    )
    cl = _frame(cl_rows)
    cableline = gpd.GeoDataFrame(
        cl.drop(columns="geometry") if len(cl) else cl,
        geometry=lines[cl["geometry"].to_numpy(dtype=int)] if len(cl) else [],
        crs=crs,
    )
    cab_chem = (
        pd.DataFrame(cc_rows, columns=["cc_cb_code", "cc_cm_code"])
        .drop_duplicates()
        .sort_values(["cc_cb_code", "cc_cm_code"])
        .reset_index(drop=True)
    )

    clock.lap("tables")
    # --- technical points (v2's, and those added at site nodes), reception points, trenches
    ptech = pd.concat([pt, pd.DataFrame(extra_pt)], ignore_index=True)
    ptech = ptech.assign(pt_abandon="0").drop(columns=["pt_typelog"]).sort_values("pt_code")
    ptech = point_owners(ptech.reset_index(drop=True), v2.cheminement)
    nd = v2.noeud
    typephy = dict(zip(v2.ptech["pt_nd_code"], v2.ptech["pt_typephy"], strict=True))
    nature = dict(zip(v2.ptech["pt_nd_code"], v2.ptech["pt_nature"], strict=True))
    site_kind = {
        n: ("SHE" if any(stype.get(s) == "NRO" for s in c.split(" ")) else "ADR")
        for n, c in zip(st["st_nd_code"], st["st_nom"], strict=True)
    }
    codes = nd["nd_code"].to_numpy(dtype=object)
    pa_type = [
        site_kind[n] if n in site_kind else ("APP" if typephy.get(n) == "A" else "CHB")
        for n in codes
    ]
    pole = np.array([t == "APP" for t in pa_type], dtype=bool)
    owners = [
        OWNER if n in site_kind else p for n, p in zip(codes, _owner_of(ptech, codes), strict=True)
    ]
    pointaccueil = gpd.GeoDataFrame(
        {
            "pa_code": "PA-" + nd["nd_code"].str[3:],
            "pa_codtemp": "bthd-" + nd["nd_code"],
            "pa_typephy": pa_type,
            "pa_nature": [nature.get(n, "IND") for n in codes],
            "pa_a_haut": np.where(pole, POLE_HEIGHT_M, np.nan),
            "pa_a_struc": [POLE_STRUCTURE if x else None for x in pole],
            "pa_prop": owners,
            "pa_gest": owners,
        },
        geometry=nd.geometry.to_numpy(),
        crs=crs,
    )
    cm = v2.cheminement
    new = cm["cm_avct"] == "C"
    cheminement = gpd.GeoDataFrame(
        {
            "cm_code": cm["cm_code"],
            "cm_ndcode1": cm["cm_ndcode1"],
            "cm_ndcode2": cm["cm_ndcode2"],
            "cm_prop": cm["cm_prop_do"],
            "cm_gest": cm["cm_gest_do"],
            "cm_statut": STATUT,
            "cm_avct": cm["cm_avct"],
            "cm_typelog": cm["cm_typelog"],
            "cm_typ_imp": cm["cm_typ_imp"],
            "cm_compo": [
                NEW_DUCTS if x else REUSED_POLES if imp == "0" else REUSED_DUCTS
                for x, imp in zip(new, cm["cm_typ_imp"], strict=True)
            ],
        },
        geometry=cm.geometry.to_numpy(),
        crs=crs,
    )
    tr = cm[new]
    tranchee = gpd.GeoDataFrame(
        {
            "tr_code": "TR-" + tr["cm_code"].str[3:],
            "tr_compo": NEW_DUCTS,
            "tr_couptyp": TRENCH_REFERENCE,
            "tr_pa1": "PA-" + tr["cm_ndcode1"].str[3:],
            "tr_pa2": "PA-" + tr["cm_ndcode2"].str[3:],
        },
        geometry=tr.geometry.to_numpy(),
        crs=crs,
    )
    noeud = gpd.GeoDataFrame({"nd_code": nd["nd_code"]}, geometry=nd.geometry.to_numpy(), crs=crs)
    clock.lap("points")
    return Network3(
        noeud=noeud,
        sites=pd.DataFrame(site_rows),
        locaux=pd.DataFrame(lc_rows),
        baies=pd.DataFrame(ba_rows),
        pointaccueil=pointaccueil,
        ptech=ptech,
        tranchee=tranchee,
        ebp=ebp.sort_values("bp_code").reset_index(drop=True),
        cheminement=cheminement,
        cable=cable,
        cableline=cableline,
        cab_chem=cab_chem,
        site_node=site_node,
        depth=depth_all,
    )


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Rows (dicts with the same keys) as a DataFrame of object columns, built column-wise."""
    if not rows:
        return pd.DataFrame()
    keys = list(rows[0])
    return pd.DataFrame(
        {k: np.array([r[k] for r in rows], dtype=object) for k in keys}, dtype=object
    )


def _owner_of(ptech: pd.DataFrame, nodes: np.ndarray) -> list[str]:
    own = dict(
        zip(
            ptech["pt_nd_code"].to_numpy(dtype=object),
            ptech["pt_prop"].to_numpy(dtype=object),
            strict=True,
        )
    )
    return [own.get(n, OWNER) for n in nodes]


def _boxes_at(pbos: list[str], n: str, cap: dict[str, float], add_box: object) -> None:
    for sid in pbos:
        add_box(  # type: ignore[operator]
            f"BP-{sid}", sid, n, box_type(cap[sid] or 1.0), "PBO", f"PBO of {int(cap[sid])} locaux"
        )


def _stubs(
    tree: str,
    ltype: str,
    pbos: list[str],
    n: str,
    cap: dict[str, float],
    refs: tuple[str | None, str | None],
    add_cable: object,
) -> None:
    """The other PBOs of a tree at one node, fed from the first by a cable of their size."""
    for sid in pbos[1:]:
        size = int(box_type(cap[sid] or 1.0)[1:])
        add_cable(  # type: ignore[operator]
            f"{sid}-P",
            ltype,
            size,
            int(cap[sid]),
            (n, n),
            (None, None),
            (f"BP-{pbos[0]}", f"BP-{sid}"),
            refs,
        )


__all__ = ["CIVIL_WORKS_OWNER", "Network3", "build_network3"]
