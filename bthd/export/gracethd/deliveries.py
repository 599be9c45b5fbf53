"""GraceTHD deliveries of either version: write one, tell its version, find, check and read them.

* :func:`write_version` writes the v2.0.1 or v3.0.1 delivery of a run;
* :func:`detect_version` tells a delivery's version from its tables (v3 has ``t_site`` and
  ``t_local``; v2 has ``t_sitetech``, ``t_ltech`` and ``t_suf``);
* :func:`find_deliveries` finds the deliveries in a folder: the folder itself, or the
  deliveries one level below it (an export folder holds ``gracethd-v2.0.1/`` and
  ``gracethd-v3.0.1/``);
* :func:`check_delivery_any` and :func:`read_delivery_any` run the checker or the reader of the
  delivery's version.

Not for: the tables of either version (:mod:`bthd.export.gracethd`,
:mod:`bthd.export.gracethd.v3`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bthd._errors import InputError, InputNotFoundError

#: Tables only a v3.0.1 delivery has, and tables only a v2.0.1 delivery has.
V3_ONLY = ("t_site", "t_local")
V2_ONLY = ("t_sitetech", "t_ltech", "t_suf")


def _tables_in(folder: Path) -> set[str]:
    return {
        p.stem
        for p in folder.iterdir()
        if p.is_file() and p.stem.startswith("t_") and p.suffix.lower() in (".shp", ".csv")
    }


def detect_version(folder: str | os.PathLike[str]) -> str:
    """``"2.0.1"`` or ``"3.0.1"``, from the tables present in a delivery folder.

    Raises
    ------
    bthd.InputNotFoundError
        If the folder does not exist.
    bthd.InputError
        If the folder holds no GraceTHD table, or tables of both versions.
    """
    path = Path(folder)
    if not path.is_dir():
        raise InputNotFoundError(path, "GraceTHD delivery")
    tables = _tables_in(path)
    v3 = [t for t in V3_ONLY if t in tables]
    v2 = [t for t in V2_ONLY if t in tables]
    if v3 and v2:
        raise InputError(
            f"{path}: tables of GraceTHD v3 ({', '.join(v3)}) and v2 ({', '.join(v2)}) in one "
            "folder; deliver each version in its own folder."
        )
    if v3:
        return "3.0.1"
    if v2 or tables:
        return "2.0.1"
    found = ", ".join(sorted(p.name for p in path.iterdir())[:10]) or "nothing"
    raise InputError(
        f"{path}: no GraceTHD table (t_*.shp or t_*.csv) found (it holds {found}). Give the "
        "delivery folder, or an export folder holding gracethd-v2.0.1/ or gracethd-v3.0.1/."
    )


def find_deliveries(folder: str | os.PathLike[str]) -> list[tuple[Path, str]]:
    """The deliveries in ``folder`` and their versions: itself, else its subfolders that are.

    Raises
    ------
    bthd.InputNotFoundError
        If the folder does not exist.
    bthd.InputError
        If neither the folder nor any subfolder holds a GraceTHD table.
    """
    path = Path(folder)
    if not path.is_dir():
        raise InputNotFoundError(path, "GraceTHD delivery")
    if _tables_in(path):
        return [(path, detect_version(path))]
    found = [
        (sub, detect_version(sub))
        for sub in sorted(p for p in path.iterdir() if p.is_dir())
        if _tables_in(sub)
    ]
    if not found:
        detect_version(path)  # raises, naming what the folder holds
    return found


def one_delivery(folder: str | os.PathLike[str]) -> tuple[Path, str]:
    """The single delivery in ``folder`` (itself, or its only delivery subfolder).

    Raises
    ------
    bthd.InputError
        If the folder holds several deliveries (each is named) or none.
    """
    found = find_deliveries(folder)
    if len(found) > 1:
        names = ", ".join(f"{p.name} (v{v})" for p, v in found)
        raise InputError(f"{folder}: several GraceTHD deliveries ({names}); give one of them.")
    return found[0]


def write_version(run: Any, folder: str | os.PathLike[str], version: str) -> list[Path]:
    """Write the GraceTHD ``version`` delivery of a run into a new ``folder``."""
    if version == "3.0.1":
        from bthd.export.gracethd.v3 import write_delivery as write_v3

        return write_v3(run, folder)
    from bthd.export.gracethd import write_delivery

    return write_delivery(run, folder)


def check_delivery_any(folder: str | os.PathLike[str], container: str = "C2") -> Any:
    """Check a delivery with the checker of its version (v3 in ``container``).

    ``folder`` is a delivery, or a folder holding exactly one (an export folder).

    Returns
    -------
    bthd.export.gracethd.findings.CheckReport
    """
    path, version = one_delivery(folder)
    if version == "3.0.1":
        from bthd.export.gracethd.v3.check import check_delivery_v3

        return check_delivery_v3(path, container=container)
    from bthd.export.gracethd.check import check_delivery

    return check_delivery(path)


def read_delivery_any(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a delivery of either version into bthd's layers (premises, sites, links, zones).

    ``folder`` is a delivery, or a folder holding exactly one (an export folder).
    """
    path, version = one_delivery(folder)
    if version == "3.0.1":
        from bthd.export.gracethd.v3.read import read_delivery_v3

        return read_delivery_v3(path)
    from bthd.export.gracethd.read import read_delivery

    return read_delivery(path)
