"""Site views and PM chips: they render, show something, say SYNTHETIC, and are reproducible."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pytest
import shapely

from bthd._errors import ParameterError
from bthd.imagery.campaigns import campaign_for, campaigns, imagery_credit
from bthd.imagery.index import index_tiles
from bthd.imagery.synthetic import write_synthetic_tiles
from bthd.imagery.views import (
    SYNTHETIC_BANNER,
    area_of_pm,
    area_of_site,
    nonblank_share,
    pm_chips,
    render_view,
)
from tests.test_imagery_synthetic import BOUNDS, SETTINGS, X0, Y0, small_premises, small_roads
from tests.test_imagery_vegetation import small_links


def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """Sites, links, zones and premises of a tiny design over the small lanes."""
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["NRO-1", "PM-0", "PM-1", "PBO-1", "PBO-2", "PM-9"],
            "site_type": ["NRO", "PM", "PM", "PBO", "PBO", "PM"],
        },
        geometry=[
            shapely.Point(X0 + 20, Y0 + 50),
            shapely.Point(X0 + 100, Y0 + 150),
            shapely.Point(X0 + 210, Y0 + 250),
            shapely.Point(X0 + 60, Y0 + 150),
            shapely.Point(X0 + 260, Y0 + 250),
            shapely.Point(X0 + 5000, Y0),  # outside the imagery
        ],
        crs="EPSG:2154",
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": ["PM-0", "PM-1"], "zone_kind": ["ZPM", "ZPM"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 150, Y0 + 300),
            shapely.box(X0 + 150, Y0, X0 + 300, Y0 + 300),
        ],
        crs="EPSG:2154",
    )
    return {"sites": sites, "zones": zones, "links": small_links(), "premises": small_premises()}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    out = tmp_path_factory.mktemp("views") / "tiles"
    write_synthetic_tiles(
        small_roads(), BOUNDS, out, premises=small_premises(), departement="22", settings=SETTINGS
    )
    return index_tiles(out)


def _texts(fig: object) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]  # type: ignore[attr-defined]


def test_pm_view_renders_png_and_pdf_with_the_synthetic_label(
    index: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    layers = small_layers()
    area = area_of_pm(layers, "PM-0")
    assert area.zone is not None and area.bounds[0] < X0
    kw = {"max_px": 500, "dpi": 90}  # small pictures keep the test fast
    fig = render_view(index, layers, area, tmp_path / "pm0.png", data_credit="test layers", **kw)
    texts = _texts(fig)
    assert "SYNTHETIC" in texts and SYNTHETIC_BANNER in texts
    assert any("imagery date 2021-06-15" in t for t in texts)
    assert any(t == "N" for t in texts) and any(t.endswith(" m") for t in texts)  # arrow, bar
    assert any("Côtes-d'Armor (22)" in t and "SYNTHETIC orthophoto" in t for t in texts)
    png = tmp_path / "pm0.png"
    assert png.stat().st_size > 50_000 and nonblank_share(png) > 0.3
    img = mpimg.imread(png)
    assert img.shape[:2] == (945, 900)  # 10 × 10.5 inches at 90 dpi
    # the same view again gives the same bytes; a PDF is written too
    render_view(index, layers, area, tmp_path / "again.png", data_credit="test layers", **kw)
    assert (tmp_path / "again.png").read_bytes() == png.read_bytes()
    render_view(index, layers, area, tmp_path / "pm0.pdf", **kw)
    assert (tmp_path / "pm0.pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ParameterError, match=r"png or \.pdf"):
        render_view(index, layers, area, tmp_path / "pm0.jpg")


def test_network_is_drawn_where_it_is(index: gpd.GeoDataFrame, tmp_path: Path) -> None:
    """The PM marker (yellow) lands on the PM's pixel of the picture."""
    layers = small_layers()
    area = area_of_site(layers, "PM-1", half_size_m=40)
    fig = render_view(index, layers, area, tmp_path / "pm1.png")
    ax = fig.axes[0]
    px, py = ax.transData.transform((X0 + 210, Y0 + 250))
    img = mpimg.imread(tmp_path / "pm1.png")
    h = img.shape[0]
    r, g, b = img[round(h - py), round(px), :3]
    # the yellow diamond (#ffe600) under the translucent white SYNTHETIC watermark
    assert r > 0.95 and g > 0.85 and b < 0.45


def test_chips_for_every_pm_covered(index: gpd.GeoDataFrame, tmp_path: Path) -> None:
    table = pm_chips(index, small_layers(), tmp_path / "chips")
    assert list(table["site_id"]) == ["PM-0", "PM-1", "PM-9"]
    assert list(table["status"]) == ["ok", "ok", "no imagery"]
    for f in ("PM-0.png", "PM-1.png"):
        assert nonblank_share(tmp_path / "chips" / f) > 0.3
    assert not (tmp_path / "chips" / "PM-9.png").exists()


def test_unknown_site_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="'PM-42' is not in the run's sites layer"):
        area_of_site(small_layers(), "PM-42")


def test_campaigns_cite_the_seeds() -> None:
    df = campaigns()
    assert set(df["departement"]) == {"22", "29", "35", "56"}
    five = df[np.isclose(df["resolution_m"], 0.05)]
    assert sorted(
        zip(five["departement"], five["acquisition_year"], five["online_year"], strict=True)
    ) == [
        ("35", 2020, 2021),
        ("56", 2019, 2020),
    ]
    assert (
        df.loc[df["acquisition_year"] == 2021, "departement"].sort_values() == ["22", "29"]
    ).all()
    assert campaign_for("56", resolution_m=0.05)["acquisition_year"] == 2019
    assert campaign_for("35", resolution_m=0.2, year=2016)["first_year"] == 2011
    assert campaign_for("75") is None
    real = imagery_credit(departements=["56"], resolution_m=0.2, dates=["2019"], synthetic=False)
    assert "Morbihan (56), flown 2019" in real and "SYNTHETIC" not in real
