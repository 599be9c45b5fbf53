"""Tile index: real UTM tiles and generated Lambert-93 tiles, read from headers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer
from rasterio.errors import NotGeoreferencedWarning

from bthd._errors import InputError
from bthd.imagery.index import index_tiles, summarise_index

REAL = Path(__file__).parent / "data" / "rgb-byte-utm18n"


def write_tile(
    path: Path,
    data: np.ndarray,
    x0: float,
    y1: float,
    res: float,
    *,
    crs: str | None = "EPSG:2154",
    driver: str = "GTiff",
    tags: dict[str, str] | None = None,
) -> Path:
    """A tile whose top-left corner is at (x0, y1)."""
    profile = {
        "driver": driver,
        "width": data.shape[2],
        "height": data.shape[1],
        "count": data.shape[0],
        "dtype": data.dtype,
    }
    if crs is not None:
        profile["crs"] = crs
        profile["transform"] = Affine(res, 0, x0, 0, -res, y1)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        if tags:
            dst.update_tags(**tags)
    return path


def test_real_utm_tiles_get_lambert93_footprints() -> None:
    idx = index_tiles(REAL)
    assert list(idx["name"]) == ["RGB.byte-east.tif", "RGB.byte-west.tif"]
    assert idx.crs.to_epsg() == 2154
    assert set(idx["crs"]) == {"EPSG:32618"}
    assert np.allclose(idx["res_m"], 300.04, atol=0.01)
    assert set(idx["interpretation"]) == {"RGB"} and set(idx["band_names"]) == {"R,G,B"}
    to93 = Transformer.from_crs("EPSG:32618", "EPSG:2154", always_xy=True)
    for row in idx.itertuples():
        with rasterio.open(row.path) as src:
            b = src.bounds
            centre = to93.transform((b.left + b.right) / 2, (b.bottom + b.top) / 2)
            corner = to93.transform(b.left + 1, b.top - 1)
        assert row.geometry.contains(shapely.Point(centre))
        assert row.geometry.buffer(1).contains(shapely.Point(corner))
    # the two tiles share an edge: their footprints touch but do not overlap
    a, b = idx.geometry
    assert a.intersection(b).area < 1e-6 * a.area and a.distance(b) < 1e-6


def test_lambert93_tiles_ign_names_dates_and_bands(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    irc = tmp_path / "IRC"
    irc.mkdir()
    write_tile(
        irc / "56-2019-0250-6800-LA93-0M50-E080.tif",
        rng.integers(0, 255, (3, 20, 20), dtype=np.uint8),
        250_000,
        6_800_000,
        0.5,
    )
    write_tile(
        tmp_path / "tile-rgb.tif",
        rng.integers(0, 255, (3, 20, 20), dtype=np.uint8),
        250_010,
        6_800_000,
        0.5,
        tags={"ACQUISITION_DATE": "2021-06-14", "BTHD_SYNTHETIC": "yes", "BTHD_BANDS": "R,G,B"},
    )
    rvb = tmp_path / "ORTHOHR_1-0_RVB-0M05_JP2-E080_LAMB93_D035"  # IGN's folder name
    rvb.mkdir()
    write_tile(
        rvb / "35-2020-0350-6790-LA93-0M05-E080.jp2",
        rng.integers(0, 255, (3, 40, 40), dtype=np.uint8),
        350_000,
        6_790_000,
        0.05,
        driver="JP2OpenJPEG",
    )
    idx = index_tiles(tmp_path).set_index("name")
    assert len(idx) == 3
    one = idx.loc["56-2019-0250-6800-LA93-0M50-E080.tif"]
    assert one["interpretation"] == "IRC" and one["band_names"] == "NIR,R,G"  # IRC folder
    assert (one["date"], one["year"], one["date_source"]) == ("2019", 2019, "IGN name")
    assert one["departement"] == "56" and not one["synthetic"]
    assert one.geometry.bounds == (250_000, 6_799_990, 250_010, 6_800_000)
    two = idx.loc["tile-rgb.tif"]
    assert (two["date"], two["interpretation"], two["synthetic"]) == ("2021-06-14", "RGB", True)
    jp2 = idx.loc["35-2020-0350-6790-LA93-0M05-E080.jp2"]
    assert jp2["driver"] == "JP2OpenJPEG" and jp2["res_m"] == pytest.approx(0.05)
    assert jp2["year"] == 2020 and jp2["departement"] == "35"
    assert jp2["interpretation"] == "RGB"  # from the RVB folder
    summary = summarise_index(idx.reset_index())
    assert summary["tiles"].sum() == 3


def test_unreadable_tiles_are_listed_together(tmp_path: Path) -> None:
    good = write_tile(
        tmp_path / "good.tif", np.ones((3, 4, 4), dtype=np.uint8), 250_000, 6_800_000, 1.0
    )
    (tmp_path / "corrupt.tif").write_bytes(b"II*\x00 not really a tiff")
    with pytest.warns(NotGeoreferencedWarning):
        write_tile(tmp_path / "nogeo.tif", np.ones((3, 4, 4), dtype=np.uint8), 0, 0, 1, crs=None)
    with pytest.warns(UserWarning, match="skipped 2 unreadable tiles") as rec:
        idx = index_tiles(tmp_path)
    assert list(idx["path"]) == [str(good)]
    msg = str(rec[0].message)
    assert "corrupt.tif" in msg and "nogeo.tif" in msg and "not georeferenced" in msg
    with pytest.raises(InputError, match=r"corrupt\.tif") as err:
        index_tiles(tmp_path, strict=True)
    assert "nogeo.tif" in str(err.value)
    good.unlink()
    with pytest.raises(InputError, match="no tile could be read"):
        index_tiles(tmp_path)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no tile found"):
        index_tiles(tmp_path)


def test_tiles_of_unknown_bands_are_stated(tmp_path: Path) -> None:
    write_tile(tmp_path / "one.tif", np.ones((1, 4, 4), dtype=np.uint8), 250_000, 6_800_000, 1.0)
    write_tile(tmp_path / "rgb.tif", np.ones((3, 4, 4), dtype=np.uint8), 250_004, 6_800_000, 1.0)
    with pytest.warns(UserWarning, match=r"1 tile whose bands are neither RGB nor IRC") as rec:
        idx = index_tiles(tmp_path)
    assert "one.tif (1 bands)" in str(rec[0].message)
    assert list(idx["interpretation"]) == ["unknown", "RGB"]


def test_many_tiles_are_read_in_order_on_threads(tmp_path: Path) -> None:
    data = np.ones((3, 2, 2), dtype=np.uint8)
    for i in range(130):
        write_tile(tmp_path / f"t{i:03d}-RVB.tif", data, 250_000 + 2 * i, 6_800_000, 1.0)
    (tmp_path / "t050-RVB.tif").write_bytes(b"corrupt")
    with pytest.warns(UserWarning, match=r"t050-RVB\.tif"):
        idx = index_tiles(tmp_path)
    assert len(idx) == 129 and idx["name"].is_monotonic_increasing
    assert (idx.geometry.bounds["minx"].diff().dropna() > 0).all()


def test_cloud_optimised_geotiff_is_indexed(tmp_path: Path) -> None:
    data = np.arange(3 * 300 * 300, dtype=np.uint32).reshape(3, 300, 300).astype(np.uint8)
    path = write_tile(tmp_path / "cog-RVB.tif", data, 250_000, 6_800_000, 0.2, driver="COG")
    with rasterio.open(path) as src:
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    idx = index_tiles(tmp_path)
    assert list(idx["interpretation"]) == ["RGB"] and idx["res_m"].iloc[0] == pytest.approx(0.2)
    assert idx.geometry.iloc[0].bounds == pytest.approx((250_000, 6_799_940, 250_060, 6_800_000))
