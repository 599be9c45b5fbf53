"""The topology rules topo_0001..0013 of the suite dbt-grace-thd, vectorised.

As the suite's SQL models define them (``param_ctrl_topo.csv`` switches them per container):

* topo_0001/0002: a path's ``cm_ndcode1``/``cm_ndcode2`` node more than 0.01 m from both of the
  path's ends (distance rounded to the mm; a multi-part path that does not merge into one line
  has no ends and is not judged, nor is a path whose node is unknown);
* topo_0003/0004: the same for a cable's ``cb_nd1``/``cb_nd2`` and each of its cable lines;
* topo_0005/0006: ``cb_bp1``/``cb_bp2`` a box whose node (its technical point's, else its
  room's site's) is not the cable's ``cb_nd1``/``cb_nd2``;
* topo_0007: a ZSRO not within its ZNRO (``zs_zn_code``) grown by 100 m, or without one;
* topo_0008/0009: ``cb_ba1``/``cb_ba2`` a rack whose room's site is not on the cable's end;
* topo_0010/0011: a cable other than RA (raccordement) whose end node no path reaches;
* topo_0012: a cable whose cable lines' length and the sum of its paths' lengths
  (t_cab_chem) differ by more than 10 % of the cable's length;
* topo_0013: a cable line whose geometry is not valid (OGC).

Not for: the business rules (:mod:`.rules_metier`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from bthd.export.gracethd.findings import Finding
from bthd.export.gracethd.v3._rows import Tables, col, flag, geoms

_TOL = 0.01


def node_geoms(t: Tables) -> pd.Series:
    nd = t.get("t_noeud")
    g = geoms(nd)
    if not len(g):
        return pd.Series([], dtype=object)
    s = pd.Series(g, index=col(nd, "nd_code").to_numpy())
    return s[~s.index.duplicated()]


def _end_distance(lines: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Distance from each node to the nearer end of its line (NaN when either is unknown)."""
    nodes = np.asarray(nodes, dtype=object).copy()
    nodes[pd.isna(nodes)] = None
    merged = shapely.line_merge(lines)
    single = shapely.get_type_id(merged) == 1
    a = np.where(single, shapely.get_point(merged, 0), None)
    b = np.where(single, shapely.get_point(merged, -1), None)
    return np.fmin(shapely.distance(a, nodes), shapely.distance(b, nodes))


def ends_near(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """topo_0001-0004: nodes on the ends of their path or cable line within 0.01 m."""
    where = node_geoms(t)
    chem = t.get("t_cheminement")
    g = geoms(chem)
    if chem is not None and len(g):
        for rule, end in (("topo_0001", "cm_ndcode1"), ("topo_0002", "cm_ndcode2")):
            if rule not in rules:
                continue
            nodes = col(chem, end).map(where).to_numpy()
            d = np.round(_end_distance(g, nodes), 3)
            flag(
                out,
                rule,
                "t_cheminement",
                chem,
                d > _TOL,
                f"{end} more than {_TOL} m from both ends of the path",
                f"snap the path's end onto its node {end}, or correct {end}",
            )
    cable, line = t.get("t_cable"), t.get("t_cableline")
    gl = geoms(line)
    if cable is None or not len(gl):
        return
    pairs = pd.DataFrame({"cb_code": col(line, "cl_cb_code").to_numpy(), "geom": gl})
    pairs = pairs.merge(
        pd.DataFrame({"cb_code": col(cable, "cb_code"), "row": np.arange(len(cable))}),
        on="cb_code",
    )
    for rule, end in (("topo_0003", "cb_nd1"), ("topo_0004", "cb_nd2")):
        if rule not in rules or not len(pairs):
            continue
        nodes = col(cable, end).to_numpy()[pairs["row"].to_numpy()]
        d = np.round(
            _end_distance(pairs["geom"].to_numpy(), pd.Series(nodes).map(where).to_numpy()), 6
        )
        bad = np.zeros(len(cable), dtype=bool)
        bad[pairs["row"].to_numpy()[d > _TOL]] = True
        flag(
            out,
            rule,
            "t_cable",
            cable,
            bad,
            f"{end} more than {_TOL} m from both ends of the cable line",
            f"snap the cable line's end onto its node {end}, or correct {end}",
        )


_BOXES: dict[int, tuple[Tables, pd.Series]] = {}


def box_nodes(t: Tables) -> pd.Series:
    """The node of each box: its technical point's, else its room's site's (by bp_code)."""
    hit = _BOXES.get(id(t))
    if hit is not None and hit[0] is t:
        return hit[1]
    _BOXES.clear()
    _BOXES[id(t)] = (t, _box_nodes(t))
    return _BOXES[id(t)][1]


def forget(t: Tables) -> None:
    """Forget what :func:`box_nodes` kept of the tables ``t`` (end of a check)."""
    _BOXES.pop(id(t), None)


def _box_nodes(t: Tables) -> pd.Series:
    ebp, ptech, local, site = (t.get(n) for n in ("t_ebp", "t_ptech", "t_local", "t_site"))
    if ebp is None:
        return pd.Series([], dtype=object)
    pt = pd.Series(col(ptech, "pt_nd_code").to_numpy(), index=col(ptech, "pt_code").to_numpy())
    st = pd.Series(col(site, "st_nd_code").to_numpy(), index=col(site, "st_code").to_numpy())
    lc = pd.Series(col(local, "lc_st_code").to_numpy(), index=col(local, "lc_code").to_numpy())
    pt, st, lc = (x[~x.index.duplicated()] for x in (pt, st, lc))
    by_pt = col(ebp, "bp_pt_code").map(pt).replace("", np.nan)
    by_lc = col(ebp, "bp_lc_code").map(lc).map(st).replace("", np.nan)
    node = by_pt.astype(object).fillna(by_lc).astype(object).fillna("")
    out = pd.Series(node.to_numpy(), index=col(ebp, "bp_code").to_numpy())
    return out[~out.index.duplicated()]


def _rack_nodes(t: Tables) -> pd.Series:
    """The node of each rack through its room and site (missing when either is unknown)."""
    baie, local, site = (t.get(n) for n in ("t_baie", "t_local", "t_site"))
    if baie is None:
        return pd.Series([], dtype=object)
    st = pd.Series(col(site, "st_nd_code").to_numpy(), index=col(site, "st_code").to_numpy())
    lc = pd.Series(col(local, "lc_st_code").to_numpy(), index=col(local, "lc_code").to_numpy())
    st, lc = (x[~x.index.duplicated()] for x in (st, lc))
    node = col(baie, "ba_lc_code").map(lc).map(st)
    out = pd.Series(node.to_numpy(), index=col(baie, "ba_code").to_numpy())
    return out[~out.index.duplicated()]


def ends_equipment(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """topo_0005/0006 (boxes) and topo_0008/0009 (racks) on the cable's end nodes."""
    cable = t.get("t_cable")
    if cable is None or not len(cable):
        return
    boxes, racks = box_nodes(t), _rack_nodes(t)
    for rule, ref, end, where, what in (
        ("topo_0005", "cb_bp1", "cb_nd1", boxes, "box"),
        ("topo_0006", "cb_bp2", "cb_nd2", boxes, "box"),
        ("topo_0008", "cb_ba1", "cb_nd1", racks, "rack"),
        ("topo_0009", "cb_ba2", "cb_nd2", racks, "rack"),
    ):
        if rule not in rules:
            continue
        code = col(cable, ref)
        known = (code != "") & code.isin(where.index)
        node = code.map(where)
        node_of = node.astype(object).fillna("")
        if what == "box":  # IS DISTINCT FROM: a box without a node differs from any end
            bad = known & (node_of != col(cable, end))
        else:  # inner joins: a rack whose room or site is unknown is not judged
            bad = known & node.notna() & ((node_of == "") | (node_of != col(cable, end)))
        flag(
            out,
            rule,
            "t_cable",
            cable,
            bad,
            f"{ref}: the {what} is not on the cable's end node {end}",
            f"correct {ref} or {end}",
        )


def zsro_in_znro(t: Tables, out: list[Finding]) -> None:
    """topo_0007: every ZSRO within its ZNRO grown by 100 m."""
    zs, zn = t.get("t_zsro"), t.get("t_znro")
    gs = geoms(zs)
    if zs is None or not len(gs):
        return
    gn = pd.Series(geoms(zn), index=col(zn, "zn_code").to_numpy(), dtype=object)
    gn = gn[~gn.index.duplicated()]
    grown = pd.Series(shapely.buffer(gn.to_numpy(), 100.0), index=gn.index, dtype=object)
    parent = col(zs, "zs_zn_code").map(grown).to_numpy()
    inside = np.zeros(len(gs), dtype=bool)
    known = ~pd.isna(parent) & ~shapely.is_missing(gs)
    inside[known] = shapely.within(gs[known], np.asarray(parent[known], dtype=object))
    flag(
        out,
        "topo_0007",
        "t_zsro",
        zs,
        ~inside,
        "ZSRO not within its ZNRO (zs_zn_code, 100 m tolerance)",
        "draw the ZSRO inside its ZNRO, or correct zs_zn_code",
    )


def paths_at_ends(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """topo_0010/0011: a cable other than RA has a path at each end node."""
    cable, chem = t.get("t_cable"), t.get("t_cheminement")
    if cable is None or not len(cable):
        return
    reached = set(col(chem, "cm_ndcode1")) | set(col(chem, "cm_ndcode2"))
    reached.discard("")
    typelog = col(cable, "cb_typelog")
    judged = (typelog != "") & (typelog != "RA")
    for rule, end, word in (("topo_0010", "cb_nd1", "start"), ("topo_0011", "cb_nd2", "end")):
        if rule not in rules:
            continue
        bad = judged & ~col(cable, end).isin(reached)
        flag(
            out,
            rule,
            "t_cable",
            cable,
            bad,
            f"no path (t_cheminement) at the cable's {word} node {end} (cables other than RA)",
            "add the path the cable runs in, or correct the node",
        )


def length_vs_paths(t: Tables, out: list[Finding]) -> None:
    """topo_0012: cable length and the sum of its paths' lengths within 10 %."""
    cable, line, cc, chem = (
        t.get(n) for n in ("t_cable", "t_cableline", "t_cab_chem", "t_cheminement")
    )
    gl = geoms(line)
    if cable is None or not len(gl):
        return
    length = pd.Series(shapely.length(gl), index=col(line, "cl_cb_code").to_numpy())
    length = length.groupby(level=0).sum()
    cm_len = pd.Series(shapely.length(geoms(chem)), index=col(chem, "cm_code").to_numpy())
    cm_len = cm_len[~cm_len.index.duplicated()]
    if cc is not None and len(cc):
        per = col(cc, "cc_cm_code").map(cm_len)
        paths = pd.Series(per.to_numpy(), index=col(cc, "cc_cb_code").to_numpy())
        paths = paths.dropna().groupby(level=0).sum()
    else:
        paths = pd.Series([], dtype=float)
    cab_len = col(cable, "cb_code").map(length).astype(float)
    cab_paths = col(cable, "cb_code").map(paths).astype(float).fillna(0.0)
    bad = (cab_len > 0) & (cab_paths > 0) & ((cab_len - cab_paths).abs() > 0.1 * cab_len)
    flag(
        out,
        "topo_0012",
        "t_cable",
        cable,
        bad,
        "the cable's length and the sum of its paths' lengths differ by more than 10 %",
        "check the cable's paths (t_cab_chem) and its drawing",
    )


def cableline_valid(t: Tables, out: list[Finding]) -> None:
    """topo_0013: valid OGC geometry of every cable line."""
    line = t.get("t_cableline")
    g = geoms(line)
    if line is None or not len(g):
        return
    bad = ~shapely.is_missing(g) & ~shapely.is_valid(g)
    flag(
        out,
        "topo_0013",
        "t_cableline",
        line,
        bad,
        "invalid cable line geometry (OGC)",
        "repair it (make_valid) or draw it again",
    )


def check_topology(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """Append the findings of the topo rules in ``rules`` (those switched on)."""
    ends_near(t, rules, out)
    ends_equipment(t, rules, out)
    if "topo_0007" in rules:
        zsro_in_znro(t, out)
    paths_at_ends(t, rules, out)
    if "topo_0012" in rules:
        length_vs_paths(t, out)
    if "topo_0013" in rules:
        cableline_valid(t, out)


__all__ = ["box_nodes", "check_topology", "forget", "node_geoms"]
