"""The planners' notebooks run from top to bottom on the embedded data."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, capsys):
    ns = runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "cost per prise" in out
    # the what-if without duct reuse can only cost more
    assert ns["no_ducts"].cost_per_prise() > ns["base"].cost_per_prise()
    assert len(ns["worst"]) == 5


def test_there_is_a_notebook():
    assert NOTEBOOKS
