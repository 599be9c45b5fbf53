"""bthd.io.ban: the Base Adresse Nationale CSV as premises."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bthd._errors import InputError, InputNotFoundError, ValidationError
from bthd.io.ban import BAN_COLUMNS, read_ban
from bthd.schema import PREMISES, validate

HEADER = ";".join(BAN_COLUMNS)
# Real-looking lines of the BAN format (adresses-22.csv): Plérin and Saint-Brieuc (22).
ROWS = [
    "22187_0010_00001;22187_0010;1;;Rue de la Mer;22190;22187;Plérin;;;274307.35;6841592.79;"
    "-2.7712;48.5345;entrée;;;PLERIN;RUE DE LA MER;commune;commune;1;221870000AB0012",
    "22187_0010_00003_bis;22187_0010;3;bis;Rue de la Mer;22190;22187;Plérin;;;274330.25;"
    "6841602.26;-2.7709;48.5346;entrée;;;PLERIN;RUE DE LA MER;commune;commune;1;",
    "22278_0200_00012;22278_0200;12;;Rue Saint-Guillaume;22000;22278;Saint-Brieuc;;;274965.92;"
    "6839259.67;-2.7600;48.5140;entrée;;;SAINT BRIEUC;RUE SAINT GUILLAUME;commune;commune;0;",
]


def ban_file(
    folder: Path,
    rows: list[str] = ROWS,
    name: str = "adresses-22.csv",
    header: str = HEADER,
    encoding: str = "utf-8",
) -> Path:
    path = folder / name
    data = ("\n".join([header, *rows]) + "\n").encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def test_read_ban_gives_premises_in_lambert93(tmp_path: Path) -> None:
    got = read_ban(ban_file(tmp_path))
    assert got.crs.to_epsg() == 2154
    assert list(got.columns[:6]) == PREMISES.column_names
    assert got["premise_id"].tolist() == [
        "22187_0010_00001",
        "22187_0010_00003_bis",
        "22278_0200_00012",
    ]
    assert got["insee_code"].tolist() == ["22187", "22187", "22278"]
    # the BAN counts no dwellings: one per address, no business premises
    assert got["logements"].tolist() == [1, 1, 1]
    assert got["locaux_pro"].tolist() == [0, 0, 0]
    assert set(got["kind"]) == {"residential"} and not got["synthetic"].any()
    assert got.geometry.x.tolist() == [274307.35, 274330.25, 274965.92]
    assert got.geometry.y.tolist() == [6841592.79, 6841602.26, 6839259.67]
    # address columns are kept as text, accents and all
    assert got["nom_commune"].tolist() == ["Plérin", "Plérin", "Saint-Brieuc"]
    assert got["rep"].iloc[1] == "bis" and got["code_postal"].iloc[2] == "22000"
    assert got["cad_parcelles"].iloc[0] == "221870000AB0012"
    assert not {"id", "code_insee", "x", "y", "lon", "lat"} & set(got.columns)
    validate(got, "premises")  # conforms to the schema as it is


def test_read_ban_gzipped_and_latin1(tmp_path: Path) -> None:
    expected = read_ban(ban_file(tmp_path))
    got = read_ban(ban_file(tmp_path, name="adresses-22.csv.gz"))
    assert got.equals(expected)
    latin1 = read_ban(ban_file(tmp_path, name="latin1.csv", encoding="latin-1"))
    assert latin1["nom_commune"].tolist() == ["Plérin", "Plérin", "Saint-Brieuc"]


def test_read_ban_selects_communes(tmp_path: Path) -> None:
    path = ban_file(tmp_path)
    got = read_ban(path, insee="22278")
    assert got["premise_id"].tolist() == ["22278_0200_00012"]
    assert got.index.tolist() == [2]  # the row position in the file
    assert len(read_ban(path, insee=[22187, "22278"])) == 3
    with pytest.raises(InputError, match=r"no address of commune 35238; the file has 22187, 22278"):
        read_ban(path, insee="35238")


def test_logements_per_address(tmp_path: Path) -> None:
    got = read_ban(ban_file(tmp_path), logements_per_address=2)
    assert got["logements"].sum() == 6
    with pytest.raises(ValueError, match=">= 0"):
        read_ban(ban_file(tmp_path), logements_per_address=-1)


def test_lon_lat_stand_in_for_missing_lambert93(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("274307.35;6841592.79", ";"), *ROWS[1:]]
    got = read_ban(ban_file(tmp_path, rows))
    # -2.7712, 48.5345 in Lambert-93: where the BAN's own x/y put it, to the centimetre
    assert got.geometry.x.iloc[0] == pytest.approx(274307.35, abs=0.01)
    assert got.geometry.y.iloc[0] == pytest.approx(6841592.79, abs=0.01)


def test_missing_columns_are_all_named(tmp_path: Path) -> None:
    header = HEADER.replace("code_insee;", "insee;").replace(";x;y;lon;lat;", ";a;b;c;d;")
    with pytest.raises(ValidationError) as info:
        read_ban(ban_file(tmp_path, header=header))
    msg = str(info.value)
    assert "adresses-22.csv" in msg
    assert "missing BAN columns code_insee, x/y (or lon/lat)" in msg
    assert "the file has id, id_fantoir" in msg


def test_bad_coordinates_and_duplicates_are_listed_at_once_with_their_lines(
    tmp_path: Path,
) -> None:
    rows = [
        ROWS[0],
        ROWS[1].replace("274330.25;6841602.26;-2.7709;48.5346", "abc;6841602.26;;"),
        ROWS[2].replace("274965.92;6839259.67;-2.7600;48.5140", "6839259.67;274965.92;;"),  # swap
        ROWS[0],  # the same address twice
        ROWS[2].replace("22278_0200_00012", "").replace("12;;Rue", "14;;Rue"),  # no id
    ]
    with pytest.raises(ValidationError) as info:
        read_ban(ban_file(tmp_path, rows))
    err = info.value
    msg = str(err)
    assert msg.startswith(f"{tmp_path / 'adresses-22.csv'}: 3 problems")
    assert "rows without usable coordinates" in msg
    assert "(2 rows: line 3 (22187_0010_00003_bis), line 4 (22278_0200_00012))" in msg
    assert "duplicated id values 22187_0010_00001 (2 rows: line 2 (22187_0010_00001), line 5" in msg
    assert "lines without id (1 row: line 6)" in msg
    assert all(p.fix for p in err.problems)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        read_ban(tmp_path / "adresses-99.csv")
    (tmp_path / "empty.csv").touch()
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        read_ban(tmp_path / "empty.csv")
    with pytest.raises(InputError, match="header but no rows"):
        read_ban(ban_file(tmp_path, rows=[]))


def test_overseas_addresses_are_projected_with_a_warning(tmp_path: Path) -> None:
    # a BAN line of Guadeloupe (971): x/y in UTM 20N, lon/lat in WGS 84
    row = (
        "97101_0010_00001;97101_0010;1;;Rue Schoelcher;97139;97101;Les Abymes;;;655000.0;"
        "1795000.0;-61.5;16.27;entrée;;;LES ABYMES;RUE SCHOELCHER;commune;commune;1;"
    )
    with pytest.warns(UserWarning, match="1 addresses lie outside metropolitan France"):
        got = read_ban(ban_file(tmp_path, [row, *ROWS]))
    assert np.isfinite(got.geometry.x).all()
