"""notebooks/01_phase_scenarios.ipynb runs from top to bottom (nbclient) and shows its figures."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_phase_scenarios.ipynb"


def _text(cell: nbformat.NotebookNode) -> str:
    out = []
    for o in cell.get("outputs", []):
        out.append(o.get("text", ""))
        out.append(o.get("data", {}).get("text/plain", ""))
    return "".join(out)


def test_phase_scenarios_notebook_runs_and_shows_its_figures() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stripped
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": NOTEBOOK.parent}}
    ).execute()
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    cov = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^(\S+): coverage 2024 [\d.]+%, 2026 ([\d.]+)%", text, re.M)
    }
    assert set(cov) == {"bthd-reference", "low-capacity", "urban-first"}
    # less capacity cannot cover more by 2026
    assert cov["low-capacity"] < cov["bthd-reference"]
    assert "raccordables end 2024: share of the programme's lines" in text
    assert "year_100pct" in text and "spread" in text.lower()
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the comparison chart is shown"
