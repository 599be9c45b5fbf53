"""Run folders: where every analysis writes, atomically, with a manifest; and how to read one.

A run folder holds ``manifest.json`` (format version, command, parameters, inputs and their
hashes, package versions, the stages that ran with their parameters, time and files, and the
SHA-256 and row count of every file), ``layers.gpkg``, ``tables/*.csv`` (and ``.parquet``)
and whatever later stages add (maps, reports, exports).

* Writing: :func:`run_folder` writes into a temporary folder renamed into place only when
  complete; an existing run is never replaced unless ``overwrite=True``.
* Reading: :func:`open_run` opens a folder into a :class:`Run` (layers and tables on demand),
  checking the manifest's format version.
* Adding: :meth:`Run.add` writes a later stage's files (a map, a report) into an existing run,
  atomically, refusing to replace a file unless asked, and records the stage in the manifest.

Tables are written with fixed float formatting and row order so that the same inputs and
parameters give byte-identical tables.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from bthd import __version__
from bthd._errors import InputError, InputNotFoundError, OutputExistsError
from bthd.io import read, write_layers
from bthd.io._atomic import atomic_dir

#: Format version of the manifests this bthd writes (2: stages and per-file hashes).
FORMAT_VERSION = 2
#: Format versions this bthd reads.
READABLE_VERSIONS = (1, 2)
#: The run's GeoPackage and its tables folder.
LAYERS_FILE = "layers.gpkg"
TABLES_DIR = "tables"

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


class RunFolderError(InputError):
    """A folder is not a run folder, or was written by an incompatible bthd."""


def _rows_of(path: Path) -> int | dict[str, int] | None:
    """Row count of a table, or per layer of a GeoPackage; None for other files."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, "rb") as f:
            return max(sum(1 for _ in f) - 1, 0)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    if suffix == ".gpkg":
        return {
            str(n): int(pyogrio.read_info(path, layer=str(n))["features"])
            for n, _ in pyogrio.list_layers(path)
        }
    return None


def _file_record(root: Path, rel: str) -> dict[str, Any]:
    p = root / rel
    rec: dict[str, Any] = {"sha256": file_sha256(p), "bytes": p.stat().st_size}
    rows = _rows_of(p)
    if isinstance(rows, dict):
        rec["layers"] = rows
    elif rows is not None:
        rec["rows"] = rows
    return rec


@dataclass
class RunFolder:
    """A run folder being written (use :func:`run_folder`, or :meth:`Run.add` for a later stage).

    Every ``write_*`` method records the file it wrote under the current stage (see
    :meth:`stage`); when the folder is closed, the manifest gets each file's SHA-256 and rows.
    """

    path: Path
    final_path: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    _current: dict[str, Any] | None = None

    def _record(self, rel: str) -> None:
        outputs = self.manifest.setdefault("outputs", [])
        if rel not in outputs:
            outputs.append(rel)
        if self._current is not None and rel not in self._current["files"]:
            self._current["files"].append(rel)

    @contextmanager
    def stage(self, name: str, parameters: Mapping[str, Any] | None = None) -> Iterator[None]:
        """Record a stage (its parameters, wall time and the files written inside the block)."""
        entry: dict[str, Any] = {"name": name, "parameters": dict(parameters or {}), "files": []}
        previous, self._current = self._current, entry
        t0 = time.perf_counter()
        try:
            yield
        finally:
            entry["seconds"] = round(time.perf_counter() - t0, 3)
            self._current = previous
        self.manifest.setdefault("stages", []).append(entry)

    def record_stage(
        self,
        name: str,
        parameters: Mapping[str, Any],
        seconds: float,
        files: Sequence[str] = (),
    ) -> None:
        """Record a stage that ran before the folder was opened (its files are added later)."""
        self.manifest.setdefault("stages", []).append(
            {
                "name": name,
                "parameters": dict(parameters),
                "files": list(files),
                "seconds": round(seconds, 3),
            }
        )

    def add_input(self, name: str, path: str | os.PathLike[str]) -> None:
        """Record an input file and its hash."""
        self.manifest.setdefault("inputs", {})[name] = {
            "path": str(path),
            "sha256": file_sha256(path),
        }

    def write_layers(self, layers: Mapping[str, gpd.GeoDataFrame], name: str = LAYERS_FILE) -> Path:
        """Write layers into a GeoPackage of the run (``layers.gpkg`` by default)."""
        out = write_layers(layers, self.path / name)
        self._record(name)
        return out

    def write_table(self, name: str, df: pd.DataFrame) -> Path:
        """Write a table as ``tables/NAME.csv`` (UTF-8, ``,``, ``.`` decimals, no index)."""
        rel = f"{TABLES_DIR}/{name}.csv"
        out = self.path / rel
        out.parent.mkdir(exist_ok=True)
        df.to_csv(out, index=False, lineterminator="\n")
        self._record(rel)
        return out

    def write_parquet(self, name: str, df: pd.DataFrame) -> Path:
        """Write a large table as ``tables/NAME.parquet`` (compressed, typed)."""
        rel = f"{TABLES_DIR}/{name}.parquet"
        out = self.path / rel
        out.parent.mkdir(exist_ok=True)
        df.to_parquet(out, index=False)
        self._record(rel)
        return out

    def write_text(self, name: str, text: str) -> Path:
        """Write a UTF-8 text file (a page, a note) at ``name`` inside the run."""
        out = self.path / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        self._record(name)
        return out

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write a binary file (a PNG, a PDF) at ``name`` inside the run."""
        out = self.path / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        self._record(name)
        return out

    def file(self, name: str) -> Path:
        """A path inside the run for a writer of its own (e.g. a PDF library); recorded."""
        out = self.path / name
        out.parent.mkdir(parents=True, exist_ok=True)
        self._record(name)
        return out

    def _finish(self, root: Path) -> None:
        """Hash every output found under ``root`` into ``manifest['files']``."""
        files = self.manifest.setdefault("files", {})
        for rel in self.manifest.get("outputs", []):
            if (root / rel).is_file():
                files[rel] = _file_record(root, rel)


def _dump(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"


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
        Replace an existing folder at ``path`` (once the new run is complete; if the block
        fails, the previous run is kept as it was).

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
                "bthd_run": FORMAT_VERSION,
                "command": command,
                "argv": sys.argv[1:] if "pytest" not in sys.argv[0] else [],
                "parameters": dict(parameters),
                "versions": versions(),
                "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        yield rf
        rf._finish(tmp)
        (tmp / "manifest.json").write_text(_dump(rf.manifest), encoding="utf-8")


@dataclass
class Run:
    """A run folder opened for reading (use :func:`open_run`).

    Layers and tables are read on demand and cached; ``layer`` returns Lambert-93
    GeoDataFrames, ``table`` DataFrames from ``tables/NAME.csv`` or ``tables/NAME.parquet``.
    """

    path: Path
    manifest: dict[str, Any]
    _layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def layers_path(self) -> Path:
        return self.path / LAYERS_FILE

    @property
    def gpkg(self) -> Path:
        """The run's ``layers.gpkg`` (same as :attr:`layers_path`)."""
        return self.layers_path

    @property
    def created(self) -> str:
        """When the run was made (ISO 8601, UTC): the date its exports carry."""
        return str(self.manifest.get("created_utc", "2000-01-01T00:00:00+00:00"))

    @property
    def version(self) -> int:
        return int(self.manifest.get("bthd_run", 0))

    def layer_names(self) -> list[str]:
        """Names of the layers in ``layers.gpkg`` (empty if the run has none)."""
        if not self.layers_path.is_file():
            return []
        return [str(n) for n, _ in pyogrio.list_layers(self.layers_path)]

    def has_layer(self, name: str) -> bool:
        return name in self.layer_names()

    def layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        geometry: bool = True,
        arrow: bool = False,
    ) -> gpd.GeoDataFrame:
        """One layer of the run's GeoPackage.

        Parameters
        ----------
        name
            Layer name (see :meth:`layer_names`).
        columns
            Only these attribute columns (those the layer lacks are left out); None: all.
        geometry
            Read the geometry (False gives a plain DataFrame, much faster on big layers).
        arrow
            Read through Arrow (about 3 times faster on a million rows; a column with no value
            at all comes as objects rather than floats, text with nulls as strings).
        """
        if columns is not None or not geometry or arrow:
            self._check_layer(name)
            fields = set(pyogrio.read_info(self.layers_path, layer=name)["fields"])
            wanted = [c for c in columns if c in fields] if columns is not None else None
            return pyogrio.read_dataframe(
                self.layers_path,
                layer=name,
                columns=wanted,
                read_geometry=geometry,
                use_arrow=arrow,
            )
        if name not in self._layers:
            self._check_layer(name)
            self._layers[name] = read(self.layers_path, layer=name)
        return self._layers[name].copy()

    def _check_layer(self, name: str) -> None:
        if name not in self._layers:
            names = self.layer_names()
            if name not in names:
                raise RunFolderError(
                    f"{self.layers_path}: no layer {name!r}; the run has "
                    f"{', '.join(names) or 'no layers'}. Fix: run the stage that writes it "
                    "(`bthd stages` says which; `bthd demo` and `bthd design` run the design) "
                    "or choose another run."
                )

    def table_names(self) -> list[str]:
        """Names of the tables in ``tables/`` (CSV and Parquet)."""
        d = self.path / TABLES_DIR
        if not d.is_dir():
            return []
        return sorted(p.stem for p in d.iterdir() if p.suffix in (".csv", ".parquet"))

    def has_table(self, name: str) -> bool:
        return name in self.table_names()

    def table(self, name: str) -> pd.DataFrame:
        """One table of the run (``tables/NAME.csv`` or ``tables/NAME.parquet``)."""
        if name not in self._tables:
            d = self.path / TABLES_DIR
            if (d / f"{name}.parquet").is_file():
                df = pd.read_parquet(d / f"{name}.parquet")
            elif (d / f"{name}.csv").is_file():
                df = pd.read_csv(d / f"{name}.csv", dtype=_TABLE_DTYPES)
            else:
                names = self.table_names()
                raise RunFolderError(
                    f"{d}: no table {name!r}; the run has {', '.join(names) or 'no tables'}. "
                    "Fix: run the stage that writes it (`bthd stages` says which)."
                )
            self._tables[name] = df
        return self._tables[name].copy()

    def stages(self) -> list[str]:
        """Names of the stages recorded in the manifest, in the order they ran."""
        return [s["name"] for s in self.manifest.get("stages", [])]

    def verify(self) -> list[str]:
        """Files whose SHA-256 no longer matches the manifest (empty when the run is intact)."""
        bad = []
        for rel, rec in self.manifest.get("files", {}).items():
            p = self.path / rel
            if not p.is_file() or file_sha256(p) != rec.get("sha256"):
                bad.append(rel)
        return bad

    @contextmanager
    def add(
        self,
        *,
        stage: str,
        parameters: Mapping[str, Any] | None = None,
        overwrite: bool = False,
    ) -> Iterator[RunFolder]:
        """Add a stage's files to this run, atomically.

        The files are written into a temporary folder inside the run and moved into place only
        when the block succeeds; the manifest then gains the stage (parameters, time, files and
        their hashes) and is replaced atomically. A file that exists already is refused unless
        ``overwrite`` (and ``manifest.json``, ``layers.gpkg`` are never replaced this way).
        """
        tmp = Path(tempfile.mkdtemp(prefix=f".add-{stage}.", dir=self.path))
        rf = RunFolder(tmp, self.path, {"outputs": []})
        t0 = time.perf_counter()
        try:
            with rf.stage(stage, parameters):
                yield rf
            written = list(rf.manifest.get("outputs", []))
            protected = {"manifest.json", LAYERS_FILE}
            clash = [r for r in written if r in protected]
            if clash:
                raise OutputExistsError(self.path / clash[0])
            exists = [r for r in written if (self.path / r).exists()]
            if exists and not overwrite:
                raise OutputExistsError(self.path / exists[0])
            rf._finish(tmp)
            for rel in written:
                dest = self.path / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                if dest.is_dir():
                    shutil.rmtree(dest)
                os.replace(tmp / rel, dest)
            manifest = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
            *inner, outer = rf.manifest["stages"]
            outer["seconds"] = round(time.perf_counter() - t0, 3)
            manifest.setdefault("stages", []).extend(inner or [outer])
            manifest.setdefault("outputs", [])
            manifest["outputs"] += [r for r in written if r not in manifest["outputs"]]
            manifest.setdefault("files", {}).update(rf.manifest["files"])
            fd, name = tempfile.mkstemp(prefix=".manifest.", dir=self.path)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(_dump(manifest))
            os.replace(name, self.path / "manifest.json")
            self.manifest = manifest
            self._tables.clear()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


#: Columns read as text whatever they hold (codes with leading zeros).
_TABLE_DTYPES = {
    "insee_code": str,
    "epci_siren": str,
    "departement": str,
    "siren": str,
    "code": str,
}


def open_run(path: str | os.PathLike[str]) -> Run:
    """Open a run folder for reading.

    Raises
    ------
    bthd.InputNotFoundError
        If ``path`` does not exist.
    RunFolderError
        If it has no readable ``manifest.json`` or was written by an incompatible format.
    """
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(p, "run folder")
    mf = p / "manifest.json"
    if not p.is_dir() or not mf.is_file():
        raise RunFolderError(
            f"{p}: not a run folder (no manifest.json). Fix: give a folder written by "
            "`bthd demo`, `bthd design` or another bthd command."
        )
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{mf}: unreadable manifest ({exc}). Fix: run the job again.") from exc
    version = manifest.get("bthd_run") if isinstance(manifest, dict) else None
    if version not in READABLE_VERSIONS:
        wrote = (
            manifest.get("versions", {}).get("bthd", "an unknown version")
            if isinstance(manifest, dict)
            else "an unknown version"
        )
        raise RunFolderError(
            f"{p}: run folder format {version!r}, written by bthd {wrote}; this bthd "
            f"({__version__}) reads formats {', '.join(map(str, READABLE_VERSIONS))}. Fix: "
            "open it with the bthd that wrote it, or run the job again with this one."
        )
    return Run(p, manifest)
