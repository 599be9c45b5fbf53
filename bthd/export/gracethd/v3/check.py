"""Check a GraceTHD v3.0.1 delivery read back from its files, and list every problem.

The checker reads the Shapefiles with GDAL (pyogrio) and the CSV files as text split on ``;``
(:mod:`bthd.export.gracethd._files`), as a receiving tool would, then runs, for one container
(C2, engineering and design, by default):

* the delivery rules bthd's v2 checker applies: CSV with ``;``, a header line, UTF-8, no text
  delimiters; Shapefiles with a ``.cpg``, in EPSG:2154, of the table's geometry type, with
  valid geometries (``bthd_geom``); fields unknown to the suite or missing (``bthd_fields``);
* every control of the suite dbt-grace-thd that applies in the container, with the suite's
  ids: presence (``ctrl_pt``), fill (``ctrl_rem``), uniqueness (``ctrl_uc``), foreign keys
  (``ctrl_fk``), list values (``ctrl_lv``) and types (``ctrl_type``)
  (:mod:`.rules_generic`); conditional fills (``ctrl_rc``, :mod:`.rules_cond`, which lists
  the rules whose condition cannot be decided from the data); topology ``topo_0001..0013``
  (:mod:`.rules_topo`) and business rules ``metier_0001..0020`` (:mod:`.rules_metier`);
* what the suite does not check: primary keys filled and unique (``bthd_pk``), every cable's
  two end nodes given and in t_noeud (``bthd_cable_nodes``), FTTH locals with their PBO
  (``bthd_local_pbo``) and the locals of one address in one ZSRO (``bthd_address_zsro``).

:func:`bthd.export.gracethd.deliveries.detect_version` tells a delivery's version.

Not for: v2.0.1 deliveries (:mod:`bthd.export.gracethd.check`), repairing a delivery.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bthd._errors import ParameterError
from bthd.export.gracethd._files import read_all, resolve
from bthd.export.gracethd.findings import CheckReport, Finding
from bthd.export.gracethd.v3 import rules_generic as g
from bthd.export.gracethd.v3 import schema as s
from bthd.export.gracethd.v3._rows import clear_cache
from bthd.export.gracethd.v3.rules_cond import check_conditional, not_checked
from bthd.export.gracethd.v3.rules_metier import check_metier
from bthd.export.gracethd.v3.rules_topo import check_topology, forget

log = logging.getLogger(__name__)

#: Tables only a v3.0.1 delivery has, and tables only a v2.0.1 delivery has.
V3_TABLES = ("t_site", "t_local")
V2_TABLES = ("t_sitetech", "t_ltech", "t_suf")


@dataclass
class CheckReportV3(CheckReport):
    """A :class:`CheckReport` of a v3 delivery, naming the conditional rules not checked."""

    container: str = s.CONTAINER
    #: Conditional fill rules of the container not checked: (id, table, field, reason).
    not_checked: list[tuple[str, str, str, str]] = field(default_factory=list)

    def format(self) -> str:
        """The report of :class:`CheckReport`, then the rules not checked and why."""
        text = super().format()
        if self.not_checked:
            names = ", ".join(f"{t}.{f}" for _i, t, f, _w in self.not_checked)
            text += (
                f"\n  not checked: {len(self.not_checked)} conditional fill rules of container "
                f"{self.container} whose condition depends on a contract or on facts no table "
                f"holds ({names}); see bthd.export.gracethd.v3.rules_cond.NOT_CHECKED"
            )
        return text


def _kinds() -> dict[str, dict[str, str]]:
    return {t: {f.name: f.kind for f in fs} for t, fs in s.fields().items()}


def read_tables_v3(folder: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], Path]:
    """The tables of a v3 delivery as text (GeoDataFrames for the spatial ones), and its folder.

    Values are read as a receiving tool reads them, nulls as ``""``; file problems are not
    reported (:func:`check_delivery_v3` does that).
    """
    path = resolve(Path(folder), s.TABLES)
    tables = read_all(path, s.TABLES, s.SPATIAL, _kinds(), [], optional=s.TABLES, as_object=False)
    return tables, path


def check_delivery_v3(
    folder: str | os.PathLike[str], container: str = s.CONTAINER
) -> CheckReportV3:
    """Read a GraceTHD v3.0.1 delivery back from its files and check it in ``container``.

    Parameters
    ----------
    folder
        The delivery folder (Shapefiles and CSV files), or an export folder holding it in
        ``gracethd/``.
    container
        ``C1``..``C4``: the stage whose controls to run (C2, design, by default).

    Returns
    -------
    CheckReportV3
        Every finding (``report.ok`` is true when there is no error), the rows read per
        table, and the conditional rules not checkable from the data (``not_checked``).

    Raises
    ------
    bthd.InputNotFoundError
        If the folder does not exist.
    bthd.ParameterError
        If ``container`` is not C1..C4.
    """
    container = container.upper()
    tables: dict[str, pd.DataFrame] = {}
    try:
        return _check(folder, container, tables)
    finally:
        clear_cache()
        forget(tables)


def _check(
    folder: str | os.PathLike[str], container: str, tables: dict[str, pd.DataFrame]
) -> CheckReportV3:
    if container not in s.CONTAINERS:
        raise ParameterError(
            f"unknown GraceTHD v3 container {container!r}: use one of {', '.join(s.CONTAINERS)}"
        )
    path = resolve(Path(folder), s.TABLES)
    report = CheckReportV3(path, version=f"{s.VERSION} (container {container})")
    report.container = container
    out = report.findings
    tables.update(
        read_all(path, s.TABLES, s.SPATIAL, _kinds(), out, optional=s.TABLES, as_object=False)
    )
    report.rows = {t: len(df) for t, df in tables.items()}
    _absent(path, tables, container, out)
    g.fields_known(tables, out)
    g.presence(tables, container, out)
    g.remplissage(tables, container, out)
    g.unicite(tables, out)
    g.foreign_keys(tables, out)
    g.listes(tables, out)
    g.types(tables, out)
    g.primary_keys(tables, out)
    g.cable_nodes(tables, out)
    g.geometries(tables, out)
    check_conditional(tables, container, out)
    check_topology(tables, {r["id_test"] for r in s.switched_on("topo", container)}, out)
    check_metier(tables, {r["id_test"] for r in s.switched_on("metier", container)}, out)
    report.not_checked = not_checked(container)
    log.info("checked %s: %d findings", path, len(out))
    return report


def _absent(
    path: Path, tables: dict[str, pd.DataFrame], container: str, out: list[Finding]
) -> None:
    """Tables of the suite not delivered although not mandatory: a warning (v3 names 24)."""
    required = s.required_tables(container)
    for t in s.TABLES:
        if t in tables or required.get(t) == "O":
            continue  # an absent mandatory table is ctrl_pt's
        if (path / f"{t}.csv").exists() or (path / f"{t}.shp").exists():
            continue  # in the wrong format or unreadable: reported when read
        out.append(
            Finding(
                "bthd_table",
                t,
                f"not delivered (allowed in container {container}; a bthd delivery holds "
                "all 24 tables of the suite, empty when they have no rows)",
                fix="deliver the table, with its header only when it has no rows",
                severity="warning",
            )
        )


__all__ = ["CheckReportV3", "check_delivery_v3", "read_tables_v3"]
