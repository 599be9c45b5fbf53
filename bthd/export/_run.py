"""Opening a run folder for export: :func:`bthd.io.runs.open_run`, and a check that it has
layers to export."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bthd._errors import InputError
from bthd.io.runs import Run, open_run

#: A run opened for export is a :class:`bthd.io.runs.Run` (kept as a name for readability).
RunLayers = Run


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
    if isinstance(run, Run):
        return run
    opened = open_run(Path(getattr(run, "path", run)))  # checks the manifest and its version
    if not (opened.path / "layers.gpkg").is_file():
        raise InputError(
            f"{opened.path}: the run has no layers.gpkg, so nothing to export. "
            "Run the design first (`bthd demo` runs it)."
        )
    return opened
