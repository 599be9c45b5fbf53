"""GraceTHD v3.0.1 delivery (C2, AVP): the files written for a small run, read back with
pyogrio and csv, checked against the control suite's rules, and the reader's round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from bthd.export.gracethd.v3 import schema as s
from tests._export_run import tree_hashes


def read_folder(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table of a delivery as text (GeoDataFrames for the Shapefiles)."""
    out: dict[str, pd.DataFrame] = {}
    for t in s.TABLES:
        if t in s.SPATIAL:
            df = pyogrio.read_dataframe(folder / f"{t}.shp", encoding=s.SHP_ENCODING)
            for c in df.columns:
                if c != "geometry":
                    df[c] = df[c].map(_text)
            out[t] = df
        else:
            with open(folder / f"{t}.csv", encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh, delimiter=";", quoting=csv.QUOTE_NONE))
            out[t] = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    return out


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def problems(tables: dict[str, pd.DataFrame]) -> list[str]:
    """What the suite's generic controls and our extra ones (keys, cable ends) find."""
    out: list[str] = []
    for t, fs in s.fields().items():
        df = tables[t]
        if [c for c in df.columns if c != "geometry"] != [f.name for f in fs]:
            out.append(f"{t}: fields {list(df.columns)}")
        for f in fs:
            col = df[f.name].fillna("").astype(str).str.strip()
            if f.mandatory("C2") and (col == "").any():
                out.append(f"{t}.{f.name}: {(col == '').sum()} empty")
            if f.list_name:
                bad = set(col[col != ""]) - s.lists()[f.list_name]
                if bad:
                    out.append(f"{t}.{f.name}: not in {f.list_name}: {sorted(bad)[:5]}")
            if f.foreign:
                ft, ff = f.foreign
                bad = set(col[col != ""]) - set(tables[ft][ff])
                if bad:
                    out.append(f"{t}.{f.name} -> {ft}.{ff}: {sorted(bad)[:5]}")
        key = list(s.primary_keys()[t])
        if len(df) and df.duplicated(key).any():
            out.append(f"{t}: duplicate {key}")
    for r in s.controls("unicite"):
        if r["attribut"] not in tables.get(r["classe"], {}):
            continue
        col = tables[r["classe"]][r["attribut"]]
        col = col[col != ""]
        if col.duplicated().any():
            out.append(f"{r['classe']}.{r['attribut']}: duplicates")
    for t, need in s.required_tables("C2").items():
        if need == "O" and tables[t].empty:
            out.append(f"{t}: empty")
    return out


@pytest.fixture(scope="module")
def v3(small_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bthd.export.gracethd.v3 import write_delivery

    out = tmp_path_factory.mktemp("v3") / "gracethd_v3"
    write_delivery(small_run, out)
    return out


@pytest.fixture(scope="module")
def tables(v3: Path) -> dict[str, pd.DataFrame]:
    return read_folder(v3)


def test_every_table_and_field_and_generic_control(
    v3: Path, tables: dict[str, pd.DataFrame]
) -> None:
    names = {p.name for p in v3.iterdir()}
    for t in s.TABLES:
        if t in s.SPATIAL:
            assert {f"{t}.{e}" for e in ("shp", "shx", "dbf", "prj", "cpg")} <= names
        else:
            assert f"{t}.csv" in names
    assert problems(tables) == []
    readme = (v3 / "README.txt").read_text("utf-8")
    assert "3.0.1" in readme and "C2" in readme and "dbt-grace-thd" in readme
    assert "SYNTHETIC" in readme
    for t in ("t_tiroir", "t_cassette", "t_fibre", "t_position", "t_love"):
        assert (v3 / f"{t}.csv").read_text("utf-8").count("\n") == 1
    assert pyogrio.read_info(v3 / "t_point_leve.shp")["crs"] == "EPSG:2154"


def test_premises_and_locals_conserved(small_run: Path, tables: dict[str, pd.DataFrame]) -> None:
    p = gpd.read_file(small_run / "layers.gpkg", layer="premises")
    ad = tables["t_adresse"]
    assert sorted(ad["ad_code"]) == sorted("AD-" + p["premise_id"])
    lc = tables["t_local"]
    client = lc[lc["lc_typelog"].isin(["RES", "PRO"])]
    assert len(client) == int(p["logements"].sum() + p["locaux_pro"].sum())
    assert (client["lc_typelog"] == "RES").sum() == int(p["logements"].sum())
    # metier_0005 / 0006: fibres and locals of each address agree with its counts
    n = ad[["ad_nblres", "ad_nblpro", "ad_nblent", "ad_nblpub"]].astype(int).sum(axis=1)
    assert (ad["ad_nbfotth"].astype(int) == n).all()
    st = tables["t_site"]
    per_site = lc.groupby("lc_st_code").size()
    per_ad = per_site.reindex(st["st_code"]).fillna(0).groupby(st["st_ad_code"].to_numpy()).sum()
    got = per_ad.reindex(ad["ad_code"]).fillna(0).astype(int).to_numpy()
    assert (got == n.to_numpy()).all()
    # client locals served by a PBO box, the box of their premise
    assert (client["lc_bp_codf"] != "").all()
    # a synthetic premise is on a labelled synthetic street
    synth = set("AD-" + p.loc[p["synthetic"].astype(bool), "premise_id"])
    named = ad.loc[ad["ad_code"].isin(synth), "ad_nomvoie"]
    assert named.str.startswith("VOIE SYNTHETIQUE").all()


def test_cables_run_box_to_box_along_their_paths(tables: dict[str, pd.DataFrame]) -> None:
    cb, cl, nd = tables["t_cable"], tables["t_cableline"], tables["t_noeud"]
    xy = dict(zip(nd["nd_code"], nd.geometry, strict=True))
    line = cl.set_index("cl_cb_code")
    with_geom = cb[cb["cb_code"].isin(line.index)]
    assert len(with_geom) > 0.5 * len(cb)
    g = line.loc[with_geom["cb_code"]].geometry.to_numpy()
    d1 = shapely.distance(shapely.get_point(g, 0), [xy[n] for n in with_geom["cb_nd1"]])
    d2 = shapely.distance(shapely.get_point(g, -1), [xy[n] for n in with_geom["cb_nd2"]])
    assert d1.max() <= 0.01 and d2.max() <= 0.01
    # topo_0012: cable length within 10 % of its paths
    cm = tables["t_cheminement"].set_index("cm_code").geometry.length
    cc = tables["t_cab_chem"]
    total = cc["cc_cm_code"].map(cm).groupby(cc["cc_cb_code"]).sum()
    length = pd.Series(shapely.length(g), index=with_geom["cb_code"].to_numpy())
    assert (abs(length - total.reindex(length.index)) <= 0.1 * length).all()
    # a cable without geometry stays in one place (metier_0012)
    no_geom = cb[~cb["cb_code"].isin(line.index)]
    assert (no_geom["cb_nd1"] == no_geom["cb_nd2"]).all()
    # every box ends a cable (metier_0002), on the cable's end node (topo_0005/0006)
    bp = tables["t_ebp"]
    assert set(bp["bp_code"]) <= set(cb["cb_bp2"])
    pt_node = dict(zip(tables["t_ptech"]["pt_code"], tables["t_ptech"]["pt_nd_code"], strict=True))
    lc_site = tables["t_local"].set_index("lc_code")["lc_st_code"]
    st_node = tables["t_site"].set_index("st_code")["st_nd_code"]
    # a box is on its technical point's node, else (a PBO in its PM) on its local's site's
    box_node = {
        b: pt_node[p] if p else st_node[lc_site[lc]]
        for b, p, lc in zip(bp["bp_code"], bp["bp_pt_code"], bp["bp_lc_code"], strict=True)
    }
    for end in ("1", "2"):
        has = cb[cb[f"cb_bp{end}"] != ""]
        assert (has[f"cb_bp{end}"].map(box_node) == has[f"cb_nd{end}"]).all()
        # topo_0008/0009: a rack end on its site's node
        ba = tables["t_baie"].set_index("ba_code")["ba_lc_code"]
        lc = tables["t_local"].set_index("lc_code")["lc_st_code"]
        st = tables["t_site"].set_index("st_code")["st_nd_code"]
        has = cb[cb[f"cb_ba{end}"] != ""]
        assert len(has)
        assert (has[f"cb_ba{end}"].map(ba).map(lc).map(st) == has[f"cb_nd{end}"]).all()
        # each end has a box or a rack
        assert ((cb[f"cb_bp{end}"] != "") | (cb[f"cb_ba{end}"] != "")).all()


def test_zones_locals_and_owners(tables: dict[str, pd.DataFrame]) -> None:
    zs, lc = tables["t_zsro"], tables["t_local"].set_index("lc_code")
    # metier_0008: the SRO local's lc_codeext is the zone's r3; metier_0020: one zone per local
    assert (zs["zs_lc_code"].map(lc["lc_codeext"]) == zs["zs_r3_code"]).all()
    assert not zs["zs_lc_code"].duplicated().any()
    nro = lc[lc["lc_typelog"] == "NRO"].index
    assert set(nro) <= set(tables["t_znro"]["zn_lc_code"])  # metier_0016
    # metier_0014: a path between two points of one owner has that owner
    pt = tables["t_ptech"].set_index("pt_nd_code")["pt_prop"]
    cm = tables["t_cheminement"]
    o1, o2 = cm["cm_ndcode1"].map(pt), cm["cm_ndcode2"].map(pt)
    same = o1.notna() & (o1 == o2)
    assert (cm.loc[same, "cm_prop"] == o1[same]).all()
    # topo_0007: every PM zone inside its NRO zone
    zn = tables["t_znro"].set_index("zn_code").geometry
    inside = [
        zn[z].buffer(0.01).contains(g) for z, g in zip(zs["zs_zn_code"], zs.geometry, strict=True)
    ]
    assert all(inside)


def test_plan_in_deployment_zones(small_run: Path, tmp_path: Path) -> None:
    """A run with a plan: one deployment zone per PM zone, with its phase, tranche and year."""
    import shutil

    from bthd.export.gracethd.v3 import write_delivery
    from bthd.io.runs import open_run

    run = tmp_path / "run"
    shutil.copytree(small_run, run)
    zones = gpd.read_file(run / "layers.gpkg", layer="zones")
    zpm = zones[zones["zone_kind"] == "ZPM"].sort_values("zone_id").reset_index(drop=True)
    sched = pd.DataFrame(
        {
            "pm_id": zpm["zone_id"],
            "year": 2024 + (zpm.index % 3),
            "phase": "phase 1",
            "tranche": ["ferme" if i % 2 else None for i in zpm.index],
            "zdep_id": [f"ZDEP-T-{i // 2:03d}" for i in zpm.index],
        }
    )
    (run / "tables").mkdir(exist_ok=True)
    sched.to_csv(run / "tables" / "plan_schedule.csv", index=False)
    zd = zpm.assign(zone_id=sched["zdep_id"], zone_kind="ZDEP").dissolve("zone_id").reset_index()
    zd.to_file(run / "layers.gpkg", layer="zdep", driver="GPKG")
    rl = open_run(run)
    assert rl.has_layer("zdep") and rl.has_table("plan_schedule")
    out = tmp_path / "v3"
    write_delivery(rl, out)
    got = read_folder(out)["t_zdep"].set_index("zd_zs_code")
    assert len(got) == len(zpm)
    row = got.loc["ZS-" + zpm["zone_id"].iloc[1]]
    assert row["zd_r3_code"] == "phase 1"
    assert row["zd_r4_code"] == "ferme/2025"
    assert got.loc["ZS-" + zpm["zone_id"].iloc[0], "zd_r4_code"] == "2024"
    assert row["zd_r2_code"] == "ZDEP-T-000"


def test_same_run_same_bytes(small_run: Path, v3: Path, tmp_path: Path) -> None:
    from bthd.export.gracethd.v3 import write_delivery

    again = tmp_path / "again"
    write_delivery(small_run, again)
    assert tree_hashes(again) == tree_hashes(v3)


def test_round_trip(small_run: Path, v3: Path) -> None:
    from bthd.export.gracethd.v3.read import read_delivery_v3

    layers = read_delivery_v3(v3)
    p = gpd.read_file(small_run / "layers.gpkg", layer="premises").set_index("premise_id")
    got = layers["premises"].set_index("premise_id").loc[p.index]
    assert (got["logements"] == p["logements"]).all()
    assert (got["locaux_pro"] == p["locaux_pro"]).all()
    assert (got["pbo_id"] == p["pbo_id"]).all()
    assert (got["synthetic"] == p["synthetic"].astype(bool)).all()
    sites = gpd.read_file(small_run / "layers.gpkg", layer="sites")
    ours = sites[sites["site_type"].isin(["NRO", "PM", "PBO"])]
    back = layers["sites"].set_index("site_id")
    assert set(ours["site_id"]) == set(back.index)
    d = shapely.distance(back.loc[ours["site_id"]].geometry.to_numpy(), ours.geometry.to_numpy())
    assert d.max() <= 0.01
    pm = ours[ours["site_type"] != "NRO"]
    assert (back.loc[pm["site_id"], "parent_id"].to_numpy() == pm["parent_id"].to_numpy()).all()
    zones = gpd.read_file(small_run / "layers.gpkg", layer="zones")
    zk = zones[zones["zone_kind"].isin(["ZNRO", "ZPM"])]
    assert set(zk["zone_id"]) <= set(layers["zones"]["zone_id"])
    links = gpd.read_file(small_run / "layers.gpkg", layer="links")
    lk = links[links["link_type"].isin(["TR", "DI"])]
    back_len = layers["links"].groupby("link_type")["length_m"].sum()
    for t in ("TR", "DI"):
        # cables laid n_cables deep: every cable length is kept
        want = (lk.loc[lk["link_type"] == t, "length_m"] * lk["n_cables"]).sum()
        assert back_len[t] == pytest.approx(want, rel=1e-3)


def test_checker_finds_nothing(v3: Path, tables: dict[str, pd.DataFrame]) -> None:
    """`bthd validate --kind gracethd` on our delivery: nothing to report, including the PBOs
    the design puts at their PM's node (boxes in the PM's local fed from its rack by a cable
    without geometry, which metier_0003 accepts as joining two equipments in one place)."""
    from bthd.export.gracethd.v3.check import check_delivery_v3

    report = check_delivery_v3(v3)
    assert [f.format() for f in report.findings] == []
    bp = tables["t_ebp"]
    in_pm = set("CB-" + bp.loc[bp["bp_lc_code"] != "", "bp_etiquet"] + "-R")
    cable = tables["t_cable"].set_index("cb_code")
    assert in_pm and in_pm <= set(cable.index)  # the case is there, and passes
    assert (cable.loc[sorted(in_pm), "cb_nd1"] == cable.loc[sorted(in_pm), "cb_nd2"]).all()


def test_point_owners_consistent_with_paths() -> None:
    """A chain reused-new-reused-new-reused...: a greedy choice of owners fails on it (seen on
    the region); every path between two points of one owner has that owner."""
    from bthd.export.gracethd.v3.owners import point_owners

    # E: existing (reused) path, C: new path; nodes A..H, A and H only on reused paths
    paths = [("A", "B", "E"), ("B", "C", "C"), ("C", "D", "E"), ("D", "E", "C"), ("E", "F", "E")]
    paths += [("F", "G", "C"), ("G", "H", "E"), ("C", "X", "C"), ("D", "Y", "C")]
    cm = pd.DataFrame(paths, columns=["cm_ndcode1", "cm_ndcode2", "cm_avct"])
    nodes = sorted({n for p in paths for n in p[:2]})
    pt = pd.DataFrame(
        {
            "pt_nd_code": nodes,
            "pt_prop": "OR-MEGALIS",
            "pt_gest": "OR-MEGALIS",
            "pt_proptyp": "CST",
            "pt_avct": "C",
        }
    )
    got = point_owners(pt, cm).set_index("pt_nd_code")["pt_prop"]
    assert got["A"] == got["H"] == "OR-ORANGE"  # only reused paths reach them
    assert got["X"] == got["Y"] == "OR-MEGALIS"  # only new paths reach them
    for a, b, avct in paths:
        path_owner = "OR-MEGALIS" if avct == "C" else "OR-ORANGE"
        assert not (got[a] == got[b] != path_owner), (a, b)
    out = point_owners(pt, cm).set_index("pt_nd_code")
    assert set(out.loc[out["pt_prop"] == "OR-ORANGE", "pt_proptyp"]) == {"OCC"}
