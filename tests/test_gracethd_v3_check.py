"""Tests of the GraceTHD v3.0.1 checker on tiny deliveries written as files here.

The delivery: an NRO and a PM site with their rooms and racks, a transport and a distribution
cable with their lines and paths, a PBO on a chamber, one ZNRO and one ZSRO, three addresses
with a client site and a residential local each, in Lambert-93. It passes with no error; then
each breakage makes the expected control fire on the expected rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from bthd import InputError
from bthd.export._dbf import DbfField, write_shapefile
from bthd.export.gracethd.deliveries import detect_version
from bthd.export.gracethd.v3 import schema as s
from bthd.export.gracethd.v3.check import check_delivery_v3
from bthd.export.gracethd.v3.pg_input import valid
from bthd.export.gracethd.v3.rules_cond import NOT_CHECKED, not_checked

X0, Y0 = 280_000.0, 6_830_000.0
Tables = dict[str, list[dict[str, object]]]


def _default(f: s.Field, code: str) -> str:
    if f.list_name:
        return sorted(s.lists()[f.list_name])[0]
    return {"int": "1", "float": "1.5", "date": "2026-01-15"}.get(f.kind, f"{code}-{f.name}")


def row(table: str, code: str, **values: object) -> dict[str, object]:
    """A row with every C2-mandatory field filled by default, then ``values``."""
    out: dict[str, object] = {}
    for f in s.fields()[table]:
        mandatory = f.mandatory("C2") and f.foreign is None
        out[f.name] = _default(f, code) if mandatory else ""
    pk = s.primary_keys()[table]
    if len(pk) == 1:
        out[pk[0]] = code
    out.update(values)
    return out


def pt(x: float, y: float) -> shapely.Point:
    return shapely.Point(X0 + x, Y0 + y)


def line(*xy: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in xy])


def box(x1: float, y1: float, x2: float, y2: float) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)])


def network() -> Tables:
    """The tiny valid delivery, table → rows (``geom`` in the spatial ones)."""
    t: Tables = {name: [] for name in s.TABLES}
    t["t_organisme"] = [row("t_organisme", "OR-MEGALIS"), row("t_organisme", "OR-ORANGE")]
    t["t_reference"] = [row("t_reference", "RF-CB", rf_type="CA")]
    nodes = {"ND-NRO": (0, 0), "ND-PM": (1000, 0), "ND-C1": (1500, 0)}
    for i in (1, 2, 3):
        nodes[f"ND-AD{i}"] = (1480 + 20 * i, 60)
    t["t_noeud"] = [row("t_noeud", n, geom=pt(*xy)) for n, xy in nodes.items()]
    tech = {"st_avct": "E", "st_statut": "AVP", "st_proptyp": "CST", "st_numero": "1"}
    tech["st_insee"] = "22093"
    tech.update({f: f"OR-{f}" for f in ("st_codeext", "st_commune", "st_gest", "st_nomvoie")})
    tech.update(st_postal="22400", st_prop="OR-MEGALIS")
    t["t_site"] = [
        row("t_site", c, st_nd_code=nd, st_typelog="RESEAU", **tech) | {"st_codeext": f"{c}-X"}
        for c, nd in (("ST-NRO", "ND-NRO"), ("ST-PM", "ND-PM"))
    ]
    room = {"lc_avct": "E", "lc_statut": "AVP", "lc_proptyp": "CST", "lc_gest": "OR-MEGALIS"}
    room.update(lc_prop="OR-MEGALIS")
    t["t_local"] = [
        row("t_local", c, lc_st_code=st, lc_typelog=kind, lc_codeext=f"{c}-lc_codeext", **room)
        | {"lc_etiquet": c}
        for c, st, kind in (("LC-NRO", "ST-NRO", "NRO"), ("LC-PM", "ST-PM", "SRO"))
    ]
    for i in (1, 2, 3):
        t["t_adresse"].append(
            row(
                "t_adresse",
                f"AD-{i}",
                ad_nbfotth="1",
                ad_nblres="1",
                ad_nblpro="0",
                ad_nblent="0",
                ad_nblpub="0",
                ad_codtemp=f"TMP-{i}",
                ad_distinf="25.0",
                geom=pt(1480 + 20 * i, 60),
            )
        )
        t["t_site"].append(
            row(
                "t_site",
                f"ST-AD{i}",
                st_nd_code=f"ND-AD{i}",
                st_typelog="CLIENT",
                st_ad_code=f"AD-{i}",
            )
        )
        t["t_local"].append(
            row("t_local", f"LC-{i}", lc_st_code=f"ST-AD{i}", lc_typelog="RES", lc_bp_codf="BP-1")
        )
    t["t_baie"] = [
        row("t_baie", "BA-NRO", ba_lc_code="LC-NRO"),
        row("t_baie", "BA-PM", ba_lc_code="LC-PM"),
    ]
    t["t_ptech"] = [row("t_ptech", "PT-C1", pt_nd_code="ND-C1", pt_typephy="C")]
    t["t_znro"] = [
        row(
            "t_znro",
            "ZN-1",
            zn_lc_code="LC-NRO",
            zn_nd_code="ND-NRO",
            geom=box(-100, -500, 2000, 500),
        )
    ]
    t["t_zsro"] = [
        row(
            "t_zsro",
            "ZS-1",
            zs_lc_code="LC-PM",
            zs_zn_code="ZN-1",
            zs_r3_code="LC-PM-lc_codeext",
            geom=box(500, -400, 1900, 400),
        )
    ]
    t["t_ebp"] = [row("t_ebp", "BP-1", bp_pt_code="PT-C1", bp_typelog="PBO")]
    t["t_cheminement"] = [
        row(
            "t_cheminement",
            "CM-1",
            cm_ndcode1="ND-NRO",
            cm_ndcode2="ND-PM",
            geom=line((0, 0), (1000, 0)),
        ),
        row(
            "t_cheminement",
            "CM-2",
            cm_ndcode1="ND-PM",
            cm_ndcode2="ND-C1",
            geom=line((1000, 0), (1500, 0)),
        ),
    ]
    cab = {"cb_r2_code": "NRO-1"}
    t["t_cable"] = [
        row(
            "t_cable",
            "CB-1",
            cb_nd1="ND-NRO",
            cb_nd2="ND-PM",
            cb_typelog="TR",
            cb_ba1="BA-NRO",
            cb_ba2="BA-PM",
            **cab,
        ),
        row(
            "t_cable",
            "CB-2",
            cb_nd1="ND-PM",
            cb_nd2="ND-C1",
            cb_typelog="DI",
            cb_ba1="BA-PM",
            cb_bp2="BP-1",
            cb_r3_code="PM-1",
            **cab,
        ),
    ]
    t["t_cableline"] = [
        row("t_cableline", "CL-1", cl_cb_code="CB-1", geom=line((0, 0), (1000, 0))),
        row("t_cableline", "CL-2", cl_cb_code="CB-2", geom=line((1000, 0), (1500, 0))),
    ]
    t["t_cab_chem"] = [
        row("t_cab_chem", "", cc_cb_code="CB-1", cc_cm_code="CM-1"),
        row("t_cab_chem", "", cc_cb_code="CB-2", cc_cm_code="CM-2"),
    ]
    return t


def write(t: Tables, folder: Path) -> Path:
    """Write the tables as a v3 delivery: Shapefiles (GDAL + bthd's DBF writer) and CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    dbf = {"int": "N", "float": "F", "date": "D"}
    for table, rows in t.items():
        names = s.field_names(table)
        if table in s.SPATIAL:
            kinds = {f.name: f.kind for f in s.fields()[table]}
            fields = []
            for n in names:
                vals = [r.get(n, "") for r in rows]
                if kinds[n] in ("int", "float"):
                    vals = [None if v == "" else float(str(v)) for v in vals]
                elif kinds[n] == "date":
                    vals = [None if v == "" else date.fromisoformat(str(v)) for v in vals]
                else:
                    vals = [None if v == "" else v for v in vals]
                # bthd.export._dbf cannot write a numeric field of no record: text then
                kind = dbf.get(kinds[n], "C") if rows else "C"
                fields.append(DbfField(n, kind, vals))
            geo = gpd.GeoSeries([r["geom"] for r in rows], crs="EPSG:2154")
            write_shapefile(
                geo,
                folder / f"{table}.shp",
                fields,
                updated=date(2026, 1, 15),
                encoding="cp1252",
                geometry_type=s.SPATIAL[table],
            )
        else:
            lines = [";".join(names), *(";".join(str(r.get(n, "")) for n in names) for r in rows)]
            (folder / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _find(t: Tables, table: str, code: str) -> dict[str, object]:
    pk = s.primary_keys()[table][0]
    return next(r for r in t[table] if r[pk] == code)


def _set(table: str, code: str, **values: object) -> Callable[[Tables], None]:
    return lambda t: _find(t, table, code).update(values)


def _drop(table: str, code: str) -> Callable[[Tables], None]:
    pk = s.primary_keys()[table][0]
    return lambda t: t.__setitem__(table, [r for r in t[table] if r[pk] != code])


def _add(table: str, code: str, **values: object) -> Callable[[Tables], None]:
    return lambda t: t[table].append(row(table, code, **values))


def _dup(table: str, code: str) -> Callable[[Tables], None]:
    return lambda t: t[table].append(dict(_find(t, table, code)))


@pytest.fixture(scope="module")
def valid_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(network(), tmp_path_factory.mktemp("v3") / "ok")


def test_the_tiny_delivery_passes(valid_delivery: Path) -> None:
    report = check_delivery_v3(valid_delivery)
    assert report.ok, report.format()
    assert not report.warnings, report.format()
    assert report.rows["t_local"] == 5 and report.rows["t_fibre"] == 0
    assert report.version.startswith("3.0.1")
    # the conditional rules not checkable are named, with a reason each
    assert report.not_checked and "not checked" in report.format()
    assert {(t, f) for _i, t, f, _w in report.not_checked} <= set(NOT_CHECKED) | {
        ("t_pointaccueil", "pa_a_haut"),
        ("t_pointaccueil", "pa_a_struc"),
    }


BREAKAGES = [
    ("missing table", lambda t: t.pop("t_ebp"), "ctrl_pt_0008", "t_ebp", ()),
    ("empty table", lambda t: t["t_baie"].clear(), "ctrl_pt_0002", "t_baie", ()),
    ("blank mandatory", _set("t_cable", "CB-2", cb_gest="  "), "ctrl_rem", "t_cable", ("CB-2",)),
    ("bad list value", _set("t_ptech", "PT-C1", pt_typephy="X"), "ctrl_lv", "t_ptech", ("PT-C1",)),
    ("unknown fk", _set("t_local", "LC-2", lc_st_code="ST-NOPE"), "ctrl_fk", "t_local", ("LC-2",)),
    ("duplicate codeext", _set("t_ebp", "BP-1", bp_codeext="CB-1-cb_codeext"), None, None, ()),
    (
        "duplicate etiquet",
        _set("t_cable", "CB-2", cb_etiquet="CB-1-cb_etiquet"),
        "ctrl_uc_0019",
        "t_cable",
        ("CB-1", "CB-2"),
    ),
    ("duplicate pk", _dup("t_ptech", "PT-C1"), "bthd_pk", "t_ptech", ("PT-C1",)),
    ("wrong integer", _set("t_cable", "CB-1", cb_capafo="12a"), "ctrl_type", "t_cable", ("CB-1",)),
    (
        "wrong date",
        _set("t_cable", "CB-1", cb_dateins="2026-02-30"),
        "ctrl_type",
        "t_cable",
        ("CB-1",),
    ),
    (
        "cable end node unknown",
        _set("t_cable", "CB-2", cb_nd2="ND-NOPE"),
        "bthd_cable_nodes",
        "t_cable",
        ("CB-2",),
    ),
    (
        "cable end node empty",
        _set("t_cable", "CB-1", cb_nd1=""),
        "bthd_cable_nodes",
        "t_cable",
        ("CB-1",),
    ),
    (
        "node 1 m off the cable",
        _set("t_noeud", "ND-C1", geom=pt(1500, 1)),
        "topo_0004",
        "t_cable",
        ("CB-2",),
    ),
    (
        "node 1 m off the path",
        _set("t_noeud", "ND-C1", geom=pt(1500, 1)),
        "topo_0002",
        "t_cheminement",
        ("CM-2",),
    ),
    (
        "box not on the end",
        _set("t_cable", "CB-2", cb_nd2="ND-AD1"),
        "topo_0006",
        "t_cable",
        ("CB-2",),
    ),
    (
        "rack not on the end",
        _set("t_cable", "CB-1", cb_ba1="BA-PM"),
        "topo_0008",
        "t_cable",
        ("CB-1",),
    ),
    (
        "ZSRO outside its ZNRO",
        _set("t_zsro", "ZS-1", geom=box(500, -400, 2500, 400)),
        "topo_0007",
        "t_zsro",
        ("ZS-1",),
    ),
    ("cable without path", _drop("t_cheminement", "CM-2"), "topo_0011", "t_cable", ("CB-2",)),
    (
        "cable longer than its paths",
        _set("t_cableline", "CL-2", geom=line((1000, 0), (1250, 300), (1500, 0))),
        "topo_0012",
        "t_cable",
        ("CB-2",),
    ),
    (
        "invalid cable line",
        _set("t_cableline", "CL-1", geom=line((0, 0), (0, 0))),
        "topo_0013",
        "t_cableline",
        ("CL-1",),
    ),
    (
        "civil works to build without composition",
        _set("t_cheminement", "CM-1", cm_avct="C"),
        "ctrl_rc_0401",
        "t_cheminement",
        ("CM-1",),
    ),
    (
        "distribution cable not drawn",
        _drop("t_cableline", "CL-2"),
        "metier_0003",
        "t_cable",
        ("CB-2",),
    ),
    ("cable not drawn", _drop("t_cableline", "CL-1"), "metier_0012", "t_cable", ("CB-1",)),
    (
        "two NRO on one node",
        _add("t_local", "LC-NRO2", lc_st_code="ST-NRO", lc_typelog="NRO"),
        "metier_0015",
        "t_local",
        ("LC-NRO", "LC-NRO2"),
    ),
    (
        "duplicate FT support",
        lambda t: (
            _add("t_noeud", "ND-C3", geom=pt(1500, -30))(t),
            _add("t_ptech", "PT-C3", pt_nd_code="ND-C3", pt_typephy="A", pt_codeext="B-FT-7")(t),
            _set("t_ptech", "PT-C1", pt_codeext="A-FT-7")(t),
        ),
        "metier_0019",
        "t_ptech",
        ("PT-C1",),
    ),
    (
        "path owner unlike its chambers'",
        lambda t: (
            _add("t_noeud", "ND-C3", geom=pt(1500, -100))(t),
            _add("t_ptech", "PT-C3", pt_nd_code="ND-C3", pt_prop="OR-ORANGE")(t),
            _set("t_ptech", "PT-C1", pt_prop="OR-ORANGE")(t),
            _add(
                "t_cheminement",
                "CM-3",
                cm_ndcode1="ND-C1",
                cm_ndcode2="ND-C3",
                geom=line((1500, 0), (1500, -100)),
            )(t),
        ),
        "metier_0014",
        "t_cheminement",
        ("CM-3",),
    ),
    ("cable NC", _set("t_cable", "CB-1", cb_typelog="NC"), "metier_0007", "t_cable", ("CB-1",)),
    (
        "path NC",
        _set("t_cheminement", "CM-1", cm_typelog="NC"),
        "metier_0017",
        "t_cheminement",
        ("CM-1",),
    ),
    ("PBO fed by no cable", _set("t_cable", "CB-2", cb_bp2=""), "metier_0002", "t_ebp", ("BP-1",)),
    ("box on no support", _set("t_ebp", "BP-1", bp_pt_code=""), "metier_0004", "t_ebp", ("BP-1",)),
    (
        "fibre count",
        _set("t_adresse", "AD-2", ad_nbfotth="2"),
        "metier_0005",
        "t_adresse",
        ("AD-2",),
    ),
    ("local count", _drop("t_local", "LC-3"), "metier_0006", "t_adresse", ("AD-3",)),
    ("zs_r3_code", _set("t_zsro", "ZS-1", zs_r3_code="PM-X"), "metier_0008", "t_zsro", ("ZS-1",)),
    (
        "address in two ZSRO",
        _add(
            "t_zsro",
            "ZS-2",
            zs_lc_code="LC-NRO",
            zs_zn_code="ZN-1",
            zs_r3_code="LC-NRO-lc_codeext",
            geom=box(1400, 0, 1900, 400),
        ),
        "metier_0009",
        "t_adresse",
        ("AD-1", "AD-2", "AD-3"),
    ),
    (
        "NRO without zone",
        _set("t_znro", "ZN-1", zn_lc_code="LC-PM"),
        "metier_0016",
        "t_local",
        ("LC-NRO",),
    ),
    (
        "room of two ZSRO",
        _add(
            "t_zsro",
            "ZS-2",
            zs_lc_code="LC-PM",
            zs_zn_code="ZN-1",
            zs_r3_code="LC-PM-lc_codeext",
            geom=box(-50, -400, 400, 400),
        ),
        "metier_0020",
        "t_zsro",
        ("ZS-1", "ZS-2"),
    ),
    ("cable in no path", lambda t: t["t_cab_chem"].pop(), "metier_0018", "t_cable", ("CB-2",)),
    (
        "conditional r3",
        _set("t_cable", "CB-2", cb_r3_code=""),
        "ctrl_rc_0201",
        "t_cable",
        ("CB-2",),
    ),
    (
        "conditional codtemp",
        _set("t_adresse", "AD-1", ad_codtemp=""),
        "ctrl_rc_0101",
        "t_adresse",
        ("AD-1",),
    ),
    (
        "conditional PBO",
        _set("t_local", "LC-1", lc_bp_codf=""),
        "ctrl_rc_0602",
        "t_local",
        ("LC-1",),
    ),
    (
        "conditional st_*",
        _set("t_site", "ST-PM", st_statut=""),
        "ctrl_rc_0812",
        "t_site",
        ("ST-PM",),
    ),
    (
        "cable ends in a box",
        _set("t_cable", "CB-2", cb_bp2=""),
        "bthd_rc_cb_bp2",
        "t_cable",
        ("CB-2",),
    ),
    (
        "cable leaves an NRO",
        _set("t_cable", "CB-1", cb_ba1=""),
        "bthd_rc_cb_ba1",
        "t_cable",
        ("CB-1",),
    ),
    (
        "FTTH local without PBO",
        _add("t_local", "LC-4", lc_st_code="ST-AD1", lc_typelog="FTTH"),
        "bthd_local_pbo",
        "t_local",
        ("LC-4",),
    ),
    (
        "local in two ZSRO",
        lambda t: (
            _add("t_noeud", "ND-C2", geom=pt(200, 0))(t),
            _add("t_ptech", "PT-C2", pt_nd_code="ND-C2", pt_typephy="C")(t),
            _add("t_ebp", "BP-2", bp_pt_code="PT-C2", bp_typelog="BPE")(t),
            _add(
                "t_zsro",
                "ZS-2",
                zs_lc_code="LC-NRO",
                zs_zn_code="ZN-1",
                zs_r3_code="LC-NRO-lc_codeext",
                geom=box(-50, -400, 450, 400),
            )(t),
            _add("t_local", "LC-5", lc_st_code="ST-AD1", lc_typelog="RES", lc_bp_codf="BP-2")(t),
        ),
        "bthd_address_zsro",
        "t_adresse",
        ("AD-1",),
    ),
]


@pytest.mark.parametrize(("name", "breakage", "control", "table", "rows"), BREAKAGES)
def test_each_breakage_fires_its_control(
    tmp_path: Path,
    name: str,
    breakage: Callable[[Tables], object],
    control: str | None,
    table: str | None,
    rows: tuple[str, ...],
) -> None:
    t = network()
    breakage(t)
    report = check_delivery_v3(write(t, tmp_path / "d"))
    if control is None:  # bp_codeext and cb_codeext are unique per table, not across tables
        assert report.ok, report.format()
        return
    hits = [f for f in report.errors if f.control.startswith(control) and f.table == table]
    assert hits, f"{name}: no {control} on {table} in\n{report.format()}"
    assert set(rows) == {r for f in hits for r in f.rows}, report.format()


def test_missing_field_and_unknown_field_are_listed(tmp_path: Path) -> None:
    folder = write(network(), tmp_path / "d")
    rows = [ln.split(";") for ln in (folder / "t_cable.csv").read_text("utf-8").splitlines()]
    gone = rows[0].index("cb_gest")
    rows = [[*r[:gone], *r[gone + 1 :], "cb_colour" if i == 0 else "x"] for i, r in enumerate(rows)]
    (folder / "t_cable.csv").write_text("\n".join(map(";".join, rows)) + "\n", encoding="utf-8")
    report = check_delivery_v3(folder)
    texts = [f.format() for f in report.errors if f.control == "bthd_fields"]
    assert any("cb_colour" in x for x in texts) and any("cb_gest" in x for x in texts)
    assert any(f.control.startswith("ctrl_rem") and "cb_gest" in f.what for f in report.errors)


def test_file_rules(tmp_path: Path) -> None:
    folder = write(network(), tmp_path / "d")
    path = folder / "t_site.csv"
    path.write_text(path.read_text("utf-8").replace(";", ","), encoding="utf-8")
    (folder / "t_noeud.cpg").unlink()
    report = check_delivery_v3(folder)
    ids = {f.control for f in report.errors}
    assert "co_1_f00003" in ids and "co_1_f00006" in ids


def test_other_container_and_bad_container(valid_delivery: Path) -> None:
    c4 = check_delivery_v3(valid_delivery, container="c4")
    assert c4.version == "3.0.1 (container C4)"
    # C4 asks for t_tiroir, t_fibre... that the design does not have
    assert any(f.control.startswith("ctrl_pt") for f in c4.errors)
    assert not_checked("C4") != not_checked("C2")
    with pytest.raises(Exception, match="C1, C2, C3, C4"):
        check_delivery_v3(valid_delivery, container="C9")


def test_detect_version(valid_delivery: Path, tmp_path: Path) -> None:
    assert detect_version(valid_delivery) == "3.0.1"
    v2 = tmp_path / "v2"
    v2.mkdir()
    for t in ("t_sitetech", "t_ltech", "t_suf"):
        (v2 / f"{t}.csv").write_text("x\n", encoding="utf-8")
    assert detect_version(v2) == "2.0.1"
    other = tmp_path / "other"
    other.mkdir()
    (other / "roads.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no GraceTHD table.*roads\.csv"):
        detect_version(other)


def test_pg_input_types() -> None:
    v = pd.Series(["12", " -3 ", "1_000", "0x1F", "2147483648", "1.5", "abc"])
    assert valid(v, "integer").tolist() == [True, True, True, True, False, False, False]
    assert valid(v, "bigint").tolist()[4]
    assert valid(v, "numeric").tolist() == [True, True, True, True, True, True, False]
    d = pd.Series(
        ["2024-02-29", "2023-02-29", "05/04/2020", "31/12/2020", "Jan 8, 1999", "0000-01-01"]
    )
    assert valid(d, "date").tolist() == [True, False, True, False, True, False]


@pytest.mark.parametrize(("box_room", "fires"), [("LC-PM", False), ("LC-NRO", True)])
def test_cable_without_geometry_from_a_rack_to_a_box_in_its_room(
    box_room: str, fires: bool
) -> None:
    """metier_0003 as bthd reads it: a rack end's support is its room (the suite's SQL looks at
    boxes only), so an undrawn distribution cable from a PM's rack to a PBO box in the PM's room
    joins two equipments in one place; to a box in another room it is still reported."""
    import pandas as pd

    from bthd.export.gracethd.v3.rules_metier import cables

    t = {
        "t_cable": pd.DataFrame(
            {
                "cb_code": ["CB-R"],
                "cb_typelog": ["DI"],
                "cb_ba1": ["BA-PM"],
                "cb_bp1": [""],
                "cb_ba2": [""],
                "cb_bp2": ["BP-9"],
                "cb_nd1": ["ND-PM"],
                "cb_nd2": ["ND-PM"],
            }
        ),
        "t_cableline": pd.DataFrame(
            {"cl_code": pd.Series([], dtype=object), "cl_cb_code": pd.Series([], dtype=object)}
        ),
        "t_ebp": pd.DataFrame({"bp_code": ["BP-9"], "bp_pt_code": [""], "bp_lc_code": [box_room]}),
        "t_baie": pd.DataFrame({"ba_code": ["BA-PM"], "ba_lc_code": ["LC-PM"]}),
    }
    out: list = []
    cables(t, {"metier_0003"}, out)
    assert [f.rows for f in out if f.control == "metier_0003"] == ([("CB-R",)] if fires else [])
