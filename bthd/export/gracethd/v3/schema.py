"""The GraceTHD v3.0.1 tables bthd delivers, as the open control suite dbt-grace-thd defines them.

The official v3.0.1 schema is not available offline; the tables, fields, types, lists and
controls here are those of the suite's parameter files (``bthd/resources/export/gracethd_v3``,
MIT, digi-studio for Gironde Numérique), read as shipped:

* ``param_ctrl_remplissage.csv``: the 24 tables and their fields (the suite builds its source
  schema from it), and which must be filled in each container C1-C4;
* ``param_ctrl_type.csv``: the PostgreSQL type of each field;
* ``param_ctrl_presence_table.csv``: the tables each container must hold, and their keys;
* ``param_ctrl_fk.csv``, ``param_ctrl_unicite.csv``, ``param_ctrl_liste_valeur.csv``: foreign
  keys, unique fields, list-valued fields (``listes/*.csv``);
* ``param_ctrl_remplissage_cond.csv``, ``param_ctrl_topo.csv``, ``param_ctrl_metier.csv``: the
  conditional fill rules, topology and business rules, with their switches per container.

Not for: GraceTHD v2.0.1 (:mod:`bthd.export.gracethd.schema`).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

VERSION = "3.0.1"
#: The container a design tool delivers: C2, engineering and design (ingénierie et conception).
CONTAINER = "C2"
CONTAINERS = ("C1", "C2", "C3", "C4")
#: Status of every object of a design delivery (l_statut: AVANT-PROJET).
STATUT = "AVP"
#: Tables in dependency order (referenced tables first): the 24 tables of the suite.
TABLES = (
    "t_organisme",
    "t_reference",
    "t_adresse",
    "t_noeud",
    "t_site",
    "t_local",
    "t_baie",
    "t_tiroir",
    "t_pointaccueil",
    "t_point_leve",
    "t_ptech",
    "t_tranchee",
    "t_znro",
    "t_zsro",
    "t_zdep",
    "t_ebp",
    "t_cassette",
    "t_cheminement",
    "t_cable",
    "t_cableline",
    "t_cab_chem",
    "t_fibre",
    "t_position",
    "t_love",
)
#: Spatial tables (delivered as Shapefile, like v2) and their geometry type; the others are CSV.
SPATIAL = {
    "t_adresse": "Point",
    "t_noeud": "Point",
    "t_pointaccueil": "Point",
    "t_point_leve": "Point",
    "t_tranchee": "LineString",
    "t_cheminement": "LineString",
    "t_cableline": "LineString",
    "t_znro": "MultiPolygon",
    "t_zsro": "MultiPolygon",
    "t_zdep": "MultiPolygon",
}
#: Delivery encodings, as for v2 (CSV in UTF-8; Shapefile text in Windows-1252, in the .cpg).
CSV_ENCODING = "utf-8"
SHP_ENCODING = "cp1252"
_ROOT = "export/gracethd_v3"


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("bthd.resources").joinpath(f"{_ROOT}/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text.replace("\r\n", "\n"))))


def _on(value: str) -> bool:
    return value.strip().lower() == "true"


@dataclass(frozen=True)
class Field:
    """One field of a v3 table.

    Parameters
    ----------
    table, name
        Table and field name (``geom`` is the geometry, not listed here).
    pg_type
        Type of the suite: ``varchar``, ``integer``, ``bigint``, ``numeric`` or ``date``.
    fill
        Fill rule per container (``{"C1": "O", "C2": "C", ...}``: O obligatoire, C
        conditionnel, N non requis) as the suite's ``param_ctrl_remplissage.csv`` gives it.
    active
        Whether the suite runs the fill control of this field.
    references
        ``t_table.field`` of a foreign key or ``l_list`` of a list, or empty.
    """

    table: str
    name: str
    pg_type: str
    fill: dict[str, str]
    active: bool
    references: str

    @property
    def kind(self) -> str:
        """``text``, ``int``, ``float`` or ``date`` (the writer's formatting)."""
        return {"integer": "int", "bigint": "int", "numeric": "float", "date": "date"}.get(
            self.pg_type, "text"
        )

    def mandatory(self, container: str = CONTAINER) -> bool:
        """Whether the suite's fill control requires the field in ``container`` (O, active)."""
        return self.active and self.fill.get(container) == "O"

    @property
    def list_name(self) -> str | None:
        """The list (``l_...``) the field's values come from, if any."""
        return self.references if self.references.startswith("l_") else None

    @property
    def foreign(self) -> tuple[str, str] | None:
        """``(table, field)`` the field references, if it is a foreign key."""
        if self.references.startswith("t_"):
            t, f = self.references.split(".")
            return t, f
        return None


@functools.cache
def controls(kind: str) -> tuple[dict[str, str], ...]:
    """The rows of one parameter file of the suite (``fk``, ``unicite``, ``remplissage``...)."""
    return tuple(_read(f"controls/param_ctrl_{kind}.csv"))


@functools.cache
def fields() -> dict[str, tuple[Field, ...]]:
    """Fields of every table (geometry excluded), in the suite's order."""
    types = {(r["classe"], r["attribut"]): r["type_cible"] for r in controls("type")}
    refs: dict[tuple[str, str], str] = {}
    for r in controls("fk"):
        refs[(r["classe"], r["attribut"])] = f"{r['classe_cible']}.{r['attribut_cible']}"
    for r in controls("liste_valeur"):
        refs[(r["classe"], r["attribut"])] = r["table_liste"]
    out: dict[str, list[Field]] = {t: [] for t in TABLES}
    for r in controls("remplissage"):
        table, name = r["classe"], r["attribut"]
        if name == "geom" or table not in out:
            continue
        out[table].append(
            Field(
                table,
                name,
                types.get((table, name), "varchar"),
                {c: r[f"conteneur_{c.lower()}"] for c in CONTAINERS},
                _on(r["actif"]),
                refs.get((table, name), ""),
            )
        )
    return {t: tuple(fs) for t, fs in out.items()}


def field_names(table: str) -> list[str]:
    """Field names of ``table`` in order (without ``geom``)."""
    return [f.name for f in fields()[table]]


@functools.cache
def geometry_required() -> dict[str, dict[str, str]]:
    """The fill rule of ``geom`` per spatial table and container."""
    return {
        r["classe"]: {c: r[f"conteneur_{c.lower()}"] for c in CONTAINERS}
        for r in controls("remplissage")
        if r["attribut"] == "geom"
    }


@functools.cache
def primary_keys() -> dict[str, tuple[str, ...]]:
    """The identifier column(s) of each table.

    The suite names ``cc_code`` for ``t_cab_chem``, a field it does not define; a cable's
    passage in a path is identified by ``cc_cb_code`` and ``cc_cm_code`` together.
    """
    keys: dict[str, tuple[str, ...]] = {
        r["classe"]: (r["cle_primaire"],) for r in controls("presence_table")
    }
    keys["t_cab_chem"] = ("cc_cb_code", "cc_cm_code")
    return keys


@functools.cache
def required_tables(container: str = CONTAINER) -> dict[str, str]:
    """Tables a ``container`` delivery must hold (``O``) or may need (``C``): table → rule."""
    return {
        r["classe"]: r[f"conteneur_{container.lower()}"]
        for r in controls("presence_table")
        if _on(r["actif"]) and r[f"conteneur_{container.lower()}"] in ("O", "C")
    }


@functools.cache
def lists() -> dict[str, frozenset[str]]:
    """Codes of every list of the suite (``listes/l_*.csv``, column ``code``)."""
    folder = resources.files("bthd.resources").joinpath(f"{_ROOT}/listes")
    out: dict[str, frozenset[str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".csv"):
            rows = csv.DictReader(io.StringIO(entry.read_text("utf-8").replace("\r\n", "\n")))
            out[entry.name[:-4]] = frozenset(r["code"] for r in rows)
    return out


def switched_on(kind: str, container: str = CONTAINER) -> tuple[dict[str, str], ...]:
    """Rules of ``topo`` or ``metier`` that the suite runs in ``container``."""
    col = f"conteneur_{container.lower()}"
    return tuple(r for r in controls(kind) if _on(r["actif"]) and r[col] == "O")
