"""Check a GraceTHD v2.0.1 delivery read back from its files, and list every problem.

The checker reads the Shapefiles with GDAL (pyogrio) and the CSV files as text split on ``;``
(:mod:`bthd.export.gracethd._files`), as a receiving tool would, then checks:

* the files: every table present, CSV with ``;``, a header line, no text delimiters, UTF-8;
  Shapefiles in EPSG:2154 with a ``.cpg``, of the table's geometry type, valid geometries;
* the fields: no unknown or missing field, mandatory fields filled, values of the field's type
  and length, list-valued fields drawn from the official lists, booleans 0/1;
* the keys: primary keys filled and unique, every foreign key resolving, every cable's two end
  nodes given and existing;
* the controls of the GraceTHD v3.0.1 suite dbt-grace-thd that apply to v2 fields
  (``bthd/resources/export/gracethd_controls.csv``): uniqueness (ctrl_uc), foreign keys
  (ctrl_fk), list values (ctrl_lv), topology (topo_0001-0004 node on path or cable end within
  0.01 m, topo_0007 ZSRO inside its ZNRO, topo_0010/0011 cable end on a path, topo_0013 valid
  cable geometry) and business rules (metier_0003 cable without geometry, metier_0004 box
  without point or room, metier_0007/0017 type NC), plus the delivery rules co_1_g00003 (ZPBO
  inside its ZSRO) and every address in exactly one ZPBO. The suite's C2 fill grid
  (ctrl_rem, container C2) is reported as warnings: it is not part of the v2 standard.

Not for: repairing a delivery.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from bthd.export.gracethd._files import read_all, resolve
from bthd.export.gracethd.findings import CheckReport, Finding, empty_values, field_findings, ids
from bthd.export.gracethd.schema import PRIMARY_KEYS, SPATIAL, TABLES, Field, fields, lists
from bthd.export.gracethd.topology import check_topology

_TYPES = {
    "int": re.compile(r"-?\d+"),
    "float": re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"),
    "bool": re.compile(r"[01]"),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "timestamp": re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?"),
}


def _controls() -> list[dict[str, str]]:
    text = (
        resources.files("bthd.resources")
        .joinpath("export/gracethd_controls.csv")
        .read_text("utf-8")
    )
    return list(csv.DictReader(io.StringIO(text)))


def _kinds() -> dict[str, dict[str, str]]:
    return {t: {f.name: f.kind for f in fs} for t, fs in fields().items()}


def _check_fields(table: str, df: pd.DataFrame, out: list[Finding]) -> None:
    spec = fields()[table]
    out.extend(field_findings(table, df, [f.name for f in spec], "GraceTHD v2.0.1"))
    pk = PRIMARY_KEYS[table]
    codes = df[pk].astype(str) if pk in df.columns else pd.Series(map(str, df.index))
    all_lists = lists()
    for f in spec:
        if f.name not in df.columns:
            continue
        col = df[f.name].astype(str)
        empty = empty_values(df[f.name])
        if f.mandatory and empty.any():
            out.append(
                Finding(
                    "bthd_mandatory",
                    table,
                    f"mandatory field {f.name} empty",
                    ids(codes[empty]),
                    "fill it",
                )
            )
        filled = col[~empty]
        _check_type(table, f, filled, codes, out)
        list_name = f.list_name
        if list_name and len(filled):
            allowed = all_lists.get(list_name, frozenset())
            bad = ~filled.isin(allowed)
            if bad.any():
                values = ", ".join(sorted(set(filled[bad]))[:8])
                out.append(
                    Finding(
                        "bthd_list",
                        table,
                        f"{f.name}: values not in the list {list_name} ({values})",
                        ids(codes[bad[bad].index]),
                        f"use a code of {list_name}",
                    )
                )


def _check_type(
    table: str, f: Field, filled: pd.Series, codes: pd.Series, out: list[Finding]
) -> None:
    pattern = _TYPES.get(f.kind)
    if pattern is not None and len(filled):
        bad = ~filled.str.fullmatch(pattern)
        if bad.any():
            out.append(
                Finding(
                    "bthd_type",
                    table,
                    f"{f.name}: values not of type {f.sql_type} (e.g. {filled[bad].iloc[0]!r})",
                    ids(codes[bad[bad].index]),
                    "write numbers with '.', booleans 0/1, dates aaaa-mm-jj",
                )
            )
    width = f.width
    if width is not None and len(filled):
        long = filled.str.len() > width
        if long.any():
            out.append(
                Finding(
                    "bthd_type",
                    table,
                    f"{f.name}: values longer than {width} characters",
                    ids(codes[long[long].index]),
                    "shorten them",
                )
            )


def _check_keys(tables: dict[str, pd.DataFrame], out: list[Finding]) -> None:
    fk_ids = {(r["table"], r["field"]): r["id_test"] for r in _controls() if r["control"] == "fk"}
    for table, df in tables.items():
        pk = PRIMARY_KEYS[table]
        if pk in df.columns:
            dup = df[pk][df[pk].duplicated(keep=False) & ~empty_values(df[pk])]
            if len(dup):
                out.append(
                    Finding(
                        "bthd_pk",
                        table,
                        f"{pk} not unique",
                        ids(sorted(set(dup))),
                        "give every row its own code",
                    )
                )
        for f in fields()[table]:
            target = f.foreign
            if target is None or f.name not in df.columns:
                continue
            t_table, t_field = target
            col = df[f.name]
            filled = col[~empty_values(col)]
            if not len(filled):
                continue
            ref = tables.get(t_table)
            known = set(ref[t_field]) if ref is not None and t_field in ref.columns else set()
            bad = filled[~filled.isin(known)]
            if len(bad):
                out.append(
                    Finding(
                        fk_ids.get((table, f.name), "bthd_fk"),
                        table,
                        f"{f.name}: codes not found in {t_table}.{t_field}",
                        ids(sorted(set(bad))),
                        f"add them to {t_table} or correct {f.name}",
                    )
                )
    cable = tables.get("t_cable")
    if cable is not None:
        for end in ("cb_nd1", "cb_nd2"):
            if end in cable.columns:
                e = empty_values(cable[end])
                if e.any():
                    out.append(
                        Finding(
                            "bthd_cable_nodes",
                            "t_cable",
                            f"cables without {end}: a cable runs between two nodes",
                            ids(cable.loc[e, "cb_code"]),
                            f"fill {end} with the code of the node at that end",
                        )
                    )


def _check_suite(tables: dict[str, pd.DataFrame], out: list[Finding]) -> None:
    for r in _controls():
        table, name = r["table"], r["field"]
        df = tables.get(table)
        if df is None:
            continue
        pk = PRIMARY_KEYS[table]
        if r["control"] == "unicite" and name in df.columns:
            col = df[name][~empty_values(df[name])]
            dup = col[col.duplicated(keep=False)]
            if len(dup):
                out.append(
                    Finding(
                        r["id_test"],
                        table,
                        f"{name} not unique",
                        ids(sorted(set(dup))),
                        "give each row its own value",
                    )
                )
        elif r["control"] == "remplissage_c2":
            if name == "geom":
                if isinstance(df, gpd.GeoDataFrame):
                    e = df.geometry.isna() | df.geometry.is_empty
                    if e.any():
                        out.append(
                            Finding(r["id_test"], table, "empty geometry", ids(df.loc[e, pk]))
                        )
                continue
            if name not in df.columns:
                continue
            e = empty_values(df[name])
            if e.any():
                every = bool(e.all())
                out.append(
                    Finding(
                        r["id_test"],
                        table,
                        f"{name} empty{f' in all {len(df):,} rows' if every else ''} "
                        "(filled at container C2 in the v3 suite)",
                        () if every else ids(df.loc[e, pk]),
                        severity="warning",
                    )
                )
        elif r["control"] == "liste" and r["target"] == "bool" and name in df.columns:
            col = df[name][~empty_values(df[name])]
            bad = col[~col.isin(["0", "1"])]
            if len(bad):
                out.append(
                    Finding(
                        r["id_test"],
                        table,
                        f"{name}: booleans other than 0/1",
                        ids(df.loc[bad.index, pk]),
                        "write 0 or 1 (rule co_1_s00006)",
                    )
                )


def _read_all(path: Path, out: list[Finding]) -> dict[str, pd.DataFrame]:
    """Every table of the delivery found in ``path``; problems of the files go to ``out``."""
    return read_all(path, TABLES, SPATIAL, _kinds(), out)


def read_tables(folder: str | Path) -> tuple[dict[str, pd.DataFrame], Path]:
    """The tables of a delivery as text (GeoDataFrames for the spatial ones), and its folder.

    Values are read as a receiving tool reads them (Shapefiles with GDAL, CSV with ``;``),
    nulls as ``""``. File problems are not reported: :func:`check_delivery` does that.
    """
    path = resolve(Path(folder), TABLES)
    return _read_all(path, []), path


def check_delivery(folder: str | Path) -> CheckReport:
    """Read a GraceTHD v2.0.1 delivery back from its files and check it.

    Parameters
    ----------
    folder
        The delivery folder (Shapefiles and CSV files), or an export folder holding it in
        ``gracethd/``.

    Returns
    -------
    CheckReport
        Every finding (``report.ok`` is true when there is no error) and the rows read.

    Raises
    ------
    bthd.InputNotFoundError
        If the folder does not exist.
    """
    path = resolve(Path(folder), TABLES)
    report = CheckReport(path)
    out = report.findings
    tables = _read_all(path, out)
    for table, df in tables.items():
        report.rows[table] = len(df)
        _check_fields(table, df, out)
    _check_keys(tables, out)
    _check_suite(tables, out)
    check_topology(tables, out)
    return report


__all__ = ["CheckReport", "Finding", "check_delivery", "read_tables"]
