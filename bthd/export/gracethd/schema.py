"""The GraceTHD v2.0.1 tables bthd delivers: their fields, types, mandatory fields and relations.

The facts (field names and order, SQL types, mandatory fields, foreign keys and the codes of
the official lists) are encoded in ``bthd/resources/export/gracethd_v2_fields.csv`` and
``gracethd_v2_lists.csv``, written from the GraceTHD-MCD v2.0.1 attribute table and lists; the
GPL-3.0 documents themselves are not shipped.

Not for: writing or checking a delivery (:mod:`bthd.export.gracethd.write`,
:mod:`bthd.export.gracethd.check`).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

VERSION = "2.0.1"
#: Status of every object of a design delivery (l_statut: AVANT-PROJET).
STATUT = "AVP"
#: The tables of a bthd delivery, in dependency order (referenced tables first).
TABLES = (
    "t_organisme",
    "t_reference",
    "t_adresse",
    "t_noeud",
    "t_sitetech",
    "t_ltech",
    "t_ptech",
    "t_znro",
    "t_zsro",
    "t_zpbo",
    "t_suf",
    "t_ebp",
    "t_cheminement",
    "t_cable",
    "t_cableline",
)
#: Spatial tables (delivered as Shapefile) and their geometry type; the others are CSV.
SPATIAL = {
    "t_adresse": "Point",
    "t_noeud": "Point",
    "t_cheminement": "LineString",
    "t_cableline": "LineString",
    "t_znro": "MultiPolygon",
    "t_zsro": "MultiPolygon",
    "t_zpbo": "MultiPolygon",
}
#: Primary key of each table.
PRIMARY_KEYS = {
    "t_organisme": "or_code",
    "t_reference": "rf_code",
    "t_adresse": "ad_code",
    "t_noeud": "nd_code",
    "t_sitetech": "st_code",
    "t_ltech": "lt_code",
    "t_ptech": "pt_code",
    "t_znro": "zn_code",
    "t_zsro": "zs_code",
    "t_zpbo": "zp_code",
    "t_suf": "sf_code",
    "t_ebp": "bp_code",
    "t_cheminement": "cm_code",
    "t_cable": "cb_code",
    "t_cableline": "cl_code",
}
#: Delivery encodings (GraceTHD rules co_1_f00005, co_1_f00006).
CSV_ENCODING = "utf-8"
SHP_ENCODING = "cp1252"


@dataclass(frozen=True)
class Field:
    """One field of a GraceTHD table.

    Parameters
    ----------
    table, name
        Table and field name (at most 10 characters, so Shapefile-safe).
    sql_type
        SQL type of the standard (``VARCHAR(254)``, ``INTEGER``, ``NUMERIC``, ``BOOLEAN``,
        ``DATE``, ``TIMESTAMP``, ``GEOMETRY(...)``).
    mandatory
        Whether the standard marks it *obligatoire*.
    references
        ``table.field`` of a foreign key or ``l_list.code`` of a list, or empty.
    """

    table: str
    name: str
    sql_type: str
    mandatory: bool
    references: str

    @property
    def kind(self) -> str:
        """``text``, ``int``, ``float``, ``bool``, ``date``, ``timestamp`` or ``geometry``."""
        t = self.sql_type.upper()
        for prefix, kind in (
            ("VARCHAR", "text"),
            ("INTEGER", "int"),
            ("NUMERIC", "float"),
            ("BOOLEAN", "bool"),
            ("DATE", "date"),
            ("TIMESTAMP", "timestamp"),
            ("GEOMETRY", "geometry"),
        ):
            if t.startswith(prefix):
                return kind
        return "text"

    @property
    def width(self) -> int | None:
        """Maximum length of a VARCHAR field."""
        if self.sql_type.upper().startswith("VARCHAR("):
            return int(self.sql_type[8:].rstrip(")"))
        return None

    @property
    def list_name(self) -> str | None:
        """The official list (``l_...``) the field's values come from, if any."""
        return self.references.split(".")[0] if self.references.startswith("l_") else None

    @property
    def foreign(self) -> tuple[str, str] | None:
        """``(table, field)`` the field references, if it is a foreign key."""
        if self.references.startswith("t_"):
            t, f = self.references.split(".")
            return t, f
        return None


def _resource(name: str) -> list[dict[str, str]]:
    text = resources.files("bthd.resources").joinpath(f"export/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.cache
def fields() -> dict[str, tuple[Field, ...]]:
    """Fields of every delivered table, in the standard's order (geometry excluded)."""
    out: dict[str, list[Field]] = {t: [] for t in TABLES}
    for r in _resource("gracethd_v2_fields.csv"):
        f = Field(r["table"], r["field"], r["type"], r["mandatory"] == "1", r["references"])
        if f.kind != "geometry" and f.table in out:
            out[f.table].append(f)
    return {t: tuple(fs) for t, fs in out.items()}


@functools.cache
def lists() -> dict[str, frozenset[str]]:
    """Codes of every official list the delivered tables use."""
    out: dict[str, set[str]] = {}
    for r in _resource("gracethd_v2_lists.csv"):
        out.setdefault(r["list"], set()).add(r["code"])
    return {k: frozenset(v) for k, v in out.items()}


def field_names(table: str) -> list[str]:
    """Field names of ``table`` in order."""
    return [f.name for f in fields()[table]]
