"""The web map opened in a real headless Chromium (Debian's ``chromium``), offline.

Driver: Playwright's Python package, pointed at the system browser (``executable_path``), so no
browser is downloaded. It reports console messages, page errors and every request, which is
what these tests check. Nothing is skipped: without ``chromium`` or ``playwright`` they fail.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pyogrio
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from bthd import InputError, pipeline
from bthd.io.runs import open_run
from bthd.maps import _style as st
from bthd.maps.content import map_content
from bthd.maps.web import MAX_BYTES, TILE_HOSTS, render_html, write_web_map

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail(
            "Debian's chromium is not installed; the web-map tests need a real browser. "
            "Fix: apt-get update && apt-get install -y chromium"
        )
    return exe


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo EPCI, designed and with eligibility (built once for the module)."""
    out = tmp_path_factory.mktemp("maps_web") / "run"
    pipeline.run(out, stages=("summary", "design", "eligibility"))
    return out


@pytest.fixture(scope="module")
def pages(run_dir: Path) -> dict[str, Path]:
    run = open_run(run_dir)
    detail = write_web_map(map_content(run), run_dir.parent / "detail.html")
    overview = write_web_map(map_content(run, detail=False), run_dir.parent / "overview.html")
    return {"detail": detail, "overview": overview}


def _open(page_path: Path, shot: Path, profile: Path) -> dict[str, Any]:
    """Open a page from file:// and return its errors, requests, layers and a screenshot."""
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=_chromium(),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1200, "height": 800},
        )
        try:
            page = ctx.new_page()

            def on_console(msg: Any) -> None:
                if msg.type != "error":
                    return
                host = urlparse(msg.location.get("url", "")).hostname or ""
                if host in TILE_HOSTS:  # offline: the base tiles fail, nothing else may
                    return
                errors.append(f"console: {msg.text} ({msg.location})")

            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
            page.on("request", lambda req: requests.append(req.url))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(500)
            info = page.evaluate(
                """() => {
                const b = window.bthd, o = {};
                for (const [k, l] of Object.entries(b.overlays)) {
                    o[k] = {shown: b.map.hasLayer(l), n: l.getLayers().length};
                }
                const ctl = document.querySelectorAll('.leaflet-control-layers-selector').length;
                return {overlays: o, base: Object.keys(b.base), leaflet: L.version,
                        zoom: b.map.getZoom(), controls: ctl,
                        legend: document.getElementById('bthd-legend').innerText,
                        title: document.getElementById('bthd-title').innerText,
                        attribution: document.querySelector('.leaflet-control-attribution')
                                     .innerText};
            }"""
            )
            page.screenshot(path=str(shot))
            # a commune's tooltip, then the orthophoto base map (its tiles are asked for)
            info["tooltip"] = page.evaluate(
                """() => {
                const b = window.bthd;
                const name = Object.keys(b.overlays).find(k => k.startsWith('Communes'));
                const c = b.overlays[name].getLayers()[0];
                c.openTooltip(c.getBounds().getCenter());
                const t = document.querySelector('.leaflet-tooltip');
                return t ? t.innerText : '';
            }"""
            )
            page.evaluate(
                """() => { const b = window.bthd;
                b.map.removeLayer(b.base['OpenStreetMap']);
                b.map.addLayer(b.base['IGN orthophotos (Géoplateforme)']); }"""
            )
            page.wait_for_timeout(300)
        finally:
            ctx.close()
    return {"errors": errors, "requests": requests, **info}


def _not_blank(shot: Path) -> tuple[int, float]:
    """Distinct colours and the share of pixels unlike Leaflet's grey background."""
    with Image.open(shot) as img:
        a = np.asarray(img.convert("RGB")).reshape(-1, 3)
    colours = len(np.unique(a, axis=0))
    grey = np.all(np.abs(a.astype(int) - 221) <= 3, axis=1)  # #ddd, no tiles offline
    return colours, float(1.0 - grey.mean())


def test_detail_page_in_chromium(run_dir: Path, pages: dict[str, Path], tmp_path: Path) -> None:
    res = _open(pages["detail"], tmp_path / "detail.png", tmp_path / "profile")
    assert res["errors"] == []
    # every vendored script and style is inside the page: the only other requests are tiles
    others = [
        u
        for u in res["requests"]
        if not u.startswith(("file://", "data:")) and urlparse(u).hostname not in TILE_HOSTS
    ]
    assert others == []
    assert any(urlparse(u).hostname == "tile.openstreetmap.org" for u in res["requests"])
    ign = [u for u in res["requests"] if urlparse(u).hostname == "data.geopf.fr"]
    assert ign and all(
        "LAYER=ORTHOIMAGERY.ORTHOPHOTOS" in u and "TILEMATRIXSET=PM" in u for u in ign
    )
    tip = res["tooltip"]
    assert "locaux:" in tip and "FTTH coverage" in tip and "%" in tip
    assert res["leaflet"] == "1.9.3"
    assert res["base"] == ["OpenStreetMap", "IGN orthophotos (Géoplateforme)"]

    sites = pyogrio.read_dataframe(run_dir / "layers.gpkg", layer="sites", read_geometry=False)
    kinds = sites["site_type"].value_counts()
    n_prem = pyogrio.read_info(run_dir / "layers.gpkg", layer="premises")["features"]
    communes = pyogrio.read_info(run_dir / "layers.gpkg", layer="communes")["features"]
    o = res["overlays"]
    year = int(re.search(r"Communes: FTTH coverage (\d{4})", " ".join(o)).group(1))  # type: ignore[union-attr]
    assert o[f"Communes: FTTH coverage {year}"] == {"shown": True, "n": communes}
    assert o["NRO"] == {"shown": True, "n": int(kinds["NRO"])}
    assert o["PM"] == {"shown": True, "n": int(kinds["PM"])}
    assert o["PoPs of the backbone"] == {"shown": True, "n": int(kinds["POP"])}
    assert o["PBO"] == {"shown": False, "n": int(kinds["PBO"])}
    assert o[f"Premises ({year})"] == {"shown": False, "n": n_prem}
    assert o["Backbone"]["shown"] and o["Backbone"]["n"] > 0
    assert o["Transport cables"]["shown"] and o["Distribution cables"]["n"] > 0
    assert o["PM zones by NRO"]["n"] == int(kinds["PM"])
    run = open_run(run_dir)
    if run.has_table("med_selected"):  # the demo's MED programme, drawn at the SRs chosen
        assert o["MED sites (montée en débit)"]["n"] == len(run.table("med_selected"))
    else:
        assert not any(n.startswith("MED") for n in o)
    assert res["controls"] == len(o) + 2  # a check box per overlay, a radio per base map
    assert "SYNTHETIC" in res["title"] and "synthetic" in res["legend"].lower()
    assert "Arcep" in res["legend"] and "OpenStreetMap" in res["legend"]
    assert "IGN" in res["attribution"] and "SYNTHETIC" in res["attribution"]

    colours, drawn = _not_blank(tmp_path / "detail.png")
    assert colours > 100
    assert drawn > 0.25


def test_overview_page_aggregates(pages: dict[str, Path], tmp_path: Path) -> None:
    res = _open(pages["overview"], tmp_path / "overview.png", tmp_path / "profile")
    assert res["errors"] == []
    names = set(res["overlays"])
    assert not any(n.startswith(("Premises", "PBO", "Distribution")) for n in names)
    assert res["overlays"]["Transport cables"]["n"] >= 1  # merged by cable size
    assert "not drawn at this scale" in res["legend"]
    assert _not_blank(tmp_path / "overview.png")[1] > 0.25


def test_page_is_self_contained_small_and_deterministic(
    run_dir: Path, pages: dict[str, Path]
) -> None:
    html = pages["detail"].read_text(encoding="utf-8")
    assert len(html.encode()) < MAX_BYTES
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "cdn." not in html and "jquery" not in html.lower()
    assert "ORTHOIMAGERY.ORTHOPHOTOS" in html and "data.geopf.fr/wmts" in html
    assert render_html(map_content(open_run(run_dir))) == html


def test_coverage_figures_are_the_runs(run_dir: Path) -> None:
    run = open_run(run_dir)
    by_year = run.table("eligibility_by_year").set_index("year")
    for year in (2018, 2021):
        mc = map_content(run, year=year, detail=False)
        c = mc.layers["communes"]
        assert c["ftth_locaux"].sum() == pytest.approx(by_year.loc[year, "tech ftth"], abs=0.5)
        assert c["locaux"].sum() == pytest.approx(by_year.loc[year, "locaux"], abs=0.5)
        assert mc.figures["ftth_locaux"] == pytest.approx(by_year.loc[year, "tech ftth"], abs=0.5)
        if year == 2021:
            page = render_html(mc)
            assert (
                f"FTTH raccordables in {year}: {st.fr_int(by_year.loc[year, 'tech ftth'])}" in page
            )


def test_zones_coloured_by_phase_when_the_run_has_them(run_dir: Path, tmp_path: Path) -> None:
    """A run whose zones carry deployment zones (ZDEP, phase/year) colours them by phase."""
    copy = tmp_path / "phased"
    shutil.copytree(run_dir, copy)
    gpkg = copy / "layers.gpkg"
    zones = pyogrio.read_dataframe(gpkg, layer="zones")
    zpm = zones[zones["zone_kind"] == "ZPM"]
    dep = zpm.dissolve("parent_id").reset_index()
    dep = dep.assign(
        zone_id="DEP-" + dep["parent_id"],
        zone_kind="ZDEP",
        phase=np.arange(len(dep)) % 3 + 1,
        tranche=1,
        year=2019 + np.arange(len(dep)) % 3,
    )[["zone_id", "zone_kind", "phase", "tranche", "year", "geometry"]]
    import pandas as pd

    pyogrio.write_dataframe(pd.concat([zones, dep], ignore_index=True), gpkg, layer="zones")
    mc = map_content(open_run(copy), detail=False)
    assert mc.zone_colouring == "phase"
    assert len(mc.layers["dep_zones"]) == len(dep)
    page = render_html(mc)
    assert "Deployment zones by phase" in page and "phase 3" in page


def test_bad_input_is_named(run_dir: Path) -> None:
    run = open_run(run_dir)
    with pytest.raises(InputError, match=r"EPCI '999999999' is not in this run.*200069391"):
        map_content(run, epci="999999999")
    with pytest.raises(InputError, match=r"no coverage for 1990.*2014–2026"):
        map_content(run, year=1990)
