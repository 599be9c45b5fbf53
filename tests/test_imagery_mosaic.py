"""Mosaics: windowed reads across tile borders and on-the-fly reprojection to Lambert-93."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Transformer

from bthd._errors import InputError, ParameterError
from bthd.imagery.index import index_tiles
from bthd.imagery.mosaic import TileCache, read_mosaic
from tests.test_imagery_index import REAL, write_tile

X0, Y1, RES, N = 300_000.0, 6_800_000.0, 0.5, 40  # 2 × 2 tiles of 40 px (20 m)


@pytest.fixture
def grid(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """Four Lambert-93 IRC tiles cut from one known array (3, 80, 80)."""
    rng = np.random.default_rng(7)
    full = rng.integers(1, 255, (3, 2 * N, 2 * N), dtype=np.uint8)
    for i in range(2):
        for j in range(2):
            write_tile(
                tmp_path / f"t{i}{j}-IRC.tif",
                full[:, i * N : (i + 1) * N, j * N : (j + 1) * N].copy(),
                X0 + j * N * RES,
                Y1 - i * N * RES,
                RES,
            )
    return tmp_path, full


def test_mosaic_across_tile_borders_equals_the_source_pixels(
    grid: tuple[Path, np.ndarray],
) -> None:
    folder, full = grid
    idx = index_tiles(folder)
    # 30 px × 24 px box around the corner shared by the four tiles
    bbox = (X0 + 25 * RES, Y1 - 52 * RES, X0 + 55 * RES, Y1 - 28 * RES)
    m = read_mosaic(idx, bbox, kind="IRC", resampling="nearest")
    assert m.shape == (24, 30) and m.band_names == ("NIR", "R", "G")
    assert np.array_equal(m.data.astype(np.uint8), full[:, 28:52, 25:55])
    assert len(m.tiles) == 4 and m.valid.all()
    # bilinear at the native grid reads the same pixels
    mb = read_mosaic(idx, bbox, kind="IRC")
    assert np.array_equal(mb.data.astype(np.uint8), full[:, 28:52, 25:55])
    # sampling at pixel centres gives the pixels back
    x = X0 + (np.arange(25, 55) + 0.5) * RES
    y = np.full_like(x, Y1 - 30.5 * RES)
    assert np.array_equal(m.sample(x, y).astype(np.uint8), full[:, 30, 25:55])


def test_only_the_tiles_meeting_the_area_are_opened(grid: tuple[Path, np.ndarray]) -> None:
    folder, _ = grid
    idx = index_tiles(folder)
    with TileCache() as cache:
        m = read_mosaic(idx, (X0 + 1, Y1 - 5, X0 + 5, Y1 - 1), cache=cache)
        assert m.tiles == (str(folder / "t00-IRC.tif"),)
        assert len(cache._open) == 1


def test_reprojection_places_a_known_pixel_where_expected() -> None:
    idx = index_tiles(REAL)
    to93 = Transformer.from_crs("EPSG:32618", "EPSG:2154", always_xy=True)
    with rasterio.open(REAL / "RGB.byte-west.tif") as src:
        pixels = src.read()
        for row, col in ((60, 60), (10, 100), (110, 5)):
            x, y = src.xy(row, col)  # centre of the source pixel
            x93, y93 = to93.transform(x, y)
            m = read_mosaic(
                idx, shapely.Point(x93, y93), buffer_m=200, resolution=10, resampling="nearest"
            )
            got = m.sample(np.array([x93]), np.array([y93]))[:, 0]
            assert np.array_equal(got, pixels[:, row, col].astype(np.float32))


def test_area_outside_every_tile_and_irc_on_rgb_are_clear_errors() -> None:
    idx = index_tiles(REAL)
    with pytest.raises(InputError, match="outside every tile"):
        read_mosaic(idx, (250_000, 6_800_000, 250_100, 6_800_100))
    c = idx.geometry.iloc[0].centroid
    with pytest.raises(InputError, match=r"no IRC tile covers it.*RGB.*RGB\.byte-east\.tif"):
        read_mosaic(idx, c, buffer_m=500, kind="IRC")
    with pytest.raises(ParameterError, match="coarser resolution"):
        read_mosaic(idx, c, buffer_m=20_000, resolution=1)


def test_mixed_resolutions_are_resampled_to_the_finest(tmp_path: Path) -> None:
    write_tile(tmp_path / "fine.tif", np.full((3, 20, 20), 50, np.uint8), X0, Y1, 0.5)
    write_tile(tmp_path / "coarse.tif", np.full((3, 10, 10), 200, np.uint8), X0 + 10, Y1, 1.0)
    idx = index_tiles(tmp_path)
    m = read_mosaic(idx, (X0, Y1 - 10, X0 + 20, Y1), kind="RGB", resampling="nearest")
    assert m.resolution == 0.5 and m.shape == (20, 40)
    assert (m.data[:, :, :20] == 50).all() and (m.data[:, :, 20:] == 200).all()


def test_four_band_and_irc_tiles_give_the_same_named_bands(tmp_path: Path) -> None:
    rgbi = np.stack([np.full((10, 10), v, np.uint8) for v in (10, 20, 30, 40)])  # R, G, B, NIR
    irc = np.stack([np.full((10, 10), v, np.uint8) for v in (140, 110, 120)])  # NIR, R, G
    write_tile(tmp_path / "a.tif", rgbi, X0, Y1, 1.0, tags={"BTHD_BANDS": "R,G,B,NIR"})
    write_tile(tmp_path / "b-IRC.tif", irc, X0 + 10, Y1, 1.0)
    idx = index_tiles(tmp_path)
    assert list(idx["interpretation"]) == ["RGBI", "IRC"]
    m = read_mosaic(idx, (X0, Y1 - 10, X0 + 20, Y1), kind="IRC", resampling="nearest")
    assert m.band_names == ("NIR", "R", "G")
    assert (m.data[:, :, :10] == np.array([40, 10, 20])[:, None, None]).all()
    assert (m.data[:, :, 10:] == np.array([140, 110, 120])[:, None, None]).all()
    rgb = read_mosaic(idx, (X0, Y1 - 10, X0 + 10, Y1), kind="RGB")
    assert (rgb.data == np.array([10, 20, 30])[:, None, None]).all()
