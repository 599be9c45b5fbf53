"""Printed maps: PNG and PDF of the demo EPCI open, are not blank and say what is synthetic."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from bthd import ParameterError, pipeline
from bthd.io.runs import open_run
from bthd.maps import _style as st
from bthd.maps.content import MapContent, map_content
from bthd.maps.static import PAGE_IN, PNG_DPI, true_north_angle, write_static_maps


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> MapContent:
    out = tmp_path_factory.mktemp("maps_static") / "run"
    pipeline.run(out, stages=("summary", "design", "eligibility"))
    return map_content(open_run(out), year=2021)


@pytest.fixture(scope="module")
def files(content: MapContent, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_static_maps(content, tmp_path_factory.mktemp("static") / "map")


def test_png_opens_is_a4_and_not_blank(files: list[Path]) -> None:
    png = next(p for p in files if p.suffix == ".png")
    with Image.open(png) as img:
        assert img.size == (int(PAGE_IN[0] * PNG_DPI), int(PAGE_IN[1] * PNG_DPI))
        a = np.asarray(img.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(a, axis=0)) > 200
    # communes are filled with the coverage colours of their classes (0 % and 100 % in 2021)
    share = {}
    for k in (0, 5):
        rgb = np.array([int(st.COVERAGE_COLOURS[k][i : i + 2], 16) for i in (1, 3, 5)])
        share[k] = float(np.all(a == rgb, axis=1).mean())
    assert share[0] > 0.03 and share[5] > 0.03
    assert not np.all(a >= 250, axis=1).mean() > 0.9  # a map, not an empty page


def test_pdf_has_one_page_with_title_figures_credits_and_synthetic_note(
    files: list[Path], content: MapContent
) -> None:
    pdf = next(p for p in files if p.suffix == ".pdf")
    assert pdf.stat().st_size > 20_000
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "SYNTHETIC DATA" in text
    assert "Arcep" in text and "IGN" in text
    assert "FTTH coverage 2021" in text
    assert st.fr_int(content.figures["ftth_locaux"]).replace("\u202f", " ") in text.replace(
        "\u202f", " "
    )
    assert "km" in text  # the scale bar's label
    assert reader.metadata is not None and reader.metadata.title == content.title


def test_same_content_gives_the_same_bytes(
    files: list[Path], content: MapContent, tmp_path: Path
) -> None:
    again = write_static_maps(content, tmp_path / "map")
    for a, b in zip(files, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_true_north_is_turned_by_the_meridian_convergence() -> None:
    # Lambert-93's central meridian is 3° E: west of it true north leans right of grid north
    # (a negative, clockwise angle), by about (lon - 3°) × sin(46.5°)
    angle = true_north_angle(280_000.0, 6_830_000.0)  # near Lamballe, about 2.5° W
    assert angle < 0
    assert abs(angle) == pytest.approx(5.5 * math.sin(math.radians(46.5)), abs=0.5)
    assert abs(true_north_angle(700_000.0, 6_600_000.0)) < 0.05  # on the central meridian


def test_unknown_format_is_refused(content: MapContent, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="svg unknown; choose from png, pdf"):
        write_static_maps(content, tmp_path / "map", formats=("svg",))
    assert not list(tmp_path.iterdir())


def test_existing_file_is_not_overwritten(files: list[Path], content: MapContent) -> None:
    from bthd import OutputExistsError

    before = files[0].read_bytes()
    with pytest.raises(OutputExistsError):
        write_static_maps(content, files[0].with_suffix(""), formats=("png",))
    assert files[0].read_bytes() == before


def test_french_map_speaks_french(content: MapContent) -> None:
    import io

    from bthd.maps.static import static_bytes

    pdf = static_bytes(content, ("pdf",), lang="fr")["pdf"]
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Couverture FTTH {content.year} et réseau" in text
    assert "DONNÉES SYNTHÉTIQUES" in text and "dorsale" in text
    # the map's own words are French (the data credits keep their sources' wording)
    assert "FTTH coverage" not in text and "backbone (schematic)" not in text
