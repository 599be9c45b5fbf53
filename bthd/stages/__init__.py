"""The main job as stages: one module per stage, registered here, run by :mod:`bthd.pipeline`.

Adding a stage is one module in this package that calls :func:`register`; it is discovered
automatically (every module of the package is imported once). ``bthd stages`` lists them.

See :mod:`bthd.stages._registry` for the declaration rules (needs and provides).
"""

from __future__ import annotations

import importlib
import pkgutil

from bthd.stages._registry import (
    Stage,
    StageContext,
    StageRecord,
    demo_stages,
    describe,
    get,
    providers,
    register,
    resolve,
    run_stages,
    stages,
)

__all__ = [
    "Stage",
    "StageContext",
    "StageRecord",
    "demo_stages",
    "describe",
    "get",
    "providers",
    "register",
    "resolve",
    "run_stages",
    "stages",
]

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if not _mod.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod}")
