"""The part of a run folder an export reads: its manifest and its layers."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

from bthd._errors import InputError, InputNotFoundError


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
    bthd.InputError
        If it holds no ``manifest.json`` or no ``layers.gpkg``.
    """
    if isinstance(run, RunLayers):
        return run
    path = Path(getattr(run, "path", run))
    if not path.exists():
        raise InputNotFoundError(path, "run folder")
    missing = [n for n in ("manifest.json", "layers.gpkg") if not (path / n).is_file()]
    if missing:
        raise InputError(
            f"{path}: not a bthd run folder ({' and '.join(missing)} missing). "
            "Give the folder written by `bthd demo` (or `bthd design`)."
        )
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path / 'manifest.json'}: unreadable ({exc}); the run folder is damaged, "
            "write it again."
        ) from exc
    if not isinstance(manifest, dict) or "bthd_run" not in manifest:
        raise InputError(
            f"{path / 'manifest.json'}: not a bthd manifest (no `bthd_run` key). "
            "Give the folder written by `bthd demo`."
        )
    return RunLayers(path, manifest)
