"""Topology and business rules of a GraceTHD delivery read back (part of the checker).

Nodes on the ends of paths and cables (topo_0001-0004, within :data:`NODE_TOLERANCE`), cable
ends on a path (topo_0010/0011), valid geometries (topo_0013), cables with a geometry
(metier_0003), boxes in a point or room (metier_0004), no logical type NC (metier_0007/0017),
ZSRO inside its ZNRO (topo_0007), ZPBO inside its ZSRO (co_1_g00003) and every address in
exactly one ZPBO.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd.export.gracethd.findings import Finding, empty_values, ids
from bthd.export.gracethd.schema import PRIMARY_KEYS, SPATIAL

#: Distance (m) within which a node stands on the end of a path or cable (topo_0001-0004).
NODE_TOLERANCE = 0.01
#: Area (m²) of a zone allowed outside its parent zone (rounding of shared boundaries).
AREA_TOLERANCE = 1.0


def _ends(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)


def check_topology(tables: dict[str, pd.DataFrame], out: list[Finding]) -> None:
    """Append to ``out`` the topology and business-rule findings of the tables read."""
    for table in SPATIAL:
        df = tables.get(table)
        if isinstance(df, gpd.GeoDataFrame) and len(df):
            g = df.geometry.to_numpy()
            bad = ~shapely.is_valid(g) | shapely.is_empty(g) | shapely.is_missing(g)
            if bad.any():
                out.append(
                    Finding(
                        "topo_0013" if table == "t_cableline" else "bthd_geom",
                        table,
                        "invalid or empty geometries (OGC)",
                        ids(df.loc[bad, PRIMARY_KEYS[table]]),
                        "repair them (make_valid) or draw them again",
                    )
                )
    noeud = tables.get("t_noeud")
    if not isinstance(noeud, gpd.GeoDataFrame):
        return
    where = dict(zip(noeud["nd_code"], noeud.geometry.to_numpy(), strict=True))
    chem = tables.get("t_cheminement")
    if isinstance(chem, gpd.GeoDataFrame) and len(chem):
        a, b = _ends(chem.geometry.to_numpy())
        for control, col, end in (("topo_0001", "cm_ndcode1", a), ("topo_0002", "cm_ndcode2", b)):
            _near(chem, col, "cm_code", end, where, control, "t_cheminement", out)
    cable, line = tables.get("t_cable"), tables.get("t_cableline")
    if cable is not None and isinstance(line, gpd.GeoDataFrame) and "cb_code" in cable.columns:
        geo = line.drop_duplicates("cl_cb_code").set_index("cl_cb_code").geometry
        has = cable["cb_code"].isin(geo.index)
        if (~has).any():
            out.append(
                Finding(
                    "metier_0003",
                    "t_cable",
                    "cables without a geometry in t_cableline (rule co_1_m00003)",
                    ids(cable.loc[~has, "cb_code"]),
                    "add their t_cableline row",
                )
            )
        c = cable[has].reset_index(drop=True)
        g = geo.loc[c["cb_code"]].to_numpy()
        a, b = _ends(g)
        for control, col in (("topo_0003", "cb_nd1"), ("topo_0004", "cb_nd2")):
            pts = [where.get(n) for n in c[col]]
            ok = np.array(
                [
                    p is None
                    or min(shapely.distance(p, x), shapely.distance(p, y)) <= NODE_TOLERANCE
                    for p, x, y in zip(pts, a, b, strict=True)
                ],
                dtype=bool,
            )
            if (~ok).any():
                out.append(
                    Finding(
                        control,
                        "t_cable",
                        f"{col} more than {NODE_TOLERANCE} m from both ends of the cable",
                        ids(c.loc[~ok, "cb_code"]),
                        "put the node on the end of the cable geometry",
                    )
                )
        if isinstance(chem, gpd.GeoDataFrame):
            on_path = set(chem["cm_ndcode1"]) | set(chem["cm_ndcode2"])
            for control, col in (("topo_0010", "cb_nd1"), ("topo_0011", "cb_nd2")):
                off = cable[~cable[col].isin(on_path) & ~empty_values(cable[col])]
                if len(off):
                    out.append(
                        Finding(
                            control,
                            "t_cable",
                            f"{col} is the end of no path (cheminement)",
                            ids(off["cb_code"]),
                            "model the paths the cable runs in",
                        )
                    )
    for table, col, code in (
        ("t_cable", "cb_typelog", "cb_code"),
        ("t_cheminement", "cm_typelog", "cm_code"),
    ):
        df = tables.get(table)
        if df is not None and col in df.columns:
            nc = df[df[col] == "NC"]
            if len(nc):
                out.append(
                    Finding(
                        "metier_0007" if table == "t_cable" else "metier_0017",
                        table,
                        f"{col} = NC (non communiqué)",
                        ids(nc[code]),
                        "give the logical type (TR, DI...)",
                    )
                )
    ebp = tables.get("t_ebp")
    if ebp is not None and {"bp_pt_code", "bp_lt_code"} <= set(ebp.columns):
        lost = ebp[empty_values(ebp["bp_pt_code"]) & empty_values(ebp["bp_lt_code"])]
        if len(lost):
            out.append(
                Finding(
                    "metier_0004",
                    "t_ebp",
                    "boxes in no technical point nor room",
                    ids(lost["bp_code"]),
                    "fill bp_pt_code or bp_lt_code",
                )
            )
    _check_zones(tables, out)


def _near(
    df: gpd.GeoDataFrame,
    col: str,
    code: str,
    ends: np.ndarray,
    where: dict[str, object],
    control: str,
    table: str,
    out: list[Finding],
) -> None:
    pts = np.array([where.get(n) for n in df[col]], dtype=object)
    known = np.array([p is not None for p in pts], dtype=bool)
    dist = np.full(len(df), 0.0)
    if known.any():
        dist[known] = shapely.distance(pts[known].astype(object), ends[known])
    bad = dist > NODE_TOLERANCE
    if bad.any():
        out.append(
            Finding(
                control,
                table,
                f"{col} more than {NODE_TOLERANCE} m from the end of the geometry",
                ids(df.loc[bad, code]),
                "put the node on the end of the path",
            )
        )


def _inside(
    child: gpd.GeoDataFrame,
    parent: gpd.GeoDataFrame,
    fk: str,
    pk: str,
    ppk: str,
    control: str,
    table: str,
    out: list[Finding],
) -> None:
    geo = parent.drop_duplicates(ppk).set_index(ppk).geometry
    c = child[child[fk].isin(geo.index)]
    if not len(c):
        return
    g = c.geometry.to_numpy()
    p = geo.loc[c[fk]].to_numpy()
    outside = shapely.area(shapely.difference(g, p))
    bad = outside > np.maximum(AREA_TOLERANCE, 1e-6 * shapely.area(g))
    if bad.any():
        out.append(
            Finding(
                control,
                table,
                f"zones not inside their parent zone ({fk})",
                ids(c.loc[bad, pk]),
                "clip them to the parent zone",
            )
        )


def _check_zones(tables: dict[str, pd.DataFrame], out: list[Finding]) -> None:
    zn, zs, zp = tables.get("t_znro"), tables.get("t_zsro"), tables.get("t_zpbo")
    if isinstance(zs, gpd.GeoDataFrame) and isinstance(zn, gpd.GeoDataFrame):
        _inside(zs, zn, "zs_zn_code", "zs_code", "zn_code", "topo_0007", "t_zsro", out)
    if isinstance(zp, gpd.GeoDataFrame) and isinstance(zs, gpd.GeoDataFrame):
        _inside(zp, zs, "zp_zs_code", "zp_code", "zs_code", "co_1_g00003", "t_zpbo", out)
    ad = tables.get("t_adresse")
    if isinstance(ad, gpd.GeoDataFrame) and isinstance(zp, gpd.GeoDataFrame) and len(zp):
        tree = shapely.STRtree(zp.geometry.to_numpy())
        idx_pt, _ = tree.query(ad.geometry.to_numpy(), predicate="intersects")
        hits = np.bincount(idx_pt, minlength=len(ad))
        for bad, what in ((hits == 0, "in no PBO zone"), (hits > 1, "in several PBO zones")):
            if bad.any():
                out.append(
                    Finding(
                        "bthd_zpbo",
                        "t_adresse",
                        f"addresses {what} (each address is in exactly one t_zpbo)",
                        ids(ad.loc[bad, "ad_code"]),
                        "draw the PBO zones so that they partition the addresses",
                    )
                )
