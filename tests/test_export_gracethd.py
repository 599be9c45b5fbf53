"""GraceTHD v2.0.1 delivery of a design: files per the rules, checked, and a broken one."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from bthd.export._run import load_run
from bthd.export.gis import export
from bthd.export.gracethd.check import check_delivery
from bthd.export.gracethd.schema import PRIMARY_KEYS, SPATIAL, TABLES
from tests._export_run import tree_hashes


def test_files_follow_the_delivery_rules(delivery: Path) -> None:
    for table in TABLES:
        if table in SPATIAL:
            info = pyogrio.read_info(delivery / f"{table}.shp")
            assert info["crs"] == "EPSG:2154", table
            assert (delivery / f"{table}.cpg").read_text() == "CP1252"
            assert not (delivery / f"{table}.csv").exists()
        else:
            raw = (delivery / f"{table}.csv").read_bytes()
            text = raw.decode("utf-8")  # UTF-8, or this raises
            assert '"' not in text, table  # no text delimiters
            lines = text.rstrip("\n").split("\n")
            n = lines[0].count(";")
            assert n > 0 and lines[0].split(";")[0] == PRIMARY_KEYS[table], table  # a header
            assert all(line.count(";") == n for line in lines), table
    # an accented commune name survives the Windows-1252 Shapefile
    ad = pyogrio.read_dataframe(delivery / "t_adresse.shp", columns=["ad_commune"])
    assert "Plémy" in set(ad["ad_commune"])


def test_delivery_counts_match_the_design(small_run: Path, delivery: Path) -> None:
    run = load_run(small_run)
    premises, sites = run.layer("premises"), run.layer("sites")
    info = {t: pyogrio.read_info(delivery / f"{t}.shp")["features"] for t in SPATIAL}
    assert info["t_adresse"] == len(premises)
    assert info["t_znro"] == (sites["site_type"] == "NRO").sum()
    assert info["t_zsro"] == (sites["site_type"] == "PM").sum()
    assert info["t_zpbo"] == (sites["site_type"] == "PBO").sum()
    suf = (delivery / "t_suf.csv").read_text(encoding="utf-8").count("\n") - 1
    assert suf == int(premises["logements"].sum() + premises["locaux_pro"].sum())
    ebp = (delivery / "t_ebp.csv").read_text(encoding="utf-8").count("\n") - 1
    assert ebp == (sites["site_type"] == "PBO").sum()
    # cables conserve the designed length: each link's length once per cable laid on it
    links = run.layer("links")
    links = links[links["link_type"].isin(["TR", "DI"])]
    laid = float((links.geometry.length * links["n_cables"]).sum())
    lines = pyogrio.read_dataframe(delivery / "t_cableline.shp")
    assert float(lines.geometry.length.sum()) == pytest.approx(laid, abs=1.0)


def test_cables_run_between_existing_nodes(delivery: Path) -> None:
    nodes = pyogrio.read_dataframe(delivery / "t_noeud.shp")
    where = dict(zip(nodes["nd_code"], nodes.geometry, strict=True))
    cables = {
        r.split(";")[0]: r.split(";")[3:5]
        for r in (delivery / "t_cable.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    lines = pyogrio.read_dataframe(delivery / "t_cableline.shp")
    assert set(lines["cl_cb_code"]) == set(cables)
    for code, geom in zip(lines["cl_cb_code"], lines.geometry, strict=True):
        nd1, nd2 = cables[code]
        ends = shapely.get_point(geom, 0), shapely.get_point(geom, -1)
        assert where[nd1].distance(ends[0]) < 0.01 or where[nd1].distance(ends[1]) < 0.01
        assert where[nd2].distance(ends[0]) < 0.01 or where[nd2].distance(ends[1]) < 0.01


def test_our_delivery_passes_the_checker(delivery: Path) -> None:
    from bthd.export.gracethd.deliveries import find_deliveries

    report = check_delivery(delivery)
    assert report.ok, report.format()
    assert set(report.rows) == set(TABLES)
    # nothing to report: synthetic premises get a labelled synthetic street, number, postcode
    assert not report.findings, report.format()
    # an export folder is searched for its deliveries
    assert find_deliveries(delivery.parent) == [(delivery, "2.0.1")]


def test_codes_are_stable_across_exports(small_run: Path, delivery: Path, tmp_path: Path) -> None:
    export(small_run, ["gracethd"], tmp_path / "again", gracethd_versions=["2.0.1"])
    assert tree_hashes(tmp_path / "again" / "gracethd-v2.0.1") == tree_hashes(delivery)


def _edit_csv(path: Path, row: int, field: str, value: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    cells = lines[row].split(";")
    cells[header.index(field)] = value
    lines[row] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cells[0]


def _rewrite(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write a table back as another tool would (GDAL; empty dates as text)."""
    out = gdf.copy()
    for col in out.select_dtypes("datetime").columns:
        out[col] = pd.Series([None] * len(out), index=out.index, dtype="str")
    pyogrio.write_dataframe(out, path, encoding="cp1252")


def test_a_broken_delivery_fails_with_clear_messages(delivery: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(delivery, broken)
    cable = _edit_csv(broken / "t_cable.csv", 1, "cb_statut", "")
    box = _edit_csv(broken / "t_ebp.csv", 2, "bp_typelog", "XXX")
    lines = (broken / "t_ptech.csv").read_text(encoding="utf-8").splitlines()
    point = lines[1].split(";")[0]
    (broken / "t_ptech.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    (broken / "t_reference.csv").unlink()
    _edit_csv(broken / "t_organisme.csv", 1, "or_nom", '"Megalis"')
    chem = pyogrio.read_dataframe(broken / "t_cheminement.shp")
    path_code = str(chem.loc[0, "cm_code"])
    chem.loc[0, "cm_ndcode1"] = "ND-NOWHERE"
    g = chem.geometry.to_numpy()
    g[1] = shapely.transform(g[1], lambda xy: xy + np.array([5.0, 0.0]))  # a path off its nodes
    chem.geometry = g
    moved = str(chem.loc[1, "cm_code"])
    _rewrite(chem, broken / "t_cheminement.shp")

    report = check_delivery(broken)
    assert not report.ok
    found = {(f.control, f.table): f for f in report.errors}
    text = report.format()

    assert cable in found[("bthd_mandatory", "t_cable")].rows
    assert "cb_statut" in found[("bthd_mandatory", "t_cable")].what
    assert box in found[("bthd_list", "t_ebp")].rows
    assert "XXX" in found[("bthd_list", "t_ebp")].what
    assert "l_bp_type_log" in found[("bthd_list", "t_ebp")].what
    assert point in found[("bthd_pk", "t_ptech")].rows
    assert point.replace("PT-", "ND-") in found[("ctrl_uc_0009", "t_ptech")].rows
    assert "no t_reference.csv" in found[("co_1_f00001", "t_reference")].what
    assert ("ctrl_fk_0005", "t_cable") in found  # cable references now resolve nowhere
    assert ("co_1_f00004", "t_organisme.csv") in found
    assert "ND-NOWHERE" in found[("ctrl_fk_0009", "t_cheminement")].rows
    assert moved in found[("topo_0001", "t_cheminement")].rows
    assert path_code not in found[("topo_0001", "t_cheminement")].rows  # unknown node: FK only
    assert "Fix:" in text and "t_cable: mandatory field cb_statut empty" in text
    # a delivery that is not there at all
    with pytest.raises(FileNotFoundError, match="GraceTHD delivery not found"):
        check_delivery(tmp_path / "nothing")


def test_zones_outside_their_parent_and_addresses_outside_zones(
    delivery: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "zones"
    shutil.copytree(delivery, broken)
    zp = pyogrio.read_dataframe(broken / "t_zpbo.shp")
    g = zp.geometry.to_numpy()
    g[0] = shapely.transform(g[0], lambda xy: xy + np.array([3000.0, 0.0]))
    zp.geometry = g
    shifted = str(zp.loc[0, "zp_code"])
    _rewrite(zp, broken / "t_zpbo.shp")
    report = check_delivery(broken)
    found = {(f.control, f.table): f for f in report.errors}
    assert shifted in found[("co_1_g00003", "t_zpbo")].rows
    assert ("bthd_zpbo", "t_adresse") in found  # its addresses lost their zone (or gained two)


def test_planned_pm_zones_carry_phase_tranche_and_year(small_run: Path, tmp_path: Path) -> None:
    from bthd.export.gracethd import write_delivery
    from bthd.io.runs import open_run

    run_dir = tmp_path / "run"
    shutil.copytree(small_run, run_dir)
    pms = sorted(open_run(run_dir).layer("sites").query("site_type == 'PM'")["site_id"])
    schedule = pd.DataFrame(
        {
            "pm_id": pms,
            "year": [2020 + i % 5 for i in range(len(pms))],
            "phase": ["phase 1" if i % 2 else "phase 2" for i in range(len(pms))],
            "tranche": ["tranche 3" if i % 2 else None for i in range(len(pms))],
            "zdep_id": [f"ZDEP-T-{i // 3:03d}" for i in range(len(pms))],
        }
    )
    with open_run(run_dir).add(stage="plan") as w:
        w.write_table("plan_schedule", schedule)
    out = write_delivery(run_dir, tmp_path / "gracethd")
    zs = pyogrio.read_dataframe(next(p for p in out if p.name == "t_zsro.shp"))
    got = dict(zip(zs["zs_refpm"], zs["zs_comment"], strict=True))
    for row in schedule.itertuples():
        text = got[row.pm_id]
        assert row.phase in text and f"FTTH {row.year}" in text and row.zdep_id in text
        assert ("tranche 3" in text) == isinstance(row.tranche, str)
    assert check_delivery(tmp_path / "gracethd").ok


def test_a_value_holding_the_separator_is_refused(tmp_path: Path) -> None:
    from bthd.export.gracethd.write import write_csv

    df = pd.DataFrame({"or_code": ["OR-A", "OR-B"], "or_nom": ["Megalis", "A;B"]})
    with pytest.raises(ValueError, match=r"or_nom \(1 values, e.g. 'A;B'\)"):
        write_csv("t_organisme", df, tmp_path)
    assert not (tmp_path / "t_organisme.csv").exists()


def test_postal_addresses_keep_ban_fields_and_label_synthetic_streets() -> None:
    from bthd.export.gracethd.addresses import postal_addresses

    p = pd.DataFrame(
        {
            "premise_id": ["22002-000002", "22002-000001", "99999-000001", "22002-000009"],
            "insee_code": ["22002", "22002", "99999", "22002"],
            "settlement_id": ["22002-B", "22002-B", None, "22002-B"],
            "numero": [None, None, None, "4"],
            "rep": [None, None, None, "bis"],
            "nom_voie": [None, None, None, "Rue de la Gare"],
            "code_postal": [None, None, None, "22401"],
        }
    )
    a = postal_addresses(p)
    # synthetic premises: numbered in premise_id order on their settlement's labelled street
    assert list(a["numero"]) == ["2", "1", "1", "4"]
    assert list(a["nom_voie"][:2]) == ["VOIE SYNTHETIQUE 22002-B"] * 2
    assert a["nom_voie"].iat[2] == "VOIE SYNTHETIQUE 99999"  # no settlement: the commune
    assert list(a["synthetic_address"]) == [True, True, True, False]
    # the BAN premise keeps its own fields; the others take their commune's postcode (La Poste)
    assert (a["nom_voie"].iat[3], a["rep"].iat[3], a["code_postal"].iat[3]) == (
        "Rue de la Gare",
        "bis",
        "22401",
    )
    assert list(a["code_postal"][:3]) == ["22400", "22400", None]
