"""The part of a run folder an export reads: its manifest and its layers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

from bthd._errors import InputError


@dataclass
class RunLayers:
    """A run folder opened for export: ``path``, ``manifest`` and its layers (read on demand).

    Parameters
    ----------
    path
        The run folder.
    manifest
        Its ``manifest.json``.
    """

    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    @property
    def gpkg(self) -> Path:
        """The run's ``layers.gpkg``."""
        return self.path / "layers.gpkg"

    def layer_names(self) -> list[str]:
        """Names of the run's layers, in the order of the GeoPackage."""
        return [str(name) for name, _ in pyogrio.list_layers(self.gpkg)]

    def has_layer(self, name: str) -> bool:
        """Whether the run has the layer ``name``."""
        return name in self.layer_names()

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """One layer of the run (EPSG:2154), read once."""
        if name not in self._cache:
            if not self.has_layer(name):
                raise InputError(
                    f"{self.gpkg}: the run has no layer {name!r} (it has "
                    f"{', '.join(self.layer_names())}). Run the stage that makes it first "
                    "(`bthd demo` runs the design)."
                )
            self._cache[name] = pyogrio.read_dataframe(self.gpkg, layer=name)
        return self._cache[name].copy()

    @property
    def created(self) -> str:
        """When the run was made (ISO 8601, UTC), the stamp every export of it carries."""
        return str(self.manifest.get("created_utc", "2000-01-01T00:00:00+00:00"))


def load_run(run: str | os.PathLike[str] | Any) -> RunLayers:
    """Open a run folder for export.

    Parameters
    ----------
    run
        A run folder path, a :class:`RunLayers`, or any object with a ``path`` attribute (such as
        :class:`bthd.io.runs.Run`).

    Returns
    -------
    RunLayers

    Raises
    ------
    bthd.InputNotFoundError
        If the folder does not exist.
    bthd.io.runs.RunFolderError
        If it holds no readable ``manifest.json`` or was written in a format this bthd does
        not read.
    bthd.InputError
        If it holds no ``layers.gpkg``.
    """
    if isinstance(run, RunLayers):
        return run
    from bthd.io.runs import open_run

    opened = open_run(Path(getattr(run, "path", run)))  # checks the manifest and its version
    if not (opened.path / "layers.gpkg").is_file():
        raise InputError(
            f"{opened.path}: the run has no layers.gpkg, so nothing to export. "
            "Run the design first (`bthd demo` runs it)."
        )
    return RunLayers(opened.path, dict(opened.manifest))
