"""Montée en débit planner: physics after an operation, gains, costs, exclusions, selection."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import shapely

from bthd import dsl, med
from bthd._errors import ParameterError
from bthd.eligibility import default_schedule, ftth_year
from bthd.med.candidates import weighted_benefit
from bthd.network.copper import CopperSettings, copper_lines
from bthd.network.roads import snap_premises, trench_network


@pytest.fixture(scope="module")
def plant(lamballe):
    """Copper lines of the Lamballe EPCI, its schedule, locaux and candidates (built once)."""
    r = lamballe
    net = trench_network(r.road_nodes, r.road_edges)
    snapped = snap_premises(r.premises, net)
    cl = copper_lines(net, snapped, r.sites)
    fy = ftth_year(r.premises, default_schedule(r.communes))
    locaux = r.premises["logements"] + r.premises["locaux_pro"]
    cands = med.candidates(cl, net, locaux, ftth_year=fy)
    return {"region": r, "net": net, "cl": cl, "fy": fy, "locaux": locaux, "cands": cands}


def _tv_codes(s: pd.Series) -> np.ndarray:
    return s.astype(dsl.TV_LEVEL_DTYPE).cat.codes.to_numpy()


# ------------------------------------------------------------------------------ physics after


def test_after_never_worse_and_unchanged_elsewhere(plant):
    cl, cands = plant["cl"], plant["cands"]
    every_med = cands[(cands["kind"] == "MED") & (cands["lines"] > 0)]
    after = med.apply(cl, every_med)
    L = cl.lines
    assert after.index.equals(L.index)
    ok = L["issue"] == ""
    assert (after.loc[ok, "atten_db"] <= L.loc[ok, "atten_db"] + 1e-9).all()
    assert (after["rate_mbps"] >= L["rate_mbps"]).all()
    assert (_tv_codes(after["tv"]) >= _tv_codes(L["tv"])).all()
    assert (after["rate_class"].cat.codes >= L["rate_class"].cat.codes).all()
    # lines in distribution directe (no SR) are not touched
    direct = L["sr_id"].isna()
    assert direct.any() and not after.loc[direct, "changed"].any()
    pd.testing.assert_series_equal(after.loc[direct, "rate_mbps"], L.loc[direct, "rate_mbps"])
    # a MED helps: many lines lifted, none degraded
    assert after["changed"].sum() == (L["sr_id"].notna() & ok).sum()
    assert (after["rate_mbps"] > L["rate_mbps"]).sum() > 1000


def test_after_attenuation_is_the_sr_premise_segment(plant):
    cl, cands = plant["cl"], plant["cands"]
    one = cands[(cands["kind"] == "MED") & cands["eligible"]].head(3)
    after = med.apply(cl, one)
    moved = after["changed"].to_numpy()
    L = cl.lines[moved]
    k_dist = float(dsl.attenuation_db(1000.0, gauge=0.5))  # CopperSettings.sr_premise_gauge_mm
    np.testing.assert_allclose(
        after.loc[moved, "atten_db"], L["sr_premise_m"] * k_dist / 1000, atol=0.011
    )
    expect = dsl.downstream_rate_mbps(
        after.loc[moved, "atten_db"].to_numpy(), length_m=L["sr_premise_m"].to_numpy()
    )
    np.testing.assert_allclose(
        after.loc[moved, "rate_mbps"], np.maximum(np.round(expect, 3), L["rate_mbps"]), atol=1e-9
    )
    assert set(after.loc[moved, "op_sr_id"]) == set(one["sr_id"])


def test_copper_settings_must_match_the_lines(plant):
    cands = plant["cands"]
    one = cands[(cands["kind"] == "MED") & cands["eligible"]].head(1)
    with pytest.raises(ParameterError, match="copper_settings"):
        med.apply(plant["cl"], one, copper_settings=CopperSettings(nra_sr_gauge_mm=0.4))


# ------------------------------------------------------------------------------ candidates


def test_gain_counts_match_a_recount_from_apply(plant):
    cl, cands, locaux = plant["cl"], plant["cands"], plant["locaux"]
    sel = med.select(cands, operations=12)
    assert set(sel["kind"]) == {"MED", "NRA-ZO"}  # both kinds compete
    after = med.apply(cl, sel)
    L = cl.lines
    w = locaux.to_numpy(float)
    before_tv, after_tv = _tv_codes(L["tv"]), _tv_codes(after["tv"])
    flags = {
        "gain_8": (L["rate_mbps"] < 8) & (after["rate_mbps"] >= 8),
        "gain_30": (L["rate_mbps"] < 30) & (after["rate_mbps"] >= 30),
        "gain_tv": pd.Series((before_tv == 0) & (after_tv > 0), index=L.index),
        "gain_shadow": (L["rate_mbps"] < 2) & (after["rate_mbps"] >= 2),
    }
    for _, op in sel.iterrows():
        at = (after["op_sr_id"] == op["sr_id"]).to_numpy()
        assert w[at].sum() == pytest.approx(op["lines_served"])
        for g, f in flags.items():
            assert w[at & f.to_numpy()].sum() == pytest.approx(op[g]), (op["sr_id"], g)
    # gains outside the selected SRs: none
    outside = ~after["changed"].to_numpy()
    assert not any((f.to_numpy() & outside).any() for f in flags.values())


def test_costs_routes_and_benefit_add_up(plant):
    cands, net = plant["cands"], plant["net"]
    s = med.MED
    ok = cands[cands["route_m"].notna()]
    assert len(ok) > 20
    sites = plant["cl"].sites.set_index("site_id")
    per_m = net.cost_per_m * s.civil_works_factor + s.fibre_cable_eur_per_m
    for _, c in ok[ok["kind"] == "MED"].iterrows():
        e = np.asarray(c["route_edges"])
        assert net.length[e].sum() == pytest.approx(c["route_m"], abs=0.1)
        assert (net.length[e] * per_m[e]).sum() == pytest.approx(c["fibre_eur"], abs=0.01)
        # the edges form a path from the NRA's road node to the SR's
        ends = np.bincount(np.r_[net.u[e], net.v[e]], minlength=net.n_nodes)
        odd = set(np.flatnonzero(ends % 2 == 1))
        a, b = int(sites.at[c["nra_id"], "node"]), int(sites.at[c["sr_id"], "node"])
        assert odd == ({a, b} if a != b else set())
    np.testing.assert_allclose(cands["cost_eur"], cands["operation_eur"] + cands["fibre_eur"])
    assert set(cands.loc[cands["kind"] == "MED", "operation_eur"]) == {128_000.0}
    assert set(cands.loc[cands["kind"] == "NRA-ZO", "operation_eur"]) == {s.nra_zo_cost_eur}
    w = s.benefit_weights
    np.testing.assert_allclose(cands["benefit"], sum(w[g] * cands[g] for g in w), atol=1e-6)
    elig = cands[cands["eligible"]]
    np.testing.assert_allclose(
        elig["benefit_per_eur"], elig["benefit"] / elig["cost_eur"], rtol=1e-6
    )
    # one row per SR and kind
    n_sr = int((plant["cl"].sites["site_type"] == "SR").sum())
    assert len(cands) == 2 * n_sr and not cands.duplicated(["kind", "sr_id"]).any()


def test_cheapest_route_option(plant):
    cl, net, locaux = plant["cl"], plant["net"], plant["locaux"]
    by_len = plant["cands"].query("kind == 'MED'")
    by_cost = med.candidates(
        cl, net, locaux, kinds=("MED",), settings=med.MedSettings(route_weight="cost")
    )
    m = by_len["route_m"].notna().to_numpy()
    assert (by_cost["fibre_eur"].to_numpy()[m] <= by_len["fibre_eur"].to_numpy()[m] + 0.01).all()
    assert (by_cost["route_m"].to_numpy()[m] >= by_len["route_m"].to_numpy()[m] - 0.1).all()
    flat = med.candidates(cl, net, locaux, kinds=("MED",), fibre_eur_per_m=0.0)
    assert (flat["cost_eur"].dropna() == 128_000.0).all() and flat["cost_eur"].notna().sum() > 20


def test_exclusions_have_reasons(plant):
    r, cl, net, locaux = plant["region"], plant["cl"], plant["net"], plant["locaux"]
    L = cl.lines
    # the commune most of one SR's lines are in is raccordable in 2018; another SR's in 2021
    insee = r.premises["insee_code"]
    by_sr = insee.groupby(L["sr_id"])
    single = by_sr.nunique() == 1  # SRs whose lines are all in one commune
    big = by_sr.size()[single & (by_sr.size() >= 100)].sort_index()
    com_of = by_sr.first()
    sr_a = big.index[0]
    com_a = com_of[sr_a]
    sr_b = next(s for s in big.index if com_of[s] != com_a)
    com_b = com_of[sr_b]
    year = pd.Series(2030.0, index=L.index)
    year[insee == com_a] = 2020.0  # within 5 years of 2015: excluded
    year[insee == com_b] = 2021.0  # 6 years: not excluded for FTTH
    c = med.candidates(cl, net, locaux, ftth_year=year, kinds=("MED",))
    row = c.set_index("sr_id")
    assert not row.at[sr_a, "eligible"]
    assert "FTTH planned within 5 years of 2015" in row.at[sr_a, "excluded"]
    assert "FTTH" not in row.at[sr_b, "excluded"]
    # every SR whose lines are all in com_a is excluded, none elsewhere for FTTH
    share = (insee == com_a).groupby(L["sr_id"]).mean()
    all_in = set(share.index[share == 1.0])
    ftth_excl = set(row.index[row["excluded"].str.contains("FTTH")])
    assert all_in <= ftth_excl
    assert ftth_excl <= set(share.index[share > 0.5])
    # too few lines, with the count in the reason
    few = med.candidates(cl, net, locaux, kinds=("MED",), min_lines=200).set_index("sr_id")
    small = few[(few["lines"] > 0) & (few["lines"] < 200)]
    assert len(small) and small["excluded"].str.contains(r"too few lines \(\d+ < 200\)").all()
    assert not small["eligible"].any()
    assert (few.loc[few["lines"] == 0, "excluded"] == "serves no premise").all()
    # without a schedule nobody is excluded for FTTH
    assert not plant["cands"].query("excluded.str.contains('FTTH')", engine="python").empty
    none = med.candidates(cl, net, locaux, kinds=("MED",))
    assert not none["excluded"].str.contains("FTTH").any()


def test_nra_zo_only_concerns_shadow_lines(plant):
    cl, cands, locaux = plant["cl"], plant["cands"], plant["locaux"]
    zo = cands[(cands["kind"] == "NRA-ZO") & cands["eligible"]]
    assert len(zo) > 3
    after = med.apply(cl, zo)
    L = cl.lines
    moved = after["changed"]
    assert moved.any() and (after.loc[moved, "kind"] == "NRA-ZO").all()
    assert (L.loc[moved, "rate_mbps"] < med.MED.shadow_rate_mbps).all()
    at_zo = L["sr_id"].isin(zo["sr_id"])
    fine = at_zo & (L["rate_mbps"] >= med.MED.shadow_rate_mbps)
    assert fine.any() and not moved[fine].any()
    pd.testing.assert_series_equal(after.loc[fine, "rate_mbps"], L.loc[fine, "rate_mbps"])
    shadow_locaux = locaux[at_zo & (L["rate_mbps"] < 2)].groupby(L["sr_id"]).sum()
    np.testing.assert_allclose(
        zo.set_index("sr_id")["lines_served"], shadow_locaux.reindex(zo["sr_id"]).to_numpy()
    )
    # an SR without shadow lines gets no NRA-ZO candidate
    none = cands[(cands["kind"] == "NRA-ZO") & (cands["lines"] > 0) & (cands["lines_served"] == 0)]
    assert (none["excluded"].str.contains("no line in the shadow")).all()
    # copper backhaul: capped at 2 Mbit/s, no fibre cost, no TV gained
    cu = med.candidates(
        cl,
        plant["net"],
        locaux,
        kinds=("NRA-ZO",),
        settings=med.MedSettings(nra_zo_backhaul="copper"),
    )
    assert (cu["fibre_eur"] == 0).all() and (cu["gain_tv"] == 0).all()
    assert (cu["gain_8"] == 0).all() and (cu["gain_shadow"] > 0).any()


# ------------------------------------------------------------------------------ selection


def test_selection_respects_budget_and_operations(plant):
    cands = plant["cands"]
    for exact in (False, True):
        sel = med.select(cands, budget=2_000_000, exact=exact)
        assert sel["cost_eur"].sum() <= 2_000_000
        assert sel["eligible"].all() and (sel["benefit"] > 0).all()
        assert not sel["sr_id"].duplicated().any()
        assert list(sel["rank"]) == list(range(1, len(sel) + 1))
        np.testing.assert_allclose(sel["cum_cost_eur"].iloc[-1], sel["cost_eur"].sum())
        n = med.select(cands, operations=7, exact=exact)
        assert len(n) == 7 and not n["sr_id"].duplicated().any()
    assert len(med.select(cands, operations=0)) == 0
    assert len(med.select(cands, budget=0)) == 0
    many = med.select(cands, operations=10_000)
    assert len(many) == cands.loc[cands["eligible"], "sr_id"].nunique()


def test_greedy_is_by_benefit_per_euro(plant):
    sel = med.select(plant["cands"], operations=10)
    r = sel["benefit_per_eur"].to_numpy()
    assert (np.diff(r) <= 0).all()
    pool = plant["cands"][plant["cands"]["eligible"]]
    best = pool.sort_values("benefit_per_eur", ascending=False).iloc[0]
    assert (sel.iloc[0]["sr_id"], sel.iloc[0]["kind"]) == (best["sr_id"], best["kind"])


def test_exact_at_least_as_good_as_greedy(plant):
    cands = plant["cands"]
    for kw in ({"budget": 1_500_000}, {"budget": 4_000_000}, {"operations": 10}):
        g = med.select(cands, **kw)
        x = med.select(cands, exact=True, **kw)
        assert x["benefit"].sum() >= g["benefit"].sum() - 1e-9
        assert x.attrs["selection"]["method"].startswith("exact")


def _tiny() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 11
    gains = rng.integers(0, 60, size=(n, 4)).astype(float)
    df = pd.DataFrame(gains, columns=list(med.GAINS))
    df["kind"] = ["MED", "NRA-ZO"] * 5 + ["MED"]
    df["sr_id"] = [f"SR-{i // 2}" for i in range(n)]  # pairs of kinds at the same SR
    df["cost_eur"] = rng.integers(50_000, 300_000, size=n).astype(float)
    df["benefit"] = weighted_benefit(df, med.MED.benefit_weights)
    df["benefit_per_eur"] = df["benefit"] / df["cost_eur"]
    df["eligible"] = True
    return df


def _brute(df: pd.DataFrame, budget=None, operations=None) -> float:
    """Best total benefit over every subset (one operation per SR) by enumeration."""
    cost, benefit = df["cost_eur"].to_numpy(), df["benefit"].to_numpy()
    sr = pd.factorize(df["sr_id"])[0]
    best = 0.0
    for r in range(len(df) + 1):
        if operations is not None and r > operations:
            break
        for combo in itertools.combinations(range(len(df)), r):
            c = list(combo)
            if len(set(sr[c])) < r or (budget is not None and cost[c].sum() > budget):
                continue
            best = max(best, float(benefit[c].sum()))
    return best


@pytest.mark.parametrize(
    "kw", [{"budget": 350_000}, {"budget": 550_000}, {"budget": 700_000}, {"operations": 3}]
)
def test_exact_is_optimal_on_a_tiny_instance(kw):
    df = _tiny()
    x = med.select(df, exact=True, **kw)
    best = _brute(df, **kw)
    assert x["benefit"].sum() == pytest.approx(best)
    assert x.attrs["selection"]["method"] == "exact"
    g = med.select(df, **kw)
    assert g["benefit"].sum() <= x["benefit"].sum() + 1e-9
    if kw in ({"budget": 350_000}, {"operations": 3}):  # instances where greedy is not optimal
        assert g["benefit"].sum() < best - 1


def test_greedy_ties_are_deterministic():
    df = pd.DataFrame(
        {
            "kind": ["MED"] * 4,
            "sr_id": ["SR-d", "SR-b", "SR-c", "SR-a"],
            "cost_eur": [100.0, 100.0, 200.0, 100.0],
            "gain_8": [10.0, 10.0, 20.0, 10.0],
            "gain_30": 0.0,
            "gain_tv": 0.0,
            "gain_shadow": 0.0,
            "eligible": True,
        }
    )
    df["benefit"] = df["gain_8"]
    df["benefit_per_eur"] = df["benefit"] / df["cost_eur"]
    sel = med.select(df, operations=4)
    # same ratio: larger benefit first, then lower cost, then sr_id
    assert list(sel["sr_id"]) == ["SR-c", "SR-a", "SR-b", "SR-d"]
    assert list(med.select(df.iloc[::-1], operations=4)["sr_id"]) == list(sel["sr_id"])


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"budget": 1e6, "operations": 3}, "not both"),
        ({}, "budget"),
        ({"budget": -1.0}, "≥ 0"),
        ({"budget": float("nan")}, "finite"),
        ({"operations": -2}, "≥ 0"),
        ({"operations": 2.5}, "whole number"),
        ({"operations": 2, "weights": {"gain_9": 1.0}}, "unknown gains"),
        ({"operations": 2, "weights": {"gain_8": -1.0}}, "≥ 0"),
    ],
)
def test_select_refuses_nonsense(plant, kw, match):
    with pytest.raises(ParameterError, match=match):
        med.select(plant["cands"], **kw)


def test_settings_are_typed_sourced_and_validated(plant):
    for name, f in med.MedSettings.model_fields.items():
        assert f.description and "onf" in f.description, name  # every field states its conf
    with pytest.raises(Exception, match="frozen"):
        med.MED.min_lines = 3  # type: ignore[misc]
    with pytest.raises(ParameterError, match="min_lines"):
        med.candidates(plant["cl"], plant["net"], plant["locaux"], min_lines=-1)
    with pytest.raises(ParameterError, match="kinds"):
        med.candidates(plant["cl"], plant["net"], plant["locaux"], kinds=("FTTC",))
    with pytest.raises(ParameterError, match="locaux"):
        med.candidates(plant["cl"], plant["net"], plant["locaux"].iloc[:10])


def test_weights_change_the_ranking(plant):
    only_tv = med.select(plant["cands"], operations=5, weights={"gain_tv": 1.0})
    assert only_tv["benefit"].sum() == pytest.approx(only_tv["gain_tv"].sum())


# ------------------------------------------------------------------------------ reports


def test_before_after_shares(plant):
    cl, locaux = plant["cl"], plant["locaux"]
    sel = med.select(plant["cands"], operations=8)
    after = med.apply(cl, sel)
    ba = med.before_after(cl, after, locaux, sel)
    a = ba[ba["kind"] == "all"].set_index("figure")
    assert a.at["lines concerned (locaux)", "before"] == pytest.approx(sel["lines_served"].sum())
    for col in ("before", "after"):
        assert a.at["share below 8 Mbit/s", col] + a.at["share at least 8 Mbit/s", col] == (
            pytest.approx(1.0, abs=2e-4)
        )
    assert a.at["share at least 8 Mbit/s", "after"] > a.at["share at least 8 Mbit/s", "before"]
    assert a.at["share with TV (SD or HD)", "after"] >= a.at["share with TV (SD or HD)", "before"]
    assert set(ba["kind"]) == {"all", *sel["kind"]}


def test_report_2015_side_by_side(plant):
    rep = med.report_2015(plant["cands"], plant["cl"], plant["locaux"])
    t = rep.table.set_index("figure")
    assert list(rep.table.columns) == ["figure", "Mégalis 2015 report", "bthd model", "note"]
    col = "Mégalis 2015 report"
    assert t.at["operations", col] == 174 and t.at["lines concerned (locaux)", col] == 50_000
    assert t.at["mean cost per operation (€)", col] == 128_000
    assert t.at["share below 8 Mbit/s before (%)", col] == pytest.approx(98)
    assert t.at["share at least 8 Mbit/s after (%)", col] == pytest.approx(96)
    assert t.at["share with TV before (%)", col] == pytest.approx(19)
    assert t.at["share with TV after (%)", col] == pytest.approx(99)
    # the EPCI has fewer eligible MED candidates than 174: all of them are selected
    n_elig = int((plant["cands"]["eligible"] & (plant["cands"]["kind"] == "MED")).sum())
    assert t.at["operations", "bthd model"] == min(174, n_elig)
    assert (rep.selected["kind"] == "MED").all()
    assert t.at["lines concerned (locaux)", "bthd model"] == pytest.approx(
        rep.selected["lines_served"].sum()
    )
    for word in ("Synthetic copper plant", "TV rule", "Lines concerned"):
        assert word in rep.explanation


def test_sunk_cost(plant):
    cl, fy, net, locaux = plant["cl"], plant["fy"], plant["net"], plant["locaux"]
    sel = med.select(plant["cands"], operations=6)
    sc = med.sunk_cost(sel, cl, fy, locaux=locaux)
    np.testing.assert_allclose(sc["cost_per_line"], sc["cost_eur"] / sc["lines"], atol=0.006)
    np.testing.assert_allclose(sc["years_served"], sc["ftth_year"] - 2015)
    assert (sc["ftth_year_first"] <= sc["ftth_year"]).all()
    assert (sc["ftth_year"] <= sc["ftth_year_all"]).all()
    assert sc["reusable_share"].isna().all()
    np.testing.assert_allclose(sc["sunk_eur"], sc["cost_eur"])
    # every road edge trenched by FTTH: all the fibre is reusable, only the operation is sunk
    every = med.sunk_cost(
        sel, cl, fy, locaux=locaux, net=net, ftth_trench_edges=np.arange(net.n_edges)
    )
    np.testing.assert_allclose(every["reusable_share"], 1.0)
    np.testing.assert_allclose(every["sunk_eur"], sel["operation_eur"].to_numpy(), atol=0.02)
    # half of each route's edges
    half = np.concatenate([np.asarray(e)[::2] for e in sel["route_edges"]])
    part = med.sunk_cost(sel, cl, fy, locaux=locaux, net=net, ftth_trench_edges=half)
    assert ((part["reusable_share"] > 0) & (part["reusable_share"] < 1)).all()
    np.testing.assert_allclose(part["sunk_per_line"], part["sunk_eur"] / part["lines"], atol=0.006)
    later = med.sunk_cost(sel, cl, fy, locaux=locaux, med_year=2017)
    np.testing.assert_allclose(later["years_served"], (sc["years_served"] - 2).clip(lower=0))
    with pytest.raises(ParameterError, match="net="):
        med.sunk_cost(sel, cl, fy, ftth_trench_edges=half)
    with pytest.raises(ParameterError, match="edge indices"):
        med.sunk_cost(sel, cl, fy, net=net, ftth_trench_edges=[net.n_edges + 5])


def test_route_lines_follow_the_routes(plant):
    sel = med.select(plant["cands"], operations=5)
    geoms = med.route_lines(sel, plant["net"])
    lengths = shapely.length(geoms.astype(object))
    assert (
        np.abs(lengths - sel["route_m"].to_numpy()) <= 0.01 * sel["route_m"].to_numpy() + 1
    ).all()


# ------------------------------------------------------------------------------ programme


def test_programme_tables_and_layers(lamballe):
    from dataclasses import replace

    from bthd._errors import InputError
    from bthd.costs.med import fibre_paid, operation_cost

    prg = med.programme(lamballe, budget=3_000_000.0, nra_zo=True)
    tables = prg.tables()
    assert set(tables) == {
        "med_candidates",
        "med_selected",
        "med_before_after",
        "med_report_2015",
        "med_sunk_cost",
    }
    assert not any("route_edges" in t.columns for t in tables.values())
    cands, sel = tables["med_candidates"], tables["med_selected"]
    assert set(cands["kind"]) == set(med.KINDS)
    # every candidate costs its operation plus its fibre route (none for a copper-fed NRA-ZO)
    for kind, rows in cands.groupby("kind"):
        assert (rows["operation_eur"] == operation_cost(kind, prg.settings)).all()
        if not fibre_paid(kind, prg.settings):
            assert (rows["fibre_eur"] == 0).all()
    np.testing.assert_allclose(cands["cost_eur"], cands["operation_eur"] + cands["fibre_eur"])
    # the selection: eligible candidates, one per SR, within the budget
    assert len(sel) > 0 and sel["eligible"].all() and sel["sr_id"].is_unique
    assert sel["cost_eur"].sum() <= 3_000_000.0
    assert tables["med_sunk_cost"]["sr_id"].tolist() == sel["sr_id"].tolist()
    # the layers: one SR point and one route per operation, the route as long as route_m
    layers = prg.layers()
    for name in ("med_sites", "med_routes"):
        assert len(layers[name]) == len(sel) and layers[name].crs.to_epsg() == 2154
    routes = layers["med_routes"]
    np.testing.assert_allclose(routes.geometry.length, routes["route_m"], rtol=0.02, atol=1.0)
    with pytest.raises(InputError, match="no road_edges"):
        med.programme(replace(lamballe, road_edges=None, _graph=None), operations=3)
