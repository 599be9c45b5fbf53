"""bthd.io: reading and writing layers, the bad inputs users have, atomic writes."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from bthd._errors import (
    CRSError,
    InputError,
    InputNotFoundError,
    OutputExistsError,
    ValidationError,
)
from bthd.io import list_layers, read, read_csv_fr, sniff_csv, to_number, write, write_layers

X0, Y0 = 270_000.0, 6_840_000.0  # near Saint-Brieuc, Lambert-93


# --- fixtures built in code ------------------------------------------------------------------


def communes(n: int = 3) -> gpd.GeoDataFrame:
    """``n`` valid square communes of 1 km² in Lambert-93."""
    return gpd.GeoDataFrame(
        {
            "insee_code": [f"22{i:03d}" for i in range(1, n + 1)],
            "name": [f"Commune {i}" for i in range(1, n + 1)],
            "departement": "22",
            "epci_siren": ["200069391"] * (n - 1) + [None],
            "population": np.arange(1, n + 1) * 1000,
            "locaux": np.arange(1, n + 1) * 600,
            "zone_type": "RIP",
        },
        geometry=[shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(n)],
        crs="EPSG:2154",
    )


def premises(n: int = 4) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "premise_id": [f"P{i}" for i in range(n)],
            "insee_code": "22187",
            "logements": np.arange(n, dtype="int64") + 1,
            "locaux_pro": np.zeros(n, dtype="int64"),
            "kind": "residential",
            "synthetic": False,
        },
        geometry=shapely.points(X0 + 10.5 * np.arange(n), np.full(n, Y0)),
        crs="EPSG:2154",
    )


def bowtie() -> shapely.Polygon:
    """A self-intersecting polygon (figure of eight) of 1 km across."""
    return shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])


def files_in(folder: Path) -> list[str]:
    """Every file and folder in ``folder``, hidden ones included (temporary files start with .)."""
    return sorted(os.listdir(folder))


# --- bad inputs ------------------------------------------------------------------------------


def test_a_file_without_crs_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "premises.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        pyogrio.write_dataframe(premises().set_crs(None, allow_override=True), path)
    assert not path.with_suffix(".prj").exists()
    assert read(path).crs is None  # reading without a kind does not judge

    with pytest.raises(ValidationError) as info:
        read(path, kind="premises")
    msg = str(info.value)
    assert str(path) in msg
    assert "no CRS" in msg
    assert "EPSG:2154" in msg  # the fix says how to set it


def test_a_csv_whose_coordinates_imply_no_crs_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "premises.csv"
    df = pd.DataFrame(premises().drop(columns="geometry"))
    df["x"], df["y"] = 5_000_000.0, 12.0  # neither Lambert-93 nor degrees
    df.to_csv(path, index=False)
    with pytest.raises(ValidationError, match="no CRS"):
        read(path, kind="premises")
    got = read(path, kind="premises", crs="EPSG:3857")  # the user says which
    assert got.crs.to_epsg() == 2154


def test_a_wgs84_file_is_reprojected_to_lambert93(tmp_path: Path) -> None:
    path = tmp_path / "communes.geojson"
    write(communes().to_crs("EPSG:4326"), path)
    got = read(path, kind="communes")
    assert got.crs.to_epsg() == 2154
    # back where it was, to the millimetre
    dist = shapely.hausdorff_distance(got.geometry.to_numpy(), communes().geometry.to_numpy())
    assert dist.max() < 1e-3


def test_self_intersecting_polygon_is_reported_with_its_id_and_repaired_on_demand(
    tmp_path: Path,
) -> None:
    gdf = communes()
    gdf.loc[1, "geometry"] = bowtie()
    path = tmp_path / "communes.gpkg"
    write(gdf, path, layer="communes")

    with pytest.raises(ValidationError) as info:
        read(path, kind="communes")
    msg = str(info.value)
    assert str(path) in msg and "invalid geometries" in msg
    assert "Self-intersection" in msg and "insee_code=22002" in msg
    assert "--repair" in msg  # the fix

    with pytest.warns(UserWarning, match=r"repaired 1 invalid geometry"):
        fixed = read(path, kind="communes", repair=True)
    assert fixed.is_valid.all()
    assert fixed.geometry.iloc[1].geom_type == "MultiPolygon"
    assert fixed.geometry.iloc[1].area == pytest.approx(500_000)  # two triangles of the bowtie


def test_empty_and_missing_polygons_are_reported_with_their_ids(tmp_path: Path) -> None:
    gdf = communes(4)
    gdf.loc[0, "geometry"] = shapely.Polygon()
    gdf.loc[2, "geometry"] = None
    path = tmp_path / "communes.parquet"
    write(gdf, path)
    with pytest.raises(ValidationError) as info:
        read(path, kind="communes")
    msg = str(info.value)
    assert "2 problems" in msg
    assert re.search(r"empty geometries \(1 row: (row 1 )?insee_code=22001\)", msg)
    assert re.search(r"rows without geometry \(1 row: (row 3 )?insee_code=22003\)", msg)


def test_a_missing_required_column_is_named_with_the_columns_present(tmp_path: Path) -> None:
    path = tmp_path / "communes.gpkg"
    write(communes().drop(columns=["population", "zone_type"]), path, layer="communes")
    with pytest.raises(ValidationError) as info:
        read(path, kind="communes")
    msg = str(info.value)
    assert "missing required column `population`" in msg
    assert "missing required column `zone_type`" in msg
    assert "the layer has insee_code, name" in msg


def test_duplicated_ids_are_listed(tmp_path: Path) -> None:
    gdf = communes(4)
    gdf.loc[[1, 3], "insee_code"] = "22001"
    path = tmp_path / "communes.geojson"
    write(gdf, path)
    with pytest.raises(ValidationError) as info:
        read(path, kind="communes")
    msg = str(info.value)
    assert "duplicated insee_code values 22001" in msg
    assert "3 rows" in msg
    assert "give every row a unique `insee_code`" in msg


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    gdf = communes(4).set_crs(None, allow_override=True).drop(columns="name")
    gdf.loc[1, "insee_code"] = "22001"
    gdf.loc[2, "population"] = -5
    gdf.loc[3, "geometry"] = bowtie()
    with pytest.raises(ValidationError) as info:
        from bthd.schema import validate

        validate(gdf, "communes", source="in-memory.gpkg")
    problems = [p.what for p in info.value.problems]
    assert len(problems) == 5, problems
    assert any("missing required column `name`" in p for p in problems)
    assert any("duplicated" in p for p in problems)
    assert any("below 0" in p for p in problems)
    assert any("no CRS" in p for p in problems)
    assert any("invalid geometries" in p for p in problems)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv", ".parquet", ".shp"])
def test_an_empty_file_of_zero_bytes_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"communes{suffix}"
    path.touch()
    with pytest.raises(InputError, match=r"empty \(0 bytes\)") as info:
        read(path, kind="communes")
    assert str(path) in str(info.value)


def test_a_geojson_without_features_is_an_empty_layer(tmp_path: Path) -> None:
    path = tmp_path / "communes.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    assert len(read(path)) == 0
    with pytest.raises(ValidationError, match=r"the layer is empty \(no rows\)") as info:
        read(path, kind="communes")
    assert str(path) in str(info.value)


def test_a_csv_with_a_header_only_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "premises.csv"
    path.write_text("premise_id;insee_code;x;y\n")
    with pytest.raises(InputError, match="header but no rows"):
        read(path, kind="premises")


def test_a_truncated_geopackage_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "communes.gpkg"
    write(communes(50), path, layer="communes")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        read(path, kind="communes")
    msg = str(info.value)
    assert str(path) in msg and "truncated" in msg and "ogrinfo" in msg


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "communes.gpkg"
    with pytest.raises(InputNotFoundError) as info:
        read(path, kind="communes")
    assert isinstance(info.value, FileNotFoundError)  # catchable without knowing bthd
    assert str(path) in str(info.value) and "not found" in str(info.value)
    with pytest.raises(FileNotFoundError):
        sniff_csv(tmp_path / "nowhere.csv")


def test_a_multi_layer_file_needs_a_layer_name(tmp_path: Path) -> None:
    path = tmp_path / "region.gpkg"
    write_layers({"communes": communes(), "premises": premises()}, path)
    with pytest.raises(InputError, match="holds 2 layers"):
        read(path)
    assert len(read(path, kind="communes")) == 3  # the layer named as the kind
    with pytest.raises(InputError, match="no layer 'roads'"):
        read(path, layer="roads")


# --- French CSV files ------------------------------------------------------------------------

LATIN1_CSV = (
    "premise_id;insee_code;commune;logements;locaux_pro;kind;synthetic;surface_m2;x;y\n"
    "A1;22187;Plérin;2;0;residential;0;85,5;276540,12;6843210,5\n"
    "A2;22278;Saint-Brieuc;1;1;mixed;0;120,25;274000,5;6839000\n"
    "A3;22278;Saint-Brieuc;12;0;residential;0;1 234,5;274010;6839010,75\n"
)


def test_a_latin1_csv_with_semicolons_and_decimal_commas_is_read_correctly(
    tmp_path: Path,
) -> None:
    path = tmp_path / "premises.csv"
    path.write_bytes(LATIN1_CSV.encode("latin-1"))
    assert sniff_csv(path) == ("cp1252", ";")

    df = read_csv_fr(path)
    assert df["commune"].tolist() == ["Plérin", "Saint-Brieuc", "Saint-Brieuc"]
    assert df["insee_code"].tolist() == ["22187", "22278", "22278"]  # text, zeros kept
    assert to_number(df["surface_m2"]).tolist() == [85.5, 120.25, 1234.5]

    got = read(path, kind="premises")
    assert got.crs.to_epsg() == 2154  # Lambert-93 recognised from the numbers
    assert got.geometry.x.tolist() == [276540.12, 274000.5, 274010.0]
    assert got.geometry.y.tolist() == [6843210.5, 6839000.0, 6839010.75]
    assert got["logements"].tolist() == [2, 1, 12]
    assert got["synthetic"].tolist() == [False, False, False]


def test_numbers_written_the_french_way_in_numeric_columns(tmp_path: Path) -> None:
    path = tmp_path / "premises.csv"
    path.write_bytes(
        "premise_id;insee_code;logements;locaux_pro;kind;synthetic;x;y\n"
        "A1;22187;1\u00a0234;0;residential;0;276540,12;6843210,5\n"
        "A2;22187;12,0;0;residential;0;276541;6843211\n".encode("cp1252")
    )
    assert read(path, kind="premises")["logements"].tolist() == [1234, 12]
    path.write_bytes(path.read_bytes().replace(b"12,0", b"12,5"))
    with pytest.raises(ValidationError, match="`logements` has fractional values"):
        read(path, kind="premises")


def test_sniff_prefers_semicolons_when_every_value_has_a_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b;c,d\n1,5;2,5\n3,5;4,5\n", encoding="utf-8")
    assert sniff_csv(path) == ("utf-8", ";")
    path.write_text("a,b,c\n1,2,3\n4,5,6\n", encoding="utf-8")
    assert sniff_csv(path) == ("utf-8", ",")
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert sniff_csv(path)[1] == "\t"
    # a comma file with `;`-joined lists (the INSEE commune list's postcodes)
    path.write_text(
        'code_insee,nom,codes_postaux\n22093,Lamballe-Armor,"22400;22510"\n'
        '22187,Plérin,"22190;22000"\n',
        encoding="utf-8",
    )
    assert sniff_csv(path) == ("utf-8", ",")
    assert read_csv_fr(path)["codes_postaux"].tolist() == ["22400;22510", "22190;22000"]


def test_sniff_keeps_utf8_when_the_sample_cuts_an_accented_letter(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = "nom;code\n" + "".join(f"Plérin é{i};{i}\n" for i in range(200))
    path.write_text(text, encoding="utf-8")
    raw = path.read_bytes()
    cut = raw.index("é".encode()) + 1  # in the middle of the two bytes of é
    assert sniff_csv(path, sample_bytes=cut) == ("utf-8", ";")
    assert sniff_csv(path, sample_bytes=cut + 400) == ("utf-8", ";")


def test_gzipped_csv_is_read_and_a_damaged_one_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "premises.csv.gz"
    path.write_bytes(gzip.compress(LATIN1_CSV.encode("utf-8")))
    assert sniff_csv(path) == ("utf-8", ";")
    assert read_csv_fr(path)["commune"].iloc[0] == "Plérin"
    assert len(read(path, kind="premises")) == 3

    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzip.compress(LATIN1_CSV.encode("utf-8") * 200)[:300])
    with pytest.raises(InputError, match="damaged or truncated") as info:
        read_csv_fr(broken)
    assert str(broken) in str(info.value)


def test_csv_rows_without_coordinates_are_listed_by_line(tmp_path: Path) -> None:
    path = tmp_path / "premises.csv"
    path.write_text("premise_id,x,y\nA,276540,6843210\nB,,6843210\nC,abc,6843210\n")
    with pytest.raises(InputError, match=r"2 rows without numeric coordinates .*lines 3, 4"):
        read(path)


# --- round trips -----------------------------------------------------------------------------


def _same(got: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    assert_geodataframe_equal(
        got[expected.columns], expected, check_dtype=False, check_less_precise=True
    )


def test_geopackage_multi_layer_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "region.gpkg"
    layers = {"communes": communes(), "premises": premises()}
    assert write_layers(layers, path) == path
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["communes", "premises"]
    assert sorted(list_layers(path)) == ["communes", "premises"]
    for name, gdf in layers.items():
        back = gpd.read_file(path, layer=name)
        assert back.crs.to_epsg() == 2154
        _same(back, gdf)
        _same(read(path, layer=name, kind=name), gdf)


@pytest.mark.parametrize(
    ("suffix", "kind"),
    [(s, k) for s in (".parquet", ".geojson", ".fgb", ".gpkg") for k in ("communes", "premises")]
    + [(".shp", "premises")],  # `departement` is too long for a Shapefile: see the next test
)
def test_round_trip(tmp_path: Path, suffix: str, kind: str) -> None:
    layer = communes() if kind == "communes" else premises()
    path = tmp_path / f"{kind}{suffix}"
    write(layer, path)
    back = read(path, kind=kind)
    assert back.crs.to_epsg() == 2154
    if suffix == ".fgb":  # FlatGeobuf's spatial index orders the rows spatially
        back = back.sort_values(layer.columns[0], ignore_index=True)
    _same(back, layer)
    assert files_in(tmp_path) == sorted(
        [f"{kind}{s}" for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
        if suffix == ".shp"
        else [path.name]
    )


def test_a_shapefile_refuses_column_names_it_would_cut(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"longer than 10 characters \(departement\)") as info:
        write(communes(), tmp_path / "communes.shp")
    assert "GeoPackage" in str(info.value)
    assert files_in(tmp_path) == []


def test_csv_round_trip_of_points(tmp_path: Path) -> None:
    path = tmp_path / "premises.csv"
    write(premises(), path)
    assert path.read_text().splitlines()[0] == (
        "premise_id,insee_code,logements,locaux_pro,kind,synthetic,x,y"
    )
    back = read(path, kind="premises")
    _same(back, premises())


def test_csv_round_trip_of_polygons_as_wkt(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv"
    write(communes(), path)
    back = read(path, kind="communes", crs="EPSG:2154")
    _same(back, communes())


# --- outputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet", ".csv", ".shp"])
def test_an_existing_output_is_never_overwritten_unasked(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    write(premises(2), path)
    before = {name: (tmp_path / name).read_bytes() for name in files_in(tmp_path)}

    with pytest.raises(OutputExistsError) as info:
        write(premises(3), path)
    assert isinstance(info.value, FileExistsError)
    assert str(path) in str(info.value) and "nothing was written" in str(info.value)
    assert "overwrite=True" in str(info.value)
    after = {name: (tmp_path / name).read_bytes() for name in files_in(tmp_path)}
    assert after == before  # byte-identical, and no temporary file left

    write(premises(3), path, overwrite=True)
    assert len(read(path, kind="premises")) == 3
    assert files_in(tmp_path) == sorted(before)


def test_a_shapefile_part_left_alone_counts_as_an_existing_output(tmp_path: Path) -> None:
    (tmp_path / "out.dbf").write_bytes(b"old")
    with pytest.raises(OutputExistsError, match=r"out\.dbf"):
        write(premises(), tmp_path / "out.shp")
    assert files_in(tmp_path) == ["out.dbf"]
    assert (tmp_path / "out.dbf").read_bytes() == b"old"


def test_overwriting_a_shapefile_removes_its_stale_parts(tmp_path: Path) -> None:
    path = tmp_path / "out.shp"
    write(premises(), path)
    (tmp_path / "out.qix").write_bytes(b"stale spatial index")
    write(premises(2), path, overwrite=True)
    assert "out.qix" not in files_in(tmp_path)
    assert len(read(path)) == 2


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(gdf: gpd.GeoDataFrame, path: object, **kwargs: object) -> None:
        Path(str(path)).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", half_written)
    for suffix in (".gpkg", ".geojson", ".shp"):
        with pytest.raises(OSError, match="disk full"):
            write(premises(), tmp_path / f"new{suffix}")
    assert files_in(tmp_path) == []

    # an existing output survives a failed overwrite untouched
    monkeypatch.undo()
    old = tmp_path / "old.gpkg"
    write(communes(), old)
    before = old.read_bytes()
    monkeypatch.setattr(pyogrio, "write_dataframe", half_written)
    with pytest.raises(OSError, match="disk full"):
        write(communes(2), old, overwrite=True)
    assert old.read_bytes() == before
    assert files_in(tmp_path) == ["old.gpkg"]


def test_a_failed_parquet_or_csv_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object, path: object, *args: object, **kwargs: object) -> None:
        Path(str(path)).write_bytes(b"PAR1")
        raise RuntimeError("boom")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", broken)
    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    for suffix in (".parquet", ".csv"):
        with pytest.raises(RuntimeError, match="boom"):
            write(premises(), tmp_path / f"p{suffix}")
    assert files_in(tmp_path) == []


def test_unknown_output_formats_and_several_layers_outside_a_geopackage(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown output format '\.xlsx'"):
        write(communes(), tmp_path / "out.xlsx")
    with pytest.raises(ValueError, match=r"several layers need a GeoPackage"):
        write_layers({"a": communes(), "b": premises()}, tmp_path / "out.geojson")
    with pytest.raises(ValueError, match="no layer to write"):
        write_layers({}, tmp_path / "out.gpkg")
    assert files_in(tmp_path) == []


def test_errors_subclass_builtins() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(InputError, ValueError)
    assert issubclass(CRSError, ValueError)
