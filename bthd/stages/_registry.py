"""The stage registry: named units of work with declared inputs and outputs.

A stage is a function of a :class:`StageContext` plus a declaration: what it ``needs`` and what
it ``provides``, as keys of three kinds:

* ``layer:NAME`` — a layer of the run's GeoPackage (``layer:premises``);
* ``table:NAME`` — a table of the run (``table:design_cost_by_pm``);
* ``file:NAME`` — another file of the run folder (``file:map.html``);
* ``artifact:NAME`` — an in-memory object handed from stage to stage (``artifact:design``).

:func:`resolve` orders the stages asked for, adding the stages they need (a stage is placed after
every stage providing one of its needs; ties keep :attr:`Stage.order`). A stage whose needs are
only layers and tables can run on an existing run folder: the context reads them from the folder.

Not for: the stages themselves (one module each beside this one) or writing the run folder
(:mod:`bthd.pipeline`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from bthd._errors import ParameterError
from bthd.i18n import did_you_mean

if TYPE_CHECKING:
    from bthd.io.runs import Run

KINDS = ("layer", "table", "file", "artifact")


@dataclass(frozen=True)
class Stage:
    """A named unit of work of the main job.

    Attributes
    ----------
    name
        Unique name (also the name users give on the command line).
    run
        ``run(ctx)``: reads its needs from the context and adds its outputs to it.
    needs, provides
        Keys ``layer:NAME``, ``table:NAME`` or ``artifact:NAME``.
    order
        Position among stages with no dependency between them (smaller first).
    description
        One line for ``bthd stages``.
    optional_needs
        Keys used when present (e.g. a plan's schedule) but not required.
    demo
        Part of the main job (``bthd demo`` runs every such stage).
    """

    name: str
    run: Callable[[StageContext], None]
    needs: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    order: float = 100.0
    description: str = ""
    optional_needs: tuple[str, ...] = ()
    demo: bool = True

    def __post_init__(self) -> None:
        for key in (*self.needs, *self.provides, *self.optional_needs):
            kind, _, name = key.partition(":")
            if kind not in KINDS or not name:
                raise ValueError(
                    f"stage {self.name!r}: key {key!r} must be 'layer:NAME', 'table:NAME', "
                    "'file:NAME' or 'artifact:NAME'"
                )

    @property
    def runs_on_folder(self) -> bool:
        """True when every need is a layer, a table or a file (readable from a run folder)."""
        return all(not k.startswith("artifact:") for k in self.needs)


_STAGES: dict[str, Stage] = {}


def register(stage: Stage) -> Stage:
    """Add a stage to the registry (its name must be new)."""
    if stage.name in _STAGES and _STAGES[stage.name] is not stage:
        raise ValueError(f"a stage named {stage.name!r} is registered already")
    _STAGES[stage.name] = stage
    return stage


def stages() -> dict[str, Stage]:
    """The registered stages by name, in their default order."""
    return dict(sorted(_STAGES.items(), key=lambda kv: (kv[1].order, kv[0])))


def demo_stages() -> list[str]:
    """Names of the stages of the main job (``bthd demo``), in default order."""
    return [n for n, s in stages().items() if s.demo]


def get(name: str) -> Stage:
    """A registered stage by name (an unknown name lists the known ones)."""
    if name not in _STAGES:
        close = did_you_mean(name, _STAGES, most=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ParameterError(f"unknown stage {name!r}.{hint} Known stages: {', '.join(stages())}.")
    return _STAGES[name]


def providers(key: str) -> list[Stage]:
    """Stages providing ``key``, in default order."""
    return [s for s in stages().values() if key in s.provides]


def resolve(names: Iterable[str], *, available: Iterable[str] = ()) -> list[Stage]:
    """The stages to run for ``names``, with the stages they need, in dependency order.

    Parameters
    ----------
    names
        Stages asked for.
    available
        Keys already available (e.g. what a run folder holds): their providers are not added.

    Raises
    ------
    bthd.ParameterError
        For an unknown stage, or a need that no stage provides and is not available.
    """
    have = set(available)
    chosen: dict[str, Stage] = {}
    missing: list[str] = []

    def add(stage: Stage) -> None:
        if stage.name in chosen:
            return
        chosen[stage.name] = stage
        for key in stage.needs:
            if key in have:
                continue
            prov = [p for p in providers(key) if p.name != stage.name]
            if not prov:
                missing.append(f"{stage.name} needs {key}, which no stage provides")
                continue
            if not any(p.name in chosen for p in prov):
                add(prov[0])

    for n in names:
        add(get(n))
    if missing:
        raise ParameterError("; ".join(missing))
    return _toposort(list(chosen.values()))


def _toposort(chosen: list[Stage]) -> list[Stage]:
    by_name = {s.name: s for s in chosen}
    deps: dict[str, set[str]] = {}
    for s in chosen:
        keys = (*s.needs, *s.optional_needs)
        # a stage depends on the stages that create what it needs; a stage that needs and
        # provides the same key (adds columns to a layer) is not waited for by the others
        deps[s.name] = {
            p.name
            for p in chosen
            if p.name != s.name and any(k in p.provides and k not in p.needs for k in keys)
        }
    out: list[Stage] = []
    done: set[str] = set()
    while len(out) < len(chosen):
        ready = [by_name[n] for n in deps if n not in done and deps[n] <= done]
        if not ready:
            cycle = sorted(n for n in deps if n not in done)
            raise ValueError(f"stages {cycle} depend on each other")
        nxt = min(ready, key=lambda s: (s.order, s.name))
        out.append(nxt)
        done.add(nxt.name)
    return out


@dataclass
class StageRecord:
    """What one stage did: its parameters, time and the keys it added."""

    name: str
    parameters: dict[str, Any]
    seconds: float
    added: list[str]


@dataclass
class StageContext:
    """What stages read and write: layers, tables and artifacts, optionally over a run folder.

    Attributes
    ----------
    parameters
        Parameters of the whole run (``seed``, ``scope``...).
    options
        Options per stage name (``options["design"] = {"within": "epci"}``).
    source
        A run folder to read missing layers and tables from (``bthd <command> RUN``).
    """

    parameters: dict[str, Any] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: Run | None = None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    parquet: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    records: list[StageRecord] = field(default_factory=list)
    _stage: str = ""
    _added: list[str] = field(default_factory=list)

    # -- reading -----------------------------------------------------------------------------
    @property
    def seed(self) -> int:
        return int(self.parameters["seed"])

    @property
    def stage_options(self) -> dict[str, Any]:
        """Options of the stage running now."""
        return dict(self.options.get(self._stage, {}))

    def has(self, key: str) -> bool:
        """True when ``key`` is in memory or readable from the source run folder."""
        kind, _, name = key.partition(":")
        if kind == "layer":
            return name in self.layers or (self.source is not None and self.source.has_layer(name))
        if kind == "table":
            return (
                name in self.tables
                or name in self.parquet
                or (self.source is not None and self.source.has_table(name))
            )
        if kind == "file":
            return name in self.files or (
                self.source is not None and (self.source.path / name).is_file()
            )
        return name in self.artifacts

    def file(self, name: str) -> bytes:
        """A file of the run: in memory, else from the source run folder."""
        if name not in self.files and self.source is not None:
            return (self.source.path / name).read_bytes()
        return self.files[name]

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """A layer: in memory, else from the source run folder."""
        if name not in self.layers and self.source is not None:
            self.layers[name] = self.source.layer(name)
            self._loaded.add(f"layer:{name}")
        return self.layers[name]

    def table(self, name: str) -> pd.DataFrame:
        """A table (CSV or Parquet): in memory, else from the source run folder."""
        if name in self.tables:
            return self.tables[name]
        if name in self.parquet:
            return self.parquet[name]
        if self.source is not None:
            df = self.source.table(name)
            self._loaded.add(f"table:{name}")
            self.tables[name] = df
            return df
        raise KeyError(f"table {name!r}")

    def get(self, name: str) -> Any:
        """An artifact handed over by an earlier stage."""
        return self.artifacts[name]

    # -- writing -----------------------------------------------------------------------------
    def add_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None:
        self.layers[name] = gdf
        self._mark(f"layer:{name}")

    def add_table(self, name: str, df: pd.DataFrame) -> None:
        self.tables[name] = df
        self._mark(f"table:{name}")

    def add_parquet(self, name: str, df: pd.DataFrame) -> None:
        """A large table, written as Parquet."""
        self.parquet[name] = df
        self._mark(f"table:{name}")

    def add_file(self, name: str, data: bytes) -> None:
        """A file for the run folder (a page, a picture), at ``name`` relative to the run."""
        self.files[name] = data
        self._mark(f"file:{name}")

    def put(self, name: str, obj: Any) -> None:
        """Hand an in-memory object to later stages."""
        self.artifacts[name] = obj
        self._mark(f"artifact:{name}")

    def note(self, text: str) -> None:
        """A line for the run's SOURCES.txt (credits, what is synthetic)."""
        if text not in self.notes:
            self.notes.append(text)

    def _mark(self, key: str) -> None:
        self._loaded.discard(key)
        if key not in self._added:
            self._added.append(key)

    def __post_init__(self) -> None:
        self._loaded: set[str] = set()

    def added_keys(self) -> list[str]:
        """Keys added by the stages run so far (not those read from the source folder)."""
        return [k for r in self.records for k in r.added]


def run_stages(
    ctx: StageContext,
    plan: Sequence[Stage],
    *,
    on_stage: Callable[[str], None] | None = None,
) -> StageContext:
    """Run ``plan`` (from :func:`resolve`) in order on ``ctx``, recording each stage.

    Raises
    ------
    bthd.ParameterError
        Before anything runs, when a stage needs a key no earlier stage provides and the context
        (or its run folder) does not hold; the message names the stage and the missing keys.
    """
    provided: set[str] = set()
    problems = []
    for s in plan:
        lacking = [k for k in s.needs if k not in provided and not ctx.has(k)]
        if lacking:
            hint = "; ".join(
                f"{k} comes from stage {', '.join(p.name for p in providers(k)) or '(none)'}"
                for k in lacking
            )
            problems.append(f"stage {s.name!r} lacks {', '.join(lacking)} ({hint})")
        provided.update(s.provides)
    if problems:
        raise ParameterError(
            "cannot run the stages: " + "; ".join(problems) + ". Fix: run those stages too, "
            "or give a run folder that holds their outputs."
        )
    for s in plan:
        if on_stage is not None:
            on_stage(s.name)
        ctx._stage, ctx._added = s.name, []
        t0 = time.perf_counter()
        s.run(ctx)
        ctx.records.append(
            StageRecord(s.name, ctx.stage_options, time.perf_counter() - t0, list(ctx._added))
        )
        ctx._stage, ctx._added = "", []
    return ctx


def describe(stage: Stage) -> Mapping[str, Any]:
    """A stage's declaration as a plain mapping (for ``bthd stages`` and the manifest)."""
    return {
        "name": stage.name,
        "description": stage.description,
        "needs": list(stage.needs),
        "provides": list(stage.provides),
        "runs_on_folder": stage.runs_on_folder,
    }
