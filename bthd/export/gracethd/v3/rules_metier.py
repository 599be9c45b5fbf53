"""The business rules metier_0001..0020 of the suite dbt-grace-thd, and bthd's zone checks.

As the suite's SQL models define them (``param_ctrl_metier.csv`` switches them per container):

* 0001 a tube/fibre number pair twice in one cable (t_fibre); 0010/0011 a fibre in several
  positions' ``ps_1``/``ps_2``; 0013 a cable spliced in more than 2 boxes (fibre → position →
  cassette → box);
* 0002 a BPE or PBO that no cable ends in (``cb_bp2``); 0004 a box with neither
  ``bp_pt_code`` nor ``bp_lc_code``;
* 0003 a distribution (DI) cable without cable line whose two ends' supports differ (see the
  note below); 0012 a
  cable without cable line whose two end nodes differ; 0018 a cable line (of a cable other than
  RA) longer than 0 with no path in t_cab_chem;
* 0005 ``ad_nbfotth`` other than ``ad_nblres + ad_nblpro + ad_nblent + ad_nblpub`` (null when
  any is); 0006 the number of locals of the address's sites other than that sum;
* 0007/0017 a cable/path of logical type NC;
* 0008 a ZSRO's ``zs_r3_code`` other than its room's ``lc_codeext``; 0020 a room that is the
  ``zs_lc_code`` of several ZSRO;
* 0009 an address point within more than one ZSRO;
* 0014 a path between two technical points of one owner that it does not share;
* 0015 an NRO room on the node of another NRO room; 0016 an NRO room that no ZNRO names;
* 0019 two supports named ``...-FT-<name>`` alike less than 50 m apart.

bthd adds, for the zone nesting ``bthd validate`` promises (v3 has no PBO zone table, so
"every address in exactly one PBO zone" cannot be checked): ``bthd_local_pbo`` (an FTTH local
without its PBO ``lc_bp_codf``; RES and PRO are ctrl_rc_0602's) and ``bthd_address_zsro`` (the
locals of one address served by PBOs in different ZSRO).

**One reading of bthd's own (metier_0003).** The suite's SQL takes a cable end's support from
its box only (``cb_bp1``/``cb_bp2`` → ``bp_pt_code`` or ``bp_lc_code``), so a cable that starts
at a rack (``cb_ba1``, as every distribution cable leaving a PM does) has no upstream support,
and a cable without geometry from a PM's rack to a PBO box in the same PM local (the feed of a
PBO the design puts at its PM) would count as joining two different places. bthd takes the
support of an end without a box from its rack (``t_baie.ba_lc_code``), so such a cable passes,
as the rule's purpose (a cable without geometry must join two equipments in one place) wants;
a cable between a rack and a box in different places is still reported.

Not for: the topology rules (:mod:`.rules_topo`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from bthd.export.gracethd.findings import Finding
from bthd.export.gracethd.v3._rows import (
    Tables,
    col,
    filled,
    flag,
    geoms,
    lookup,
    positions,
    repeated,
    text,
)
from bthd.export.gracethd.v3.rules_topo import box_nodes, node_geoms


def _index(df: pd.DataFrame | None, key: str, value: str) -> pd.Series:
    s = pd.Series(col(df, value).to_numpy(), index=col(df, key).to_numpy(), dtype=object)
    return s[~s.index.duplicated()]


def _num(df: pd.DataFrame, name: str) -> pd.Series:
    """Decimal numbers of a column (NaN for blanks and other text), parsed by arrow."""
    if name not in df.columns:
        return pd.Series(np.nan, index=df.index)
    arrow = pa.array(text(df, name))
    ok = pc.match_substring_regex(arrow, r"^\s*[+-]?[0-9]+(\.[0-9]*)?\s*$")
    clean = pc.utf8_trim_whitespace(pc.if_else(ok, arrow, "0"))
    values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
    mask = ok.to_numpy(zero_copy_only=False)
    return pd.Series(np.where(mask, values, np.nan), index=df.index)


def _repeated(v: pd.Series, given: pd.Series) -> pd.Series:
    return repeated(v, given)


def fibres(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """metier_0001, 0010, 0011, 0013: fibres, positions and splicing."""
    fo, ps = t.get("t_fibre"), t.get("t_position")
    if "metier_0001" in rules and fo is not None and len(fo):
        given = filled(fo, "fo_cb_code") & filled(fo, "fo_numtub") & filled(fo, "fo_nintub")
        key = col(fo, "fo_cb_code") + "|" + col(fo, "fo_numtub") + "|" + col(fo, "fo_nintub")
        flag(
            out,
            "metier_0001",
            "t_fibre",
            fo,
            _repeated(key, given),
            "tube/fibre numbers (fo_numtub, fo_nintub) repeated in one cable",
            "number each fibre of a cable once",
        )
    if ps is None or not len(ps):
        return
    for rule, name in (("metier_0010", "ps_1"), ("metier_0011", "ps_2")):
        if rule in rules:
            flag(
                out,
                rule,
                "t_position",
                ps,
                _repeated(col(ps, name), filled(ps, name)),
                f"fibre in several positions' {name}",
                "route each fibre through one position",
            )
    cable = t.get("t_cable")
    if "metier_0013" in rules and fo is not None and cable is not None:
        box = col(ps, "ps_cs_code").map(_index(t.get("t_cassette"), "cs_code", "cs_bp_code"))
        known_bp = set(col(t.get("t_ebp"), "bp_code"))
        links = pd.concat(
            [
                pd.DataFrame({"fo": col(ps, c).to_numpy(), "bp": box.to_numpy()})
                for c in ("ps_1", "ps_2")
            ]
        )
        links = links[links["bp"].isin(known_bp) & (links["fo"] != "")]
        links["cb"] = links["fo"].map(_index(fo, "fo_code", "fo_cb_code"))
        per = links.dropna().groupby("cb")["bp"].nunique()
        flag(
            out,
            "metier_0013",
            "t_cable",
            cable,
            col(cable, "cb_code").map(per).fillna(0).gt(2),
            "cable spliced in more than 2 boxes (t_fibre → t_position → t_cassette)",
            "check the cable's splicing",
        )


def boxes(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """metier_0002 and 0004: boxes fed by a cable, boxes on a support."""
    ebp, cable = t.get("t_ebp"), t.get("t_cable")
    if ebp is None or not len(ebp):
        return
    if "metier_0002" in rules:
        fed = set(col(cable, "cb_bp2"))
        bad = col(ebp, "bp_typelog").isin(("BPE", "PBO")) & ~col(ebp, "bp_code").isin(fed)
        flag(
            out,
            "metier_0002",
            "t_ebp",
            ebp,
            bad,
            "BPE/PBO that no cable ends in (cb_bp2)",
            "give the cable that feeds the box its cb_bp2",
        )
    if "metier_0004" in rules:
        flag(
            out,
            "metier_0004",
            "t_ebp",
            ebp,
            ~filled(ebp, "bp_pt_code") & ~filled(ebp, "bp_lc_code"),
            "box with neither a technical point (bp_pt_code) nor a room (bp_lc_code)",
            "fill bp_pt_code or bp_lc_code",
        )


def cables(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """metier_0003, 0007, 0012, 0017, 0018: cables and paths."""
    cable, line, chem = t.get("t_cable"), t.get("t_cableline"), t.get("t_cheminement")
    if "metier_0017" in rules and chem is not None:
        bad = col(chem, "cm_typelog") == "NC"
        flag(out, "metier_0017", "t_cheminement", chem, bad, "path of logical type NC")
    if cable is None or not len(cable):
        return
    code = col(cable, "cb_code")
    drawn = code.isin(set(col(line, "cl_cb_code")))
    if "metier_0003" in rules:
        ebp = t.get("t_ebp")
        pt = col(ebp, "bp_pt_code").replace("", np.nan)
        support = pd.Series(
            pt.fillna(col(ebp, "bp_lc_code").replace("", np.nan)).to_numpy(),
            index=col(ebp, "bp_code").to_numpy(),
        )
        support = support[~support.index.duplicated()]
        baie = t.get("t_baie")
        room = pd.Series(
            col(baie, "ba_lc_code").replace("", np.nan).to_numpy(),
            index=col(baie, "ba_code").to_numpy(),
        )
        room = room[~room.index.duplicated()]
        # an end's support: its box's point or room, else its rack's room (see the docstring)
        ends = []
        for box_end, rack_end in (("cb_bp1", "cb_ba1"), ("cb_bp2", "cb_ba2")):
            by_box = col(cable, box_end).map(support).astype(object)
            by_rack = col(cable, rack_end).map(room).astype(object)
            ends.append(by_box.where(by_box.notna(), by_rack).where(lambda v: v.notna(), ""))
        a, b = ends
        bad = (col(cable, "cb_typelog") == "DI") & ~drawn & (a != b)
        flag(
            out,
            "metier_0003",
            "t_cable",
            cable,
            bad,
            "distribution cable without geometry (t_cableline) between two different supports",
            "draw the cable (t_cableline)",
        )
    if "metier_0007" in rules:
        flag(out, "metier_0007", "t_cable", cable, col(cable, "cb_typelog") == "NC", "cable NC")
    if "metier_0012" in rules:
        n1, n2 = col(cable, "cb_nd1"), col(cable, "cb_nd2")
        bad = ~drawn & (n1 != "") & (n2 != "") & (n1 != n2)
        flag(
            out,
            "metier_0012",
            "t_cable",
            cable,
            bad,
            "cable without geometry (t_cableline) between two different nodes",
            "draw the cable (t_cableline)",
        )
    gl = geoms(line)
    if "metier_0018" in rules and len(gl):
        in_paths = set(col(t.get("t_cab_chem"), "cc_cb_code"))
        typelog = _index(cable, "cb_code", "cb_typelog")
        lc = col(line, "cl_cb_code")
        tl = lc.map(typelog)
        long = np.round(shapely.length(gl), 2) > 0
        bad_cb = set(lc[tl.notna() & (tl != "") & (tl != "RA") & ~lc.isin(in_paths) & long])
        flag(
            out,
            "metier_0018",
            "t_cable",
            cable,
            code.isin(bad_cb),
            "cable drawn (length > 0) but in no path (t_cab_chem), other than RA",
            "list the paths the cable runs in (t_cab_chem)",
        )


def addresses(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """metier_0005, 0006, 0009 on t_adresse."""
    ad = t.get("t_adresse")
    if ad is None or not len(ad):
        return
    counts = [_num(ad, f) for f in ("ad_nblres", "ad_nblpro", "ad_nblent", "ad_nblpub")]
    total = counts[0] + counts[1] + counts[2] + counts[3]  # null when any is
    if "metier_0005" in rules:
        ftth = _num(ad, "ad_nbfotth")
        bad = ~((ftth == total) | (ftth.isna() & total.isna()))
        flag(
            out,
            "metier_0005",
            "t_adresse",
            ad,
            bad,
            "ad_nbfotth differs from ad_nblres + ad_nblpro + ad_nblent + ad_nblpub",
            "make ad_nbfotth the sum of the four counts (fill all four)",
        )
    if "metier_0006" in rules:
        site, local = t.get("t_site"), t.get("t_local")
        n_site: np.ndarray = np.zeros(len(site) if site is not None else 0)
        if local is not None and site is not None:
            of_local = positions(site, "st_code", col(local, "lc_st_code"))
            n_site = np.bincount(of_local[of_local >= 0], minlength=len(site)).astype(float)
        count: np.ndarray = np.zeros(len(ad))
        if site is not None:
            of_site = positions(ad, "ad_code", col(site, "st_ad_code"))
            known = of_site >= 0
            count = np.bincount(of_site[known], weights=n_site[known], minlength=len(ad))
        bad = ~(count == total.to_numpy())
        flag(
            out,
            "metier_0006",
            "t_adresse",
            ad,
            bad,
            "number of locals (t_site → t_local) differs from "
            "ad_nblres + ad_nblpro + ad_nblent + ad_nblpub",
            "give the address one local per premise counted, and fill the four counts",
        )
    if "metier_0009" in rules:
        gz = geoms(t.get("t_zsro"))
        ga = geoms(ad)
        if len(gz) and len(ga):
            n = _zones_holding(ga, gz)
            flag(
                out,
                "metier_0009",
                "t_adresse",
                ad,
                n > 1,
                "address within more than one ZSRO",
                "make the ZSRO not overlap",
            )


def _zones_holding(points: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """How many of ``zones`` hold each point in their interior (ST_Within)."""
    pts, zone = shapely.STRtree(zones).query(points)  # bounding boxes meet
    shapely.prepare(zones)
    x, y = shapely.get_x(points[pts]), shapely.get_y(points[pts])
    inside = shapely.contains_xy(zones[zone], x, y)
    return np.bincount(pts[inside], minlength=len(points))


def _box_zsro(t: Tables) -> pd.Series:
    """The ZSRO (zs_code) each box's node lies in, by bp_code (boxes outside any: absent)."""
    node = box_nodes(t)
    where = node_geoms(t)
    zs = t.get("t_zsro")
    gz = geoms(zs)
    g = node.map(where).dropna()
    if not len(gz) or not len(g):
        return pd.Series([], dtype=object)
    pts, zone = shapely.STRtree(gz).query(g.to_numpy(), predicate="intersects")
    codes = col(zs, "zs_code").to_numpy()
    found = pd.Series(codes[zone], index=g.index[pts])
    return found[~found.index.duplicated()]


def zones(t: Tables, out: list[Finding]) -> None:
    """bthd_local_pbo and bthd_address_zsro (see the module's docstring)."""
    local, site = t.get("t_local"), t.get("t_site")
    if local is None or not len(local):
        return
    flag(
        out,
        "bthd_local_pbo",
        "t_local",
        local,
        (col(local, "lc_typelog") == "FTTH") & ~filled(local, "lc_bp_codf"),
        "FTTH local without its PBO (lc_bp_codf)",
        "give every premise the box that serves it",
    )
    served = filled(local, "lc_bp_codf")
    if not served.any() or site is None:
        return
    zone = col(local, "lc_bp_codf")[served].map(_box_zsro(t)).dropna()
    if not len(zone):
        return
    ad = lookup(col(local, "lc_st_code")[zone.index], site, "st_code", "st_ad_code")
    pairs = pd.DataFrame({"ad": ad.to_numpy(), "zs": zone.to_numpy()}, index=zone.index)
    pairs = pairs[pairs["ad"].notna() & (pairs["ad"] != "")]
    nzones = pairs.groupby("ad")["zs"].nunique()
    many = set(nzones.index[nzones > 1])
    if many:
        adr = t.get("t_adresse")
        if adr is not None:
            flag(
                out,
                "bthd_address_zsro",
                "t_adresse",
                adr,
                col(adr, "ad_code").isin(many),
                "locals of the address served by PBOs in different ZSRO",
                "serve every local of an address from one PM zone",
            )


def rooms(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """metier_0008, 0015, 0016, 0020 on rooms (t_local) and zones."""
    local, zs, zn, site = (t.get(n) for n in ("t_local", "t_zsro", "t_znro", "t_site"))
    if zs is not None and len(zs):
        room = col(zs, "zs_lc_code")
        if "metier_0008" in rules:
            joined = (positions(local, "lc_code", room) >= 0) & (room != "").to_numpy()
            ext = lookup(room, local, "lc_code", "lc_codeext")
            bad = joined & (ext != col(zs, "zs_r3_code")).to_numpy()
            flag(
                out,
                "metier_0008",
                "t_zsro",
                zs,
                bad,
                "zs_r3_code differs from its room's lc_codeext",
                "name the PM zone's r3 reference as its room",
            )
        if "metier_0020" in rules:
            flag(
                out,
                "metier_0020",
                "t_zsro",
                zs,
                _repeated(room, room != ""),
                "room (zs_lc_code) of several ZSRO",
                "give each ZSRO its own room",
            )
    if local is None or not len(local):
        return
    nro = col(local, "lc_typelog") == "NRO"
    if "metier_0015" in rules:
        node = lookup(col(local, "lc_st_code"), site, "st_code", "st_nd_code")
        on = nro & node.notna() & (node != "")
        flag(
            out,
            "metier_0015",
            "t_local",
            local,
            _repeated(node.astype(object).fillna(""), on),
            "several NRO rooms on one node",
            "keep one NRO room per node",
        )
    if "metier_0016" in rules:
        orphan = nro & ~col(local, "lc_code").isin(set(col(zn, "zn_lc_code")))
        flag(
            out,
            "metier_0016",
            "t_local",
            local,
            orphan,
            "NRO room that no ZNRO names (zn_lc_code)",
            "give the NRO its zone",
        )


def owners_and_supports(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """metier_0014 (path owner vs its chambers') and metier_0019 (FT supports < 50 m)."""
    chem, pt = t.get("t_cheminement"), t.get("t_ptech")
    if pt is None or not len(pt):
        return
    nodes = set(col(t.get("t_noeud"), "nd_code"))
    if "metier_0014" in rules and chem is not None and len(chem):
        p = pd.DataFrame({"nd": col(pt, "pt_nd_code"), "prop": col(pt, "pt_prop")})
        p = p[p["prop"] != ""]
        c = pd.DataFrame(
            {
                "row": np.arange(len(chem)),
                "n1": col(chem, "cm_ndcode1"),
                "n2": col(chem, "cm_ndcode2"),
                "cm_prop": col(chem, "cm_prop").to_numpy(),
            }
        )
        c = c[c["n1"].isin(nodes) & c["n2"].isin(nodes)]
        m = c.merge(p.rename(columns={"nd": "n1", "prop": "p1"}), on="n1")
        m = m.merge(p.rename(columns={"nd": "n2", "prop": "p2"}), on="n2")
        m = m[m["p1"] == m["p2"]]
        bad_rows = m.loc[(m["cm_prop"] == "") | (m["cm_prop"] != m["p1"]), "row"].to_numpy()
        bad = np.zeros(len(chem), dtype=bool)
        bad[bad_rows] = True
        flag(
            out,
            "metier_0014",
            "t_cheminement",
            chem,
            bad,
            "path owner (cm_prop) differs from the owner of both its chambers",
            "give the path its chambers' owner",
        )
    if "metier_0019" in rules:
        ext = col(pt, "pt_codeext")
        ft = ext.str.contains("-FT-", regex=False)
        if ft.sum() < 2:
            return
        where = col(pt, "pt_nd_code").map(node_geoms(t))
        f = pd.DataFrame(
            {
                "row": np.flatnonzero(ft.to_numpy()),
                "code": col(pt, "pt_code")[ft].to_numpy(),
                "name": ext[ft].str.split("-FT-", n=1).str[1].to_numpy(),
                "g": where[ft].to_numpy(),
            }
        )
        f = f[f["g"].notna()]
        m = f.merge(f, on="name", suffixes=("", "_2"))
        m = m[m["code"] < m["code_2"]]
        d = np.round(shapely.distance(m["g"].to_numpy(), m["g_2"].to_numpy()), 2)
        bad = np.zeros(len(pt), dtype=bool)
        bad[m["row"].to_numpy()[d < 50]] = True
        flag(
            out,
            "metier_0019",
            "t_ptech",
            pt,
            bad,
            "support named like another (…-FT-<name>) less than 50 m away: a duplicate?",
            "keep one support, or correct pt_codeext",
        )


def check_metier(t: Tables, rules: set[str], out: list[Finding]) -> None:
    """Append the findings of the metier rules in ``rules`` and of bthd's zone checks."""
    fibres(t, rules, out)
    boxes(t, rules, out)
    cables(t, rules, out)
    addresses(t, rules, out)
    rooms(t, rules, out)
    owners_and_supports(t, rules, out)
    zones(t, out)


__all__ = ["check_metier"]
