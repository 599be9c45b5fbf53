"""The stage registry: declarations, dependency order, clear refusals, a stage added by one call."""

from __future__ import annotations

import pandas as pd
import pytest

from bthd import pipeline
from bthd._errors import ParameterError
from bthd.stages import Stage, StageContext, _registry, demo_stages, get, register, resolve


def test_demo_is_every_registered_stage_in_dependency_order():
    names = demo_stages()
    plan = [s.name for s in resolve(names)]
    assert plan[0] == "load"
    for s in resolve(names):
        for key in s.needs:
            before = plan[: plan.index(s.name)]
            providers = [p for p in _registry.providers(key) if p.name != s.name]
            assert any(p.name in before for p in providers), (s.name, key)
    assert plan.index("schedule") < plan.index("med") < plan.index("eligibility")
    assert plan.index("eligibility") < plan.index("coverage")


def test_resolve_adds_the_stages_needed():
    assert [s.name for s in resolve(["costs"])] == ["load", "design", "costs"]
    # what a run folder holds is not recomputed
    got = resolve(
        ["coverage"], available=["layer:premises", "layer:communes", "table:eligibility_by_premise"]
    )
    assert [s.name for s in got] == ["coverage"]


def test_unknown_stage_suggests_the_right_one():
    with pytest.raises(ParameterError, match=r"Did you mean .design.\?"):
        get("desing")


def test_bad_keys_are_refused_at_declaration():
    with pytest.raises(ValueError, match="layer:NAME"):
        Stage(name="x", run=lambda ctx: None, needs=("premises",))


def test_a_need_nobody_provides_is_named():
    st = Stage(name="orphan", run=lambda ctx: None, needs=("table:nowhere",))
    with pytest.raises(ParameterError, match="orphan needs table:nowhere"):
        _registry._STAGES["orphan"] = st
        try:
            resolve(["orphan"])
        finally:
            del _registry._STAGES["orphan"]


def test_run_stages_refuses_before_running_anything():
    ran = []
    a = Stage(name="a", run=lambda ctx: ran.append("a"), provides=("table:a",))
    b = Stage(name="b", run=lambda ctx: ran.append("b"), needs=("artifact:design",))
    with pytest.raises(ParameterError, match="stage 'b' lacks artifact:design"):
        _registry.run_stages(StageContext(parameters={"seed": 1}), [a, b])
    assert ran == []


@pytest.fixture(scope="module")
def summary_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("stages") / "run"
    pipeline.run(out, stages=["summary"])
    return out


def _count_premises(ctx: StageContext) -> None:
    prem = ctx.layer("premises")
    per = prem.groupby("insee_code").size().rename("premises").reset_index()
    ctx.add_table("premises_per_commune", per)


def test_a_new_stage_is_one_registration_and_runs_on_a_run_folder(summary_run, monkeypatch):
    monkeypatch.setitem(
        _registry._STAGES,
        "count",
        Stage(
            name="count",
            run=_count_premises,
            needs=("layer:premises",),
            provides=("table:premises_per_commune",),
            demo=False,
        ),
    )
    assert "count" not in demo_stages()
    run = pipeline.run_on(summary_run, ["count"])
    per = run.table("premises_per_commune").set_index("insee_code")["premises"]
    # the same count, made by the summary stage from the region (another path through the code)
    summ = run.table("locaux_by_commune").set_index("insee_code")["addresses_synthetic"]
    summ = summ[summ > 0]
    pd.testing.assert_series_equal(
        per.sort_index(), summ.sort_index().astype(per.dtype), check_names=False
    )
    assert run.stages()[-1] == "count"
    assert run.verify() == []


def test_register_refuses_a_second_stage_of_the_same_name():
    with pytest.raises(ValueError, match="registered already"):
        register(Stage(name="design", run=lambda ctx: None))
