"""Tests of bthd.dsl: copper attenuation, DSL rates, rate classes, TV, montée en débit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pydantic
import pytest

from bthd import dsl
from bthd._errors import ValidationError
from bthd.dsl import DSL, DslSettings

TABLE = np.asarray(DSL.adsl_table)  # (length m, atten dB, ADSL1/2, ADSL2+)
K = {0.4: 15.0, 0.5: 12.4, 0.6: 10.3, 0.8: 7.9}
RNG_SEED = 2154
TECHNOLOGIES: tuple[dsl.Technology, ...] = ("adsl2+", "adsl1/2")


# ------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------


def test_default_settings_carry_the_domain_constants() -> None:
    assert DSL.attenuation_db_per_km == K
    assert DSL.gauge_mix == {0.4: 0.5, 0.6: 0.5}
    assert DSL.detour_factor == 1.1
    assert DSL.max_attenuation_db == 78.0
    assert (DSL.anchor_attenuation_db, DSL.anchor_rate_mbps) == (70.0, 1.0)
    assert DSL.vdsl2_envelope == ((300, 80), (500, 65), (900, 40), (1200, 25))
    assert DSL.vdsl2_adsl2plus_length_m == 1500.0
    assert (DSL.tv_sd_mbps, DSL.tv_hd_mbps) == (4.0, 7.0)
    assert len(DSL.adsl_table) == 9


def test_shipped_table_is_monotone() -> None:
    att = TABLE[:, 1]
    assert np.all(np.diff(att) > 0)
    for col in (2, 3):
        rates = np.append(TABLE[:, col], [DSL.anchor_rate_mbps, DSL.rate_at_max_attenuation_mbps])
        assert np.all(np.diff(rates) <= 0)
    assert np.all(TABLE[:, 3] >= TABLE[:, 2])  # ADSL2+ never below ADSL1/2


def test_every_setting_is_documented() -> None:
    for name, field in DslSettings.model_fields.items():
        assert field.description, name


def test_settings_are_frozen_and_strict() -> None:
    with pytest.raises(pydantic.ValidationError):
        DSL.detour_factor = 1.2
    with pytest.raises(pydantic.ValidationError, match="extra"):
        DslSettings(unknown_field=1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"adsl_table": ((100, 5.0, 8.0, 19.0), (200, 4.0, 8.0, 18.0))}, "strictly increasing"),
        ({"adsl_table": ((100, 4.0, 8.0, 18.0), (200, 5.0, 8.0, 19.0))}, "non-increasing"),
        ({"anchor_rate_mbps": 5.0}, "non-increasing"),
        ({"max_attenuation_db": 65.0}, "strictly increasing"),
        ({"gauge_mix": {0.4: 0.7, 0.6: 0.5}}, "sum to 1.2"),
        ({"gauge_mix": {0.45: 1.0}}, "unknown gauges 0.45"),
        ({"vdsl2_envelope": ((300, 80), (500, 90))}, "must not increase"),
        ({"vdsl2_envelope": ((300, 80), (1600, 20))}, "below vdsl2_adsl2plus_length_m"),
        ({"detour_factor": 0.9}, "greater than or equal to 1"),
        ({"tv_hd_mbps": 3.0}, "tv_hd_mbps"),
    ],
)
def test_settings_refuse_inconsistent_constants(change: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        DslSettings(**change)


# ------------------------------------------------------------------------------------------
# Length and attenuation
# ------------------------------------------------------------------------------------------


def test_line_length_applies_the_detour_factor() -> None:
    road = pd.Series([0.0, 100.0, 2500.0], index=["x", "y", "z"])
    got = dsl.line_length_m(road)
    pd.testing.assert_series_equal(
        got, pd.Series([0.0, 110.0, 2750.0], index=["x", "y", "z"], name="line_length_m")
    )
    np.testing.assert_allclose(dsl.line_length_m([100.0], detour_factor=1.3), [130.0])
    custom = DslSettings(detour_factor=1.25)
    np.testing.assert_allclose(dsl.line_length_m([100.0], settings=custom), [125.0])


def test_line_length_refuses_a_detour_factor_below_one() -> None:
    with pytest.raises(ValidationError, match=r"(?s)detour_factor.*0.8 is below 1"):
        dsl.line_length_m([100.0], detour_factor=0.8)


@pytest.mark.parametrize(("gauge", "k"), sorted(K.items()))
def test_attenuation_per_gauge(gauge: float, k: float) -> None:
    length = np.array([0.0, 250.0, 1000.0, 4321.0])
    np.testing.assert_allclose(dsl.attenuation_db(length, gauge=gauge), length / 1000 * k)


def test_attenuation_with_per_line_gauges() -> None:
    got = dsl.attenuation_db([1000.0, 1000.0, 2000.0, 500.0], gauge=[0.4, 0.5, 0.6, 0.8])
    np.testing.assert_allclose(got, [15.0, 12.4, 20.6, 3.95])


def test_attenuation_with_a_gauge_mix_is_the_sum_over_segments() -> None:
    length = np.array([0.0, 800.0, 3000.0])
    mix = {0.4: 0.2, 0.5: 0.3, 0.8: 0.5}
    expected = sum(length * share / 1000 * K[g] for g, share in mix.items())
    np.testing.assert_allclose(dsl.attenuation_db(length, gauge_mix=mix), expected)
    # default mix: half 0.4 mm, half 0.6 mm
    np.testing.assert_allclose(dsl.attenuation_db(length), length / 1000 * 12.65)


def test_attenuation_is_additive_and_increasing_in_length() -> None:
    rng = np.random.default_rng(RNG_SEED)
    a, b = rng.uniform(0, 6000, 500), rng.uniform(0, 6000, 500)
    np.testing.assert_allclose(
        dsl.attenuation_db(a + b), dsl.attenuation_db(a) + dsl.attenuation_db(b)
    )
    grid = np.linspace(0, 10_000, 1001)
    assert np.all(np.diff(dsl.attenuation_db(grid)) > 0)


def test_attenuation_keeps_the_series_index() -> None:
    lengths = pd.Series([1000.0, 2000.0], index=pd.Index([42, 7], name="local_id"))
    gauge = pd.Series([0.4, 0.6], index=lengths.index)
    got = dsl.attenuation_db(lengths, gauge=gauge)
    pd.testing.assert_series_equal(
        got, pd.Series([15.0, 20.6], index=lengths.index, name="attenuation_db")
    )


# ------------------------------------------------------------------------------------------
# Downstream rate
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("technology", "col"), [("adsl2+", 3), ("adsl1/2", 2)])
def test_rate_is_exact_at_every_table_point(technology: dsl.Technology, col: int) -> None:
    got = dsl.downstream_rate_mbps(TABLE[:, 1], vdsl2=False, technology=technology)
    np.testing.assert_allclose(got, TABLE[:, col])


@pytest.mark.parametrize(("technology", "col"), [("adsl2+", 3), ("adsl1/2", 2)])
def test_rate_is_linear_on_attenuation_between_table_points(
    technology: dsl.Technology, col: int
) -> None:
    mid = (TABLE[:-1, 1] + TABLE[1:, 1]) / 2
    expected = (TABLE[:-1, col] + TABLE[1:, col]) / 2
    got = dsl.downstream_rate_mbps(mid, vdsl2=False, technology=technology)
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize("technology", ["adsl2+", "adsl1/2"])
def test_anchors_and_the_78_db_cut_off(technology: dsl.Technology) -> None:
    att = np.array([0.0, 2.0, 70.0, 74.0, 78.0, 78.0001, 90.0, 400.0])
    got = dsl.downstream_rate_mbps(att, vdsl2=False, technology=technology)
    first = TABLE[0, 3 if technology == "adsl2+" else 2]
    np.testing.assert_allclose(got, [first, first, 1.0, 0.75, 0.5, 0.0, 0.0, 0.0])
    assert list(dsl.rate_class(got))[-3:] == ["inéligible"] * 3
    assert dsl.rate_class(got)[4] == "<3"  # exactly 78 dB is still eligible


def test_cut_off_applies_even_to_vdsl2_capable_short_lines() -> None:
    assert float(dsl.downstream_rate_mbps(80.0, length_m=200.0)) == 0.0


@pytest.mark.parametrize("technology", ["adsl2+", "adsl1/2"])
@pytest.mark.parametrize("vdsl2", [True, False])
def test_rate_is_non_increasing_in_attenuation(technology: dsl.Technology, vdsl2: bool) -> None:
    att = np.linspace(0, 100, 20_001)
    rate = dsl.downstream_rate_mbps(att, vdsl2=vdsl2, technology=technology)
    assert np.all(np.diff(rate) <= 1e-12)
    assert np.all(rate >= 0)


@pytest.mark.parametrize("gauge", [*sorted(K), None])
def test_rate_is_non_increasing_in_length(gauge: float | None) -> None:
    length = np.linspace(0, 12_000, 24_001)
    att = dsl.attenuation_db(length, gauge=gauge)
    for vdsl2 in (True, False):
        rate = dsl.downstream_rate_mbps(att, length_m=length, vdsl2=vdsl2)
        assert np.all(np.diff(rate) <= 1e-12), (gauge, vdsl2)


def test_random_lines_have_a_rate_that_falls_with_attenuation() -> None:
    # property test over random pairs of lines: more attenuation never means more rate
    rng = np.random.default_rng(RNG_SEED)
    a = rng.uniform(0, 90, 50_000)
    b = a + rng.exponential(5, a.size)
    for technology in TECHNOLOGIES:
        ra = dsl.downstream_rate_mbps(a, vdsl2=False, technology=technology)
        rb = dsl.downstream_rate_mbps(b, vdsl2=False, technology=technology)
        assert np.all(rb <= ra)


def test_field_checks_of_the_domain_hold() -> None:
    # ariase: < 20 dB → 14–22 Mbit/s ADSL2+, < 30 dB → > 11 Mbit/s (DOMAIN §5.3)
    r20 = dsl.downstream_rate_mbps(np.linspace(0, 19.99, 100), vdsl2=False)
    assert np.all((r20 >= 14) & (r20 <= 22))
    r30 = dsl.downstream_rate_mbps(np.linspace(0, 29.69, 100), vdsl2=False)
    assert np.all(r30 > 11)


def test_adsl1_2_is_never_faster_than_adsl2plus() -> None:
    att = np.linspace(0, 100, 5001)
    assert np.all(
        dsl.downstream_rate_mbps(att, technology="adsl1/2")
        <= dsl.downstream_rate_mbps(att, vdsl2=False)
    )


# ------------------------------------------------------------------------------------------
# VDSL2
# ------------------------------------------------------------------------------------------


def test_vdsl2_follows_its_envelope_on_short_lines() -> None:
    length = np.array([0.0, 300.0, 400.0, 500.0, 900.0, 1200.0])
    att = dsl.attenuation_db(length, gauge=0.4)
    got = dsl.downstream_rate_mbps(att, length_m=length)
    np.testing.assert_allclose(got, [80.0, 80.0, 72.5, 65.0, 40.0, 25.0])


def test_vdsl2_joins_adsl2plus_at_one_and_a_half_km() -> None:
    length = np.array([1200.0, 1350.0, 1500.0, 1500.0001, 2000.0, 5000.0])
    att = dsl.attenuation_db(length, gauge=0.4)
    adsl = dsl.downstream_rate_mbps(att, vdsl2=False)
    got = dsl.downstream_rate_mbps(att, length_m=length)
    np.testing.assert_allclose(got[1], (25.0 + adsl[1]) / 2)
    np.testing.assert_allclose(got[2:], adsl[2:])  # no gain from 1.5 km on


def test_vdsl2_never_lowers_the_rate_and_only_helps_short_lines() -> None:
    rng = np.random.default_rng(RNG_SEED)
    n = 100_000
    length = rng.uniform(0, 8000, n)
    gauge = rng.choice(sorted(K), n)
    att = dsl.attenuation_db(length, gauge=gauge)
    capable = rng.random(n) < 0.7
    adsl = dsl.downstream_rate_mbps(att, vdsl2=False)
    with_vdsl2 = dsl.downstream_rate_mbps(att, length_m=length, vdsl2=capable)
    assert np.all(with_vdsl2 >= adsl)
    gained = with_vdsl2 > adsl
    assert gained.any()
    assert np.all(length[gained] < DSL.vdsl2_adsl2plus_length_m)
    assert not np.any(gained & ~capable)
    assert with_vdsl2.max() == 80.0


def test_vdsl2_without_length_infers_it_from_the_gauge_mix() -> None:
    length = np.array([200.0, 700.0, 1300.0, 3000.0])
    att = dsl.attenuation_db(length)  # default mix
    np.testing.assert_allclose(
        dsl.downstream_rate_mbps(att), dsl.downstream_rate_mbps(att, length_m=length)
    )


def test_vdsl2_is_not_used_with_adsl1_2() -> None:
    att = np.array([1.0, 5.0, 10.0])
    np.testing.assert_allclose(
        dsl.downstream_rate_mbps(att, length_m=[50.0, 300.0, 700.0], technology="adsl1/2"),
        [8.0, 8.0, 8.0],
    )


def test_rate_keeps_the_series_index_and_checks_alignment() -> None:
    idx = pd.Index(["b", "a", "c"], name="local_id")
    length = pd.Series([300.0, 2000.0, 6000.0], index=idx)
    att = dsl.attenuation_db(length, gauge=0.4)
    flags = pd.Series([True, True, False], index=idx)
    got = dsl.downstream_rate_mbps(att, length_m=length, vdsl2=flags)
    assert isinstance(got, pd.Series)
    assert got.index.equals(idx) and got.name == "rate_mbps"
    assert got["b"] == 80.0
    with pytest.raises(ValidationError, match=r"(?s)length_m.*index differs"):
        dsl.downstream_rate_mbps(att, length_m=length.sort_index())
    with pytest.raises(ValidationError, match=r"(?s)vdsl2.*2 values for 3 lines"):
        dsl.downstream_rate_mbps(att, vdsl2=[True, False])


# ------------------------------------------------------------------------------------------
# Rate classes
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (np.nan, "inéligible"),
        (0.0, "inéligible"),
        (1e-9, "<3"),
        (2.999, "<3"),
        (3.0, "3–8"),
        (7.999, "3–8"),
        (8.0, "8–30"),
        (29.999, "8–30"),
        (30.0, "30–100"),
        (99.999, "30–100"),
        (100.0, "≥100"),
        (1000.0, "≥100"),
        (np.inf, "≥100"),
    ],
)
def test_rate_class_boundaries(rate: float, expected: str) -> None:
    assert dsl.rate_class([rate])[0] == expected


def test_every_line_gets_exactly_one_ordered_class() -> None:
    rng = np.random.default_rng(RNG_SEED)
    rate = rng.choice([0.0, np.nan, 3.0, 8.0, 30.0, 100.0], 10_000)
    rate = np.where(rng.random(10_000) < 0.5, rng.uniform(0, 200, 10_000), rate)
    classes = dsl.rate_class(rate)
    assert isinstance(classes, pd.Categorical)
    assert classes.dtype == dsl.RATE_CLASS_DTYPE and classes.ordered
    assert list(classes.categories) == list(dsl.RATE_CLASSES)
    assert not classes.isna().any()
    assert classes.value_counts().sum() == rate.size
    # ordered classes follow ordered rates
    order = np.argsort(np.nan_to_num(rate, nan=0.0), kind="stable")
    assert np.all(np.diff(classes.codes[order]) >= 0)


def test_rate_class_keeps_the_index() -> None:
    rate = pd.Series([0.0, 12.0, 150.0], index=[30, 10, 20])
    got = dsl.rate_class(rate)
    assert isinstance(got, pd.Series)
    assert got.index.equals(rate.index) and got.name == "rate_class"
    assert got.tolist() == ["inéligible", "8–30", "≥100"]
    assert got.cat.ordered


def test_bon_and_tres_haut_debit_agree_with_the_classes() -> None:
    rate = np.array([np.nan, 0.0, 2.0, 7.99, 8.0, 29.99, 30.0, 100.0])
    classes = dsl.rate_class(rate)
    np.testing.assert_array_equal(dsl.bon_haut_debit(rate), classes >= "8–30")
    np.testing.assert_array_equal(dsl.tres_haut_debit(rate), classes >= "30–100")
    s = pd.Series(rate, index=list("abcdefgh"))
    assert dsl.bon_haut_debit(s).name == "bon_haut_debit"
    assert dsl.tres_haut_debit(s).index.equals(s.index)


def test_class_colours() -> None:
    assert tuple(dsl.RATE_CLASS_COLOURS) == dsl.RATE_CLASSES
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in dsl.RATE_CLASS_COLOURS.values())
    assert len(set(dsl.RATE_CLASS_COLOURS.values())) == len(dsl.RATE_CLASSES)
    with pytest.raises(TypeError):
        dsl.RATE_CLASS_COLOURS["≥100"] = "#000000"  # type: ignore[index]


def test_ftth_lines_are_in_the_top_class() -> None:
    assert dsl.ftth_rate_mbps() == 1000.0
    assert dsl.rate_class([dsl.ftth_rate_mbps()])[0] == "≥100"
    assert dsl.ftth_rate_mbps(settings=DslSettings(ftth_rate_mbps=300.0)) == 300.0


def test_negative_rates_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"negative rates \(1 row: position 1\)"):
        dsl.rate_class([1.0, -1.0])


# ------------------------------------------------------------------------------------------
# TV over DSL
# ------------------------------------------------------------------------------------------


def test_tv_thresholds_and_the_nra_flag() -> None:
    rate = np.array([np.nan, 0.0, 3.99, 4.0, 6.99, 7.0, 20.0])
    assert list(dsl.tv_eligibility(rate, nra_tv=True)) == [
        "none", "none", "none", "SD", "SD", "HD", "HD"
    ]  # fmt: skip
    assert list(dsl.tv_eligibility(rate, nra_tv=False)) == ["none"] * rate.size
    per_line = np.array([True, True, True, False, True, False, True])
    assert list(dsl.tv_eligibility(rate, nra_tv=per_line)) == [
        "none", "none", "none", "none", "SD", "none", "HD"
    ]  # fmt: skip
    got = dsl.tv_eligibility(rate, nra_tv=[1, 1, 1, 1, 1, 1, 0])
    assert got.dtype == dsl.TV_LEVEL_DTYPE and got[-1] == "none"


def test_tv_keeps_the_index_and_refuses_missing_flags() -> None:
    idx = pd.Index(["p", "q"])
    got = dsl.tv_eligibility(
        pd.Series([5.0, 10.0], index=idx), nra_tv=pd.Series([True, True], index=idx)
    )
    assert got.index.equals(idx) and got.name == "tv" and got.tolist() == ["SD", "HD"]
    with pytest.raises(ValidationError, match=r"(?s)nra_tv.*not true/false \(1 row: q\)"):
        dsl.tv_eligibility(
            pd.Series([5.0, 10.0], index=idx),
            nra_tv=pd.Series([True, None], index=idx, dtype="boolean"),
        )
    with pytest.raises(ValidationError, match=r"(?s)nra_tv.*index differs"):
        dsl.tv_eligibility(pd.Series([5.0, 10.0], index=idx), nra_tv=pd.Series([True, True]))


def test_sd_tv_limit_sits_near_the_domain_attenuation() -> None:
    # DOMAIN: SD ≥ 4 Mbit/s "≈ < 50 dB": true for ADSL1/2; ADSL2+ keeps 4 Mbit/s to ≈ 55 dB
    att = np.linspace(40, 60, 2001)
    for technology, (lo, hi) in zip(TECHNOLOGIES, [(54, 56), (48, 50)], strict=True):
        rate = dsl.downstream_rate_mbps(att, vdsl2=False, technology=technology)
        sd = np.asarray(dsl.tv_eligibility(rate, nra_tv=True)) != "none"
        limit = att[sd].max()
        assert lo < limit < hi, (technology, limit)


# ------------------------------------------------------------------------------------------
# Montée en débit
# ------------------------------------------------------------------------------------------


def test_med_keeps_only_the_sr_to_premise_segment() -> None:
    nra_sr = pd.Series([3000.0, 3000.0, np.nan, 0.0], index=list("abcd"))
    sr_premise = pd.Series([500.0, 500.0, 2500.0, 2500.0], index=list("abcd"))
    got = dsl.med_attenuation_db(
        nra_sr, sr_premise, has_sr=[True, True, False, False], med=[True, False, True, True]
    )
    assert list(got.columns) == ["before_db", "after_db", "gain_db"]
    assert got.index.equals(nra_sr.index)
    np.testing.assert_allclose(got["before_db"], [3500 * 0.01265, 3500 * 0.01265, 31.625, 31.625])
    np.testing.assert_allclose(got["after_db"], [6.325, 3500 * 0.01265, 31.625, 31.625])
    np.testing.assert_allclose(got["gain_db"], got["before_db"] - got["after_db"])


def test_med_gains_only_with_an_sr_and_never_worsens() -> None:
    rng = np.random.default_rng(RNG_SEED)
    n = 50_000
    has_sr = rng.random(n) < 0.8
    nra_sr = np.where(has_sr, rng.uniform(0, 5000, n), np.nan)  # no NRA→SR length without SR
    sr_premise = rng.uniform(0, 3000, n)
    med = rng.random(n) < 0.5
    got = dsl.med_attenuation_db(
        nra_sr, sr_premise, has_sr=has_sr, med=med, nra_sr_gauge=0.6, sr_premise_gauge=0.4
    )
    assert np.all(got["after_db"] <= got["before_db"])
    assert not np.any((got["gain_db"] > 0) & ~(has_sr & med))
    np.testing.assert_allclose(got["after_db"][has_sr & med], sr_premise[has_sr & med] * 0.015)
    np.testing.assert_allclose(
        got["before_db"], np.nan_to_num(nra_sr * 0.0103) + sr_premise * 0.015
    )
    # and the rate can only improve, with VDSL2 from the SR on the SR→premise length
    total = np.nan_to_num(nra_sr) + sr_premise
    before = dsl.downstream_rate_mbps(got["before_db"].to_numpy(), length_m=total)
    after = dsl.downstream_rate_mbps(got["after_db"].to_numpy(), length_m=sr_premise)
    after = np.where(has_sr & med, after, before)
    assert np.all(after >= before)


def test_med_refuses_missing_nra_sr_lengths_on_lines_with_an_sr() -> None:
    with pytest.raises(
        ValidationError, match=r"(?s)nra_sr_m.*missing values.*\(1 row: position 0\)"
    ):
        dsl.med_attenuation_db([np.nan, np.nan], [100.0, 100.0], has_sr=[True, False])


# ------------------------------------------------------------------------------------------
# Bad inputs
# ------------------------------------------------------------------------------------------


def test_bad_lengths_name_the_problem_the_lines_and_the_fix() -> None:
    idx = pd.Index([101, 102, 103, 104, 105], name="local_id")
    lengths = pd.Series([10.0, -1.0, np.nan, -3.0, np.inf], index=idx)
    with pytest.raises(ValidationError) as err:
        dsl.attenuation_db(lengths)
    msg = str(err.value)
    assert isinstance(err.value, ValueError)
    assert msg.startswith("length_m: 3 problems")
    assert "missing values (NaN) (1 row: 103). Fix: fill `length_m`" in msg
    assert "negative values (2 rows: 102, 104). Fix:" in msg
    assert "infinite values (1 row: 105)" in msg


def test_many_bad_lines_are_counted_and_the_first_ones_shown() -> None:
    lengths = -np.arange(1.0, 1001.0)
    with pytest.raises(
        ValidationError, match=r"(?s)1000 rows: position 0, position 1, .* 990 more"
    ):
        dsl.line_length_m(lengths)


def test_bad_gauges_and_mixes() -> None:
    with pytest.raises(ValidationError, match=r"unknown gauges \(0.45 mm, missing\) \(2 rows"):
        dsl.attenuation_db([1.0, 2.0, 3.0], gauge=[0.4, 0.45, np.nan])
    with pytest.raises(ValidationError, match=r"(?s)gauge_mix.*sum to 0.9, not 1. Fix"):
        dsl.attenuation_db([1.0], gauge_mix={0.4: 0.5, 0.6: 0.4})
    with pytest.raises(ValidationError, match=r"unknown gauges 0.7 mm. Fix: use gauges among"):
        dsl.attenuation_db([1.0], gauge_mix={0.4: 0.5, 0.7: 0.5})
    with pytest.raises(ValidationError, match="both `gauge` and `gauge_mix`"):
        dsl.attenuation_db([1.0], gauge=0.4, gauge_mix={0.4: 1.0})
    with pytest.raises(ValidationError, match=r"(?s)sr_premise_gauge.*unknown gauges"):
        dsl.med_attenuation_db([1.0], [1.0], has_sr=True, sr_premise_gauge=0.3)


def test_other_bad_inputs() -> None:
    with pytest.raises(ValidationError, match=r"(?s)atten_db.*negative"):
        dsl.downstream_rate_mbps([-1.0])
    with pytest.raises(ValidationError, match="unknown technology 'vdsl'"):
        dsl.downstream_rate_mbps([1.0], technology="vdsl")  # type: ignore[call-overload]
    with pytest.raises(ValidationError, match=r"(?s)length_m.*not numbers"):
        dsl.attenuation_db(["12", "douze"])
    with pytest.raises(ValidationError, match="expected one value per line"):
        dsl.attenuation_db(np.ones((2, 2)))
    with pytest.raises(ValidationError, match=r"(?s)has_sr.*not true/false"):
        dsl.med_attenuation_db([1.0, 2.0], [1.0, 2.0], has_sr=[1, 2])


# ------------------------------------------------------------------------------------------
# Scale
# ------------------------------------------------------------------------------------------


def test_a_million_lines_in_one_vectorised_call() -> None:
    rng = np.random.default_rng(RNG_SEED)
    n = 1_000_000
    road = pd.Series(rng.gamma(2.0, 1200.0, n), index=pd.RangeIndex(n, 2 * n))
    length = dsl.line_length_m(road)
    att = dsl.attenuation_db(length)
    rate = dsl.downstream_rate_mbps(att, length_m=length)
    classes = dsl.rate_class(rate)
    tv = dsl.tv_eligibility(rate, nra_tv=rng.random(n) < 0.9)
    med = dsl.med_attenuation_db(
        0.6 * length, 0.4 * length, has_sr=rng.random(n) < 0.7, med=rng.random(n) < 0.3
    )
    for result in (length, att, rate, classes, tv, med):
        assert len(result) == n and result.index.equals(road.index)
    assert classes.value_counts().sum() == n
    assert set(classes.unique()) >= {"inéligible", "<3", "3–8", "8–30", "30–100"}
