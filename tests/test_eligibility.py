"""Eligibility by year: one class per premise and year, FTTH from its scheduled year on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bthd import ValidationError, data
from bthd.eligibility import (
    default_schedule,
    eligibility_by_year,
    ftth_year,
    read_schedule,
    summary_by_year,
)


def test_default_schedule_covers_every_commune_with_the_published_phases():
    c = data.load_communes()
    s = default_schedule(c)
    assert len(s) == len(c) and s["year"].between(2018, 2026).all()
    m = s.merge(c[["insee_code", "locaux", "zone_type"]])
    rip = m[m["zone_type"] == "RIP"]
    assert set(rip["phase"]) == {"phase 1", "phase 2", "phase 3"}
    assert rip.loc[rip["phase"] == "phase 2", "locaux"].sum() <= 400_000
    assert (m.loc[m["zone_type"] != "RIP", "year"] == 2020).all()
    assert s.equals(default_schedule(c))  # deterministic


def _lines(rates):
    return pd.DataFrame({"rate_mbps": rates}, index=pd.Index([10, 11, 12, 13]))


def test_one_class_per_premise_and_year_and_ftth_from_its_year():
    lines = _lines([0.0, 5.0, 12.0, 40.0])
    fy = pd.Series([2020, np.nan, 2018, 2030], index=lines.index)
    med = pd.Series([np.nan, 2016, np.nan, np.nan], index=lines.index)
    after = _lines([0.0, 25.0, 12.0, 40.0])
    tech, cls = eligibility_by_year(
        lines, fy, range(2015, 2023), med_year=med, copper_after_med=after
    )
    assert tech.index.equals(lines.index) and cls.notna().all().all()
    assert tech.loc[10, 2019] == "none" and tech.loc[10, 2020] == "ftth"
    assert cls.loc[10, 2020] == "≥100"
    assert tech.loc[11, 2015] == "copper" and tech.loc[11, 2016] == "copper_med"
    assert cls.loc[11, 2015] == "3–8" and cls.loc[11, 2016] == "8–30"
    assert tech.loc[12, 2017] == "copper" and tech.loc[12, 2018] == "ftth"
    # never worse later: technology and class only improve
    codes = tech.apply(lambda s: s.cat.codes).to_numpy()
    assert (np.diff(codes, axis=1) >= 0).all()
    ccodes = cls.apply(lambda s: s.cat.codes).to_numpy()
    assert (np.diff(ccodes, axis=1) >= 0).all()
    summary = summary_by_year(tech, cls, pd.Series([1, 2, 3, 4], index=lines.index))
    cols = [c for c in summary.columns if c.startswith("class ")]
    assert (summary[cols].sum(axis=1) == 10).all()
    assert summary["year"].tolist() == list(range(2015, 2023))


def test_ftth_year_by_commune_or_pm():
    p = pd.DataFrame({"insee_code": ["22001", "22002"], "pm_id": ["PM-1", None]})
    s = pd.DataFrame({"insee_code": ["22001"], "year": [2021]})
    assert ftth_year(p, s).tolist()[0] == 2021 and np.isnan(ftth_year(p, s).iloc[1])
    s2 = pd.DataFrame({"pm_id": ["PM-1"], "year": [2024]})
    assert ftth_year(p, s2).iloc[0] == 2024


def test_read_schedule_lists_problems(tmp_path):
    f = tmp_path / "plan.csv"
    f.write_text("insee_code;year\n22001;2021\n22002;vingt\n22001;2022\n", encoding="latin-1")
    with pytest.raises(ValidationError, match="years missing or outside"):
        read_schedule(f)
    f.write_text("insee_code;year\n22001;2021\n22001;2022\n")
    with pytest.raises(ValidationError, match="zones listed twice"):
        read_schedule(f)
    f.write_text("commune;annee\n22001;2021\n")
    with pytest.raises(ValidationError) as e:
        read_schedule(f)
    assert "insee_code" in str(e.value) and "`year`" in str(e.value)
    f.write_text("pm_id,year\nPM-0001-001,2023\n")
    assert read_schedule(f).to_dict("list") == {"pm_id": ["PM-0001-001"], "year": [2023]}
