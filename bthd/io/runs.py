"""Run folders: where every analysis writes, atomically, with a manifest.

A run folder holds ``manifest.json`` (inputs and their hashes, parameters, package versions),
``layers.gpkg`` and ``tables/*.csv``. It is written into a temporary folder and renamed into
place only when complete; an existing run is never replaced unless ``overwrite=True``.
Tables are written with fixed float formatting and row order so that the same inputs and
parameters give byte-identical tables.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from bthd import __version__
from bthd.io import atomic_dir, write_layers

#: Packages whose versions every manifest records.
TRACKED_PACKAGES = (
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "networkx",
    "numpy",
    "pandas",
    "scipy",
    "osmnx",
    "pandera",
)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python, bthd, GDAL/PROJ and the tracked packages."""
    out = {"python": platform.python_version(), "bthd": __version__}
    for pkg in TRACKED_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "not installed"
    try:
        import pyogrio
        import pyproj

        out["GDAL"] = pyogrio.__gdal_version_string__
        out["PROJ"] = pyproj.proj_version_str
    except ImportError:  # pragma: no cover
        pass
    return out


@dataclass
class RunFolder:
    """A run folder being written (use :func:`run_folder`)."""

    path: Path
    final_path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    def add_input(self, name: str, path: str | os.PathLike[str]) -> None:
        """Record an input file and its hash."""
        self.manifest.setdefault("inputs", {})[name] = {
            "path": str(path),
            "sha256": file_sha256(path),
        }

    def write_layers(
        self, layers: Mapping[str, gpd.GeoDataFrame], name: str = "layers.gpkg"
    ) -> Path:
        """Write layers into the run's GeoPackage."""
        out = write_layers(layers, self.path / name)
        self.manifest.setdefault("outputs", []).append(name)
        return out

    def write_table(self, name: str, df: pd.DataFrame) -> Path:
        """Write a table as ``tables/NAME.csv`` (UTF-8, ``,``, ``.`` decimals, no index)."""
        out = self.path / "tables" / f"{name}.csv"
        out.parent.mkdir(exist_ok=True)
        df.to_csv(out, index=False, lineterminator="\n")
        self.manifest.setdefault("outputs", []).append(f"tables/{name}.csv")
        return out

    def write_parquet(self, name: str, df: pd.DataFrame) -> Path:
        """Write a large table as ``tables/NAME.parquet`` (compressed, typed)."""
        out = self.path / "tables" / f"{name}.parquet"
        out.parent.mkdir(exist_ok=True)
        df.to_parquet(out, index=False)
        self.manifest.setdefault("outputs", []).append(f"tables/{name}.parquet")
        return out

    def write_text(self, name: str, text: str) -> Path:
        out = self.path / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        self.manifest.setdefault("outputs", []).append(name)
        return out


@contextmanager
def run_folder(
    path: str | os.PathLike[str],
    *,
    command: str,
    parameters: Mapping[str, Any],
    overwrite: bool = False,
) -> Iterator[RunFolder]:
    """Open a run folder for writing; it appears at ``path`` only when the block succeeds.

    Parameters
    ----------
    path
        Final folder.
    command
        What produced the run (e.g. ``bthd demo``).
    parameters
        Every parameter of the run (recorded in the manifest).
    overwrite
        Replace an existing folder at ``path`` (once the new run is complete).

    Raises
    ------
    bthd.OutputExistsError
        If ``path`` exists and ``overwrite`` is false; nothing is written.
    """
    final = Path(path)
    with atomic_dir(final, overwrite=overwrite) as tmp:
        rf = RunFolder(
            tmp,
            final,
            {
                "bthd_run": 1,
                "command": command,
                "argv": sys.argv[1:] if "pytest" not in sys.argv[0] else [],
                "parameters": dict(parameters),
                "versions": versions(),
                "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        yield rf
        (tmp / "manifest.json").write_text(
            json.dumps(rf.manifest, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
