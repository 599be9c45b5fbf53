"""bthd.io.ipe: IPE files (Interop'Fibre) as premises with their state and PM."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from bthd._errors import InputError, ValidationError
from bthd.io.ipe import IPE_STATES, normalise_state, projection_epsg, raccordable, read_ipe
from bthd.schema import PREMISES, validate

COLUMNS = [
    "IdentifiantImmeuble",
    "CodeAdresseImmeuble",
    "CodeInseeImmeuble",
    "CommuneImmeuble",
    "NomVoieImmeuble",
    "NombreLogementsAdresseIPE",
    "EtatImmeuble",
    "CoordonneeImmeubleX",
    "CoordonneeImmeubleY",
    "TypeProjectionGeographique",
    "ReferencePM",
    "EtatPM",
    "CodeOI",
]
# one building of Plérin given in four projections: the same point in Lambert-93
L93 = (274307.35, 6841592.79)
LON, LAT = Transformer.from_crs(2154, 4326, always_xy=True).transform(*L93)
CC48 = Transformer.from_crs(2154, 3948, always_xy=True).transform(*L93)
WEB = Transformer.from_crs(2154, 3857, always_xy=True).transform(*L93)


def line(
    ident: str,
    x: object,
    y: object,
    proj: str,
    state: str = "DEPLOYE",
    logements: str = "1",
    insee: str = "22187",
) -> list[str]:
    return [
        ident,
        f"{insee}AB{ident[-2:]}",
        insee,
        "Plérin",
        "Rue de la Mer",
        logements,
        state,
        str(x),
        str(y),
        proj,
        "PM-22187-01",
        "DP",
        "THDB",
    ]


def ipe_file(
    folder: Path,
    rows: list[list[str]],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    decimal_comma: bool = False,
    name: str = "ipe.csv",
    columns: list[str] = COLUMNS,
) -> Path:
    df = pd.DataFrame(rows, columns=columns)
    if decimal_comma:
        for c in ("CoordonneeImmeubleX", "CoordonneeImmeubleY"):
            df[c] = df[c].str.replace(".", ",", regex=False)
    path = folder / name
    text = df.to_csv(sep=sep, index=False, lineterminator="\n")
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def good_rows() -> list[list[str]]:
    return [
        line("IMB/22187/X/0001", *L93, "L93", "DEPLOYE", "1"),
        line("IMB/22187/X/0002", LON, LAT, "WGS84", "Déployé", "12"),
        line("IMB/22187/X/0003", *CC48, "RGF93 CC48", "EN COURS DE DEPLOIEMENT", "3"),
        line("IMB/22187/X/0004", *L93, "2154", "cible", "0"),
        line("IMB/22187/X/0005", *WEB, "EPSG:3857", "SIGNE", "4"),
        line("IMB/22187/X/0006", *L93, "RGF93", "ABANDONNE", "2"),
        line("IMB/22187/X/0007", *L93, "LAMB93", "RACCORDABLE DEMANDE", "1"),
    ]


@pytest.mark.parametrize(
    ("sep", "encoding", "decimal_comma", "name"),
    [
        (";", "utf-8", False, "ipe.csv"),
        (",", "utf-8", False, "ipe.csv"),
        (";", "latin-1", True, "ipe.csv"),
        (";", "utf-8", True, "ipe.csv.gz"),
    ],
)
def test_read_ipe(tmp_path: Path, sep: str, encoding: str, decimal_comma: bool, name: str) -> None:
    path = ipe_file(
        tmp_path, good_rows(), sep=sep, encoding=encoding, decimal_comma=decimal_comma, name=name
    )
    got = read_ipe(path)
    assert got.crs.to_epsg() == 2154
    assert list(got.columns[:6]) == PREMISES.column_names
    assert got["premise_id"].tolist() == [f"IMB/22187/X/000{i}" for i in range(1, 8)]
    assert got["logements"].tolist() == [1, 12, 3, 0, 4, 2, 1]
    assert got["insee_code"].unique().tolist() == ["22187"]
    assert not got["synthetic"].any() and (got["locaux_pro"] == 0).all()
    assert got["ipe_state"].tolist() == [
        "DEPLOYE",
        "DEPLOYE",
        "EN COURS DE DEPLOIEMENT",
        "CIBLE",
        "SIGNE",
        "ABANDONNE",
        "RACCORDABLE DEMANDE",
    ]
    assert got["pm_ref"].unique().tolist() == ["PM-22187-01"]
    assert got["pm_state"].unique().tolist() == ["DP"]
    assert got["address_code"].iloc[0] == "22187AB01"
    assert got["CommuneImmeuble"].iloc[0] == "Plérin"  # other IPE columns kept, accents and all
    # every projection lands on the same building, to the millimetre
    assert (got.geometry.x - L93[0]).abs().max() < 1e-3
    assert (got.geometry.y - L93[1]).abs().max() < 1e-3
    validate(got, "premises")


def test_raccordable_is_deploye() -> None:
    states = pd.Series(
        ["DEPLOYE", "Déployé", "CIBLE", None, "RACCORDABLE DEMANDE"], index=[10, 11, 12, 13, 14]
    )
    got = raccordable(states)
    assert got.index.tolist() == [10, 11, 12, 13, 14]  # on the input's index
    assert got.tolist() == [True, True, False, False, False]
    assert raccordable(states, on_demand=True).tolist() == [True, True, False, False, True]
    assert raccordable("DEPLOYE") is True and raccordable("EN COURS DE DEPLOIEMENT") is False


def test_raccordable_lines_of_a_file(tmp_path: Path) -> None:
    got = read_ipe(ipe_file(tmp_path, good_rows()))
    locaux_raccordables = got.loc[raccordable(got["ipe_state"]), "logements"].sum()
    assert locaux_raccordables == 13


def test_normalise_state_spellings() -> None:
    raw = pd.Series(["en cours de déploiement", "EN_COURS", " Signé ", "abandonné", "RAD en cours"])
    assert normalise_state(raw).tolist() == [
        "EN COURS DE DEPLOIEMENT",
        "EN COURS DE DEPLOIEMENT",
        "SIGNE",
        "ABANDONNE",
        "RAD EN COURS DE DEPLOIEMENT",
    ]
    assert set(normalise_state(pd.Series(list(IPE_STATES)))) == set(IPE_STATES)


def test_projection_names_and_codes() -> None:
    values = pd.Series(
        [
            "L93",
            "Lambert 93",
            "RGF93",
            "wgs84",
            "4326",
            "EPSG:2154",
            "LAMB2E",
            "CC42",
            "UTM20",
            "UTM22",
            "UTM40S",
            "UTM38S",
            "UTM21",
            None,
            "GAUSS",
        ]
    )
    assert projection_epsg(values).tolist() == [
        2154,
        2154,
        2154,
        4326,
        4326,
        2154,
        27572,
        3942,
        5490,
        2972,
        2975,
        4471,
        4467,
        pd.NA,
        pd.NA,
    ]


def test_unknown_states_and_projections_are_listed_with_their_lines(tmp_path: Path) -> None:
    rows = [
        *good_rows()[:2],
        line("IMB/22187/X/0010", *L93, "L93", "PLANIFIE"),
        line("IMB/22187/X/0011", *L93, "GAUSS-KRUGER"),
        line("IMB/22187/X/0012", *L93, "L93", "EN_ATTENTE"),
        line("IMB/22187/X/0013", *L93, "MERCATOR2"),
    ]
    with pytest.raises(ValidationError) as info:
        read_ipe(ipe_file(tmp_path, rows))
    msg = str(info.value)
    assert msg.startswith(f"{tmp_path / 'ipe.csv'}: 2 problems in the premises (IPE) layer")
    assert (
        "unknown EtatImmeuble values 'PLANIFIE', 'EN_ATTENTE' (2 rows: line 4 "
        "(IMB/22187/X/0010), line 6 (IMB/22187/X/0012))" in msg
    )
    assert "use one of CIBLE, SIGNE, EN COURS DE DEPLOIEMENT, DEPLOYE" in msg
    assert (
        "unknown TypeProjectionGeographique values 'GAUSS-KRUGER', 'MERCATOR2' (2 rows: "
        "line 5 (IMB/22187/X/0011), line 7 (IMB/22187/X/0013))" in msg
    )


def test_every_bad_line_is_reported_at_once(tmp_path: Path) -> None:
    rows = [
        *good_rows()[:2],
        line("IMB/22187/X/0020", "", L93[1], "L93"),
        line("IMB/22187/X/0021", *L93, "L93", logements="deux"),
        line("IMB/22187/X/0022", *L93, "L93", logements="-1"),
        line("IMB/22187/X/0023", LAT, LON, "WGS84"),  # swapped
        line("IMB/22187/X/0001", *L93, "L93"),  # duplicated
        line("IMB/22187/X/0025", *L93, "", insee=""),
    ]
    with pytest.raises(ValidationError) as info:
        read_ipe(ipe_file(tmp_path, rows))
    what = "\n".join(p.format(max_rows=20) for p in info.value.problems)
    assert "lines without numeric CoordonneeImmeubleX/Y (1 row: line 4 (IMB/22187/X/0020))" in what
    assert "not a whole number >= 0 (e.g. 'deux', '-1') (2 rows: line 5" in what
    assert "coordinates outside metropolitan France" in what and "line 7 (IMB/22187/X/0023)" in what
    assert "duplicated IdentifiantImmeuble values IMB/22187/X/0001 (2 rows: line 2" in what
    assert "lines without TypeProjectionGeographique (1 row: line 9 (IMB/22187/X/0025))" in what
    assert "lines without CodeInseeImmeuble (1 row: line 9" in what
    assert "pass default_crs=" in what


def test_default_crs_for_lines_without_projection(tmp_path: Path) -> None:
    rows = [line("IMB/22187/X/0001", *L93, ""), line("IMB/22187/X/0002", LON, LAT, "WGS84")]
    got = read_ipe(ipe_file(tmp_path, rows), default_crs="EPSG:2154")
    assert (got.geometry.x - L93[0]).abs().max() < 1e-3

    no_column = [r[:9] + r[10:] for r in rows[:1]]
    columns = [c for c in COLUMNS if c != "TypeProjectionGeographique"]
    path = ipe_file(tmp_path, no_column, columns=columns, name="noproj.csv")
    with pytest.raises(ValidationError, match="missing IPE column TypeProjectionGeographique"):
        read_ipe(path)
    assert len(read_ipe(path, default_crs=2154)) == 1


def test_missing_columns_and_other_spellings(tmp_path: Path) -> None:
    columns = [c.lower() if c.startswith("Etat") else c for c in COLUMNS]
    got = read_ipe(ipe_file(tmp_path, good_rows(), columns=columns))  # etatimmeuble is fine
    assert "ipe_state" in got.columns

    columns = [c for c in COLUMNS if c not in ("EtatImmeuble", "NombreLogementsAdresseIPE")]
    rows = [[v for c, v in zip(COLUMNS, r, strict=True) if c in columns] for r in good_rows()]
    with pytest.raises(ValidationError) as info:
        read_ipe(ipe_file(tmp_path, rows, columns=columns, name="short.csv"))
    msg = str(info.value)
    assert "missing IPE columns NombreLogementsAdresseIPE, EtatImmeuble" in msg
    assert "the file has IdentifiantImmeuble" in msg


def test_overseas_lines_are_read_with_a_warning(tmp_path: Path) -> None:
    # a building of Les Abymes (Guadeloupe) in RGAF09 / UTM 20N
    x, y = Transformer.from_crs(4326, 5490, always_xy=True).transform(-61.5, 16.27)
    rows = [line("IMB/97101/X/0001", x, y, "UTM20", insee="97101"), *good_rows()]
    with pytest.warns(UserWarning, match="1 lines are overseas"):
        got = read_ipe(ipe_file(tmp_path, rows))
    assert len(got) == 8


def test_an_ipe_with_a_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="header but no rows"):
        read_ipe(ipe_file(tmp_path, []))
