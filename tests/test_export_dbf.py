"""The dBASE writer of exported Shapefiles: types, nulls, widths and encodings GDAL reads back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from bthd.export._dbf import DbfField, write_dbf, write_shapefile


def test_shapefile_reads_back_with_types_nulls_and_accents(tmp_path: Path) -> None:
    geom = gpd.GeoSeries(
        [shapely.Point(300_000, 6_800_000), shapely.Point(300_010, 6_800_020)], crs=2154
    )
    fields = [
        DbfField("name", "C", ["Plémy", None]),
        DbfField("count", "N", [12, None]),
        DbfField("length", "F", [90.25, 3.0]),
        DbfField("empty_real", "F", [None, None]),
        DbfField("flag", "L", [True, None]),
        DbfField("day", "D", [date(2024, 5, 1), None]),
    ]
    for enc, cpg in (("cp1252", "CP1252"), ("utf-8", "UTF-8")):
        p = tmp_path / enc / "t.shp"
        p.parent.mkdir()
        files = write_shapefile(geom, p, fields, updated=date(2026, 12, 1), encoding=enc)
        assert [f.suffix for f in files] == [".cpg", ".dbf", ".prj", ".shp", ".shx"]
        assert (p.with_suffix(".cpg")).read_text() == cpg
        info = pyogrio.read_info(p)
        assert info["crs"] == "EPSG:2154" and info["features"] == 2
        df = pyogrio.read_dataframe(p)
        assert df["name"].iloc[0] == "Plémy" and df["name"].isna().iloc[1]
        assert df["count"].iloc[0] == 12 and df["count"].isna().iloc[1]
        assert list(df["length"]) == [90.25, 3.0]
        assert df["empty_real"].dtype.kind == "f"  # a real field, even when empty
        assert bool(df["flag"].iloc[0]) is True
        assert str(df["day"].iloc[0])[:10] == "2024-05-01" and df["day"].isna().iloc[1]
        raw = p.with_suffix(".dbf").read_bytes()
        assert (raw[1], raw[2], raw[3]) == (126, 12, 1)  # 2026-12-01 as written, not today
    # widths follow the values: "Plémy" is 5 bytes in Windows-1252, 6 in UTF-8
    assert (tmp_path / "utf-8" / "t.dbf").stat().st_size == (
        tmp_path / "cp1252" / "t.dbf"
    ).stat().st_size + 2  # one more byte in the field, for each of the two records


def test_refuses_what_a_dbf_cannot_hold(tmp_path: Path) -> None:
    day = date(2026, 1, 1)
    with pytest.raises(ValueError, match="longer than 10"):
        write_dbf(
            tmp_path / "a.dbf",
            [DbfField("much_too_long", "C", ["x"])],
            updated=day,
            encoding="utf-8",
        )
    with pytest.raises(ValueError, match="2 values for 1 records"):
        write_dbf(
            tmp_path / "b.dbf",
            [DbfField("a", "C", ["x"]), DbfField("b", "C", ["x", "y"])],
            updated=day,
            encoding="utf-8",
        )
    with pytest.raises(ValueError, match="longer than 254 bytes"):
        write_dbf(
            tmp_path / "c.dbf", [DbfField("a", "C", ["x" * 255])], updated=day, encoding="utf-8"
        )


def test_a_table_without_records_keeps_its_fields(tmp_path: Path) -> None:
    from bthd.export._dbf import DbfField, write_dbf

    fields = [DbfField(n, k, []) for n, k in (("n", "N"), ("c", "C"), ("f", "F"), ("d", "D"))]
    write_dbf(tmp_path / "e.dbf", fields, updated=date(2026, 1, 1), encoding="cp1252")
    info = pyogrio.read_info(tmp_path / "e.dbf")
    assert info["features"] == 0
    assert list(info["fields"]) == ["n", "c", "f", "d"]
    assert list(info["dtypes"])[:3] == ["int32", "object", "float64"]
    assert str(info["dtypes"][3]).startswith("datetime64")
