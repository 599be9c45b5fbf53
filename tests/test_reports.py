"""The commission report: figures of the run's tables in the PDF and the HTML, French formats."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from bthd import pipeline
from bthd.cli import app
from bthd.io.runs import open_run
from bthd.reports._labels import NBSP
from bthd.stages.report import build


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    pipeline.run(out, stages=["coverage", "plan", "med"])
    return out


@pytest.fixture(scope="module")
def files(run_dir: Path) -> dict[str, bytes]:
    return build(open_run(run_dir), departement=None, lang="fr", formats=("html", "pdf"))


def _pdf_text(data: bytes) -> str:
    # the font draws the no-break space with its space glyph: text extraction reads " "
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _fr(n: float, sep: str = " ") -> str:
    return f"{round(n):,d}".replace(",", sep)


def test_pdf_holds_the_run_figures_in_french(run_dir: Path, files: dict[str, bytes]) -> None:
    reg = pd.read_csv(run_dir / "tables" / "coverage_by_region.csv").sort_values("year")
    text = _pdf_text(files["report.pdf"])
    assert _fr(reg["locaux"].iloc[-1]) in text
    for _, r in reg.iterrows():
        rate = f"{100 * r['ftth_rate']:.1f}".replace(".", ",") + " %"
        assert rate in text, rate
        assert _fr(r["raccordables"]) in text
    assert "Chiffres clés" in text and "SYNTHETIC" in text
    assert not re.search(r"\d\.\d %", text)  # no English decimal point before a percent


def test_pdf_pages_are_not_blank(files: dict[str, bytes]) -> None:
    doc = pdfium.PdfDocument(files["report.pdf"])
    assert len(doc) >= 4
    for i in (0, 1, len(doc) - 1):
        px = np.asarray(doc[i].render(scale=0.5).to_pil().convert("L"))
        assert (px < 200).mean() > 0.005


def test_html_is_self_contained_with_the_same_figures(
    run_dir: Path, files: dict[str, bytes]
) -> None:
    page = files["report.html"].decode("utf-8")
    assert not re.search(r"(src|href)=\"https?:", page)
    assert page.count('src="data:image/png;base64,') >= 2
    reg = pd.read_csv(run_dir / "tables" / "coverage_by_region.csv")
    assert _fr(reg["locaux"].iloc[-1], NBSP) in page
    rate = f"{100 * reg['ftth_rate'].iloc[-1]:.1f}".replace(".", ",") + NBSP + "%"
    assert rate in page


def test_same_run_same_bytes(run_dir: Path, files: dict[str, bytes]) -> None:
    again = build(open_run(run_dir), departement=None, lang="fr", formats=("html", "pdf"))
    assert again == files


def test_english(run_dir: Path) -> None:
    en = build(open_run(run_dir), departement=None, lang="en", formats=("pdf",))
    text = _pdf_text(en["report.pdf"])
    reg = pd.read_csv(run_dir / "tables" / "coverage_by_region.csv")
    assert f"{reg['locaux'].iloc[-1]:,d}" in text and "Key figures" in text


def test_cli_adds_to_run_and_refuses_bad_input(run_dir: Path, tmp_path: Path) -> None:
    cli = CliRunner()
    res = cli.invoke(app, ["report", str(run_dir), "--departement", "99", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "22" in res.output and "départements" in res.output
    res = cli.invoke(app, ["report", str(run_dir), "--lang", "de", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "en, fr" in res.output
    assert not list(tmp_path.iterdir())
    res = cli.invoke(app, ["report", str(run_dir), "--format", "pdf"])
    assert res.exit_code == 0, res.output
    assert "report.pdf" in open_run(run_dir).manifest["files"]
    bare = tmp_path / "bare"
    pipeline.run(bare, stages=["load"])
    res = cli.invoke(app, ["report", str(bare)])
    assert res.exit_code == 2 and "coverage" in res.output
    assert not (bare / "report.html").exists()


def test_one_departement(run_dir: Path) -> None:
    dep = pd.read_csv(
        run_dir / "tables" / "coverage_by_departement.csv", dtype={"departement": str}
    )
    code = dep["departement"].iloc[0]
    pdf = build(open_run(run_dir), departement=code, lang="fr", formats=("pdf",))["report.pdf"]
    text = _pdf_text(pdf)
    row = dep.loc[dep["departement"] == code].sort_values("year").iloc[-1]
    assert f"({code})" in text and _fr(row["locaux"]) in text
