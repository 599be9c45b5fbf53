"""The generic controls of the suite dbt-grace-thd, and bthd's checks of keys and fields.

What each control tests follows the suite's SQL models ``models/controls/generique/*.sql``:

* ``ctrl_pt_*`` presence (active, ``O`` in the container): the table is delivered and holds
  rows; a ``C`` or ``N`` table may be absent or empty;
* ``ctrl_rem_*`` fill (active, ``O`` in the container): one error per row whose value is null
  or blank after trimming (an empty geometry for ``geom``);
* ``ctrl_uc_*`` uniqueness (every container): rows sharing a non-null value;
* ``ctrl_fk_*`` foreign keys: a given value missing from the target table's field;
* ``ctrl_lv_*`` list values: a given value that is not a ``code`` of the list;
* ``ctrl_type_*``: a non-blank value that PostgreSQL would not accept as the field's type
  (:mod:`~bthd.export.gracethd.v3.pg_input`).

bthd adds what the suite does not check: ``bthd_fields`` (fields unknown to the suite or
missing), ``bthd_pk`` (primary keys filled and unique; ``cc_cb_code``/``cc_cm_code`` together
for t_cab_chem), ``bthd_cable_nodes`` (every cable's two end nodes given and in t_noeud) and
``bthd_geom`` (valid OGC geometries in every spatial table; topo_0013 covers t_cableline).

Not for: conditional fills, topology and business rules (``rules_cond``, ``rules_topo``,
``rules_metier``).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from bthd.export.gracethd.findings import Finding, field_findings
from bthd.export.gracethd.v3 import schema as s
from bthd.export.gracethd.v3._rows import (
    Tables,
    codes,
    col,
    filled,
    flag,
    isin,
    repeated,
    sample,
    text,
)
from bthd.export.gracethd.v3.pg_input import valid


def _on(row: dict[str, str]) -> bool:
    return row.get("actif", "").strip().lower() == "true"


def presence(tables: Tables, container: str, out: list[Finding]) -> None:
    """ctrl_pt: tables mandatory (``O``) in ``container`` delivered and not empty."""
    key = f"conteneur_{container.lower()}"
    for r in s.controls("presence_table"):
        table = r["classe"]
        if not _on(r) or r[key] != "O":
            continue
        df = tables.get(table)
        if df is None:
            out.append(
                Finding(
                    r["id_test"],
                    table,
                    f"mandatory table (container {container}) missing from the delivery",
                    fix=f"deliver {table} (Shapefile for a spatial table, else CSV)",
                )
            )
        elif len(df) == 0:
            out.append(
                Finding(
                    r["id_test"],
                    table,
                    f"mandatory table (container {container}) delivered empty",
                    fix=f"fill {table}",
                )
            )


def remplissage(tables: Tables, container: str, out: list[Finding]) -> None:
    """ctrl_rem: fields mandatory (``O``, active) in ``container`` filled in every row."""
    key = f"conteneur_{container.lower()}"
    for r in s.controls("remplissage"):
        table, name = r["classe"], r["attribut"]
        df = tables.get(table)
        if df is None or not _on(r) or r[key] != "O" or not len(df):
            continue
        if name == "geom":
            if isinstance(df, gpd.GeoDataFrame):
                g = df.geometry.to_numpy()
                bad = shapely.is_missing(g) | shapely.is_empty(g)
                flag(out, r["id_test"], table, df, bad, "geometry missing (mandatory)")
            continue
        if name not in df.columns:
            out.append(
                Finding(
                    r["id_test"],
                    table,
                    f"mandatory field {name} missing (container {container}): every row empty",
                    fix=f"add the field {name} and fill it",
                )
            )
            continue
        flag(
            out,
            r["id_test"],
            table,
            df,
            ~filled(df, name),
            f"mandatory field {name} empty (container {container})",
            f"fill {name}",
        )


def unicite(tables: Tables, out: list[Finding]) -> None:
    """ctrl_uc: values of the listed fields unique among the rows that have one."""
    for r in s.controls("unicite"):
        table, name = r["classe"], r["attribut"]
        df = tables.get(table)
        if df is None or not _on(r) or name not in df.columns:
            continue
        v = col(df, name)
        given = filled(df, name)
        dup = repeated(text(df, name), given)
        flag(
            out,
            r["id_test"],
            table,
            df,
            dup,
            f"{name} not unique (values {sample(v[dup])})",
            f"give each row its own {name}",
        )


def foreign_keys(tables: Tables, out: list[Finding]) -> None:
    """ctrl_fk: every given value found in the target table's field."""
    for r in s.controls("fk"):
        table, name = r["classe"], r["attribut"]
        target, tfield = r["classe_cible"], r["attribut_cible"]
        df = tables.get(table)
        if df is None or not _on(r) or name not in df.columns or not filled(df, name).any():
            continue
        ref = tables.get(target)
        if ref is not None and tfield in ref.columns:
            known = text(ref, tfield)
        else:
            known = pd.Series([], dtype=object)
        v = col(df, name)
        bad = filled(df, name) & ~isin(df, name, known)
        flag(
            out,
            r["id_test"],
            table,
            df,
            bad,
            f"{name}: codes not found in {target}.{tfield} ({sample(v[bad])})",
            f"add them to {target} or correct {name}",
        )


def listes(tables: Tables, out: list[Finding]) -> None:
    """ctrl_lv: every given value a code of the field's list."""
    all_lists = s.lists()
    for r in s.controls("liste_valeur"):
        table, name, lst = r["classe"], r["attribut"], r["table_liste"]
        df = tables.get(table)
        if df is None or not _on(r) or name not in df.columns:
            continue
        v = col(df, name)
        bad = (v != "") & ~isin(df, name, all_lists.get(lst, frozenset()))
        flag(
            out,
            r["id_test"],
            table,
            df,
            bad,
            f"{name}: values not in the list {lst} ({sample(v[bad])})",
            f"use a code of {lst}",
        )


def types(tables: Tables, out: list[Finding]) -> None:
    """ctrl_type: every non-blank value valid input of the field's PostgreSQL type."""
    for r in s.controls("type"):
        table, name, pg = r["classe"], r["attribut"], r["type_cible"]
        df = tables.get(table)
        if df is None or not _on(r) or name not in df.columns or pg == "varchar":
            continue
        given = filled(df, name)
        if not given.any():
            continue
        v = text(df, name)[given]
        bad = pd.Series(False, index=df.index)
        bad[given] = ~valid(v, pg)
        flag(
            out,
            r["id_test"],
            table,
            df,
            bad,
            f"{name}: values not of type {pg.upper()} ({sample(col(df, name)[bad])})",
            "write integers as digits, numbers with '.', dates aaaa-mm-jj",
        )


def fields_known(tables: Tables, out: list[Finding]) -> None:
    """bthd_fields: fields the suite does not define, and fields it defines that are missing."""
    for table, df in tables.items():
        standard = f"GraceTHD v{s.VERSION} (suite dbt-grace-thd)"
        out.extend(field_findings(table, df, s.field_names(table), standard))


def primary_keys(tables: Tables, out: list[Finding]) -> None:
    """bthd_pk: every row's primary key given and unique (composite for t_cab_chem)."""
    for table, df in tables.items():
        pk = s.primary_keys().get(table, ())
        if not pk or not len(df):
            continue
        if any(c not in df.columns for c in pk):
            continue  # reported by bthd_fields
        empty = ~pd.concat([filled(df, c) for c in pk], axis=1).all(axis=1)
        flag(out, "bthd_pk", table, df, empty, f"primary key {'+'.join(pk)} empty", "fill it")
        key = text(df, pk[0]) if len(pk) == 1 else codes(table, df)
        dup = repeated(key, ~empty)
        flag(
            out,
            "bthd_pk",
            table,
            df,
            dup,
            f"primary key {'+'.join(pk)} not unique",
            "give every row its own code",
        )


def cable_nodes(tables: Tables, out: list[Finding]) -> None:
    """bthd_cable_nodes: every cable's cb_nd1 and cb_nd2 given and found in t_noeud."""
    cable = tables.get("t_cable")
    if cable is None or not len(cable):
        return
    noeud = tables.get("t_noeud")
    has = noeud is not None and "nd_code" in noeud.columns
    nodes = text(noeud, "nd_code") if has and noeud is not None else pd.Series([], dtype=object)
    for end in ("cb_nd1", "cb_nd2"):
        given = filled(cable, end)
        flag(
            out,
            "bthd_cable_nodes",
            "t_cable",
            cable,
            ~given,
            f"cables without {end}: a cable runs between two nodes",
            f"fill {end} with the code of the node at that end",
        )
        v = col(cable, end)
        bad = given & ~isin(cable, end, nodes)
        flag(
            out,
            "bthd_cable_nodes",
            "t_cable",
            cable,
            bad,
            f"{end}: nodes not found in t_noeud ({sample(v[bad])})",
            "add the nodes to t_noeud or correct the cable's end",
        )


def geometries(tables: Tables, out: list[Finding]) -> None:
    """bthd_geom: valid OGC geometries (t_cableline is topo_0013's)."""
    for table in s.SPATIAL:
        df = tables.get(table)
        if table == "t_cableline" or not isinstance(df, gpd.GeoDataFrame) or not len(df):
            continue
        g = df.geometry.to_numpy()
        bad = ~shapely.is_missing(g) & ~shapely.is_empty(g) & ~shapely.is_valid(g)
        flag(
            out,
            "bthd_geom",
            table,
            df,
            bad,
            "invalid geometries (OGC)",
            "repair them (make_valid) or draw them again",
        )


__all__ = [
    "cable_nodes",
    "fields_known",
    "foreign_keys",
    "geometries",
    "listes",
    "presence",
    "primary_keys",
    "remplissage",
    "types",
    "unicite",
]
