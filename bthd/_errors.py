"""Exceptions raised by bthd.

Every error subclasses a builtin (``ValueError``, ``FileNotFoundError``...) so that callers who
do not know bthd can still catch it, and every message says which input, what is wrong and what
to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    what
        Short description of the problem ("duplicated id", "missing column").
    rows
        Identifiers (ids or row positions) of the affected rows; empty for a problem of the
        whole layer (a missing column, a missing CRS).
    fix
        What the user can do about it.
    """

    what: str
    rows: tuple[str, ...] = field(default_factory=tuple)
    fix: str = ""

    def format(self, max_rows: int = 10) -> str:
        text = self.what
        if self.rows:
            shown = ", ".join(self.rows[:max_rows])
            more = f" and {len(self.rows) - max_rows} more" if len(self.rows) > max_rows else ""
            text += f" ({len(self.rows)} row{'s' if len(self.rows) > 1 else ''}: {shown}{more})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class BthdError(Exception):
    """Base class of bthd's own errors."""


class ValidationError(BthdError, ValueError):
    """An input layer breaks its schema; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: Sequence[Problem], kind: str = "") -> None:
        self.source = source
        self.kind = kind
        self.problems = list(problems)
        head = f"{source}: {len(self.problems)} problem{'s' if len(self.problems) > 1 else ''}"
        if kind:
            head += f" in the {kind} layer"
        body = "\n".join(f"  - {p.format()}" for p in self.problems)
        super().__init__(f"{head}:\n{body}")


class InputError(BthdError, ValueError):
    """An input cannot be read at all (unknown format, truncated file, unknown encoding)."""


class ParameterError(BthdError, ValueError):
    """A parameter has a value outside what is allowed (an unknown year, code or option)."""


class InputNotFoundError(BthdError, FileNotFoundError):
    """An input path does not exist."""

    def __init__(self, path: object, what: str = "input") -> None:
        super().__init__(f"{path}: {what} not found. Check the path (it is relative to {_cwd()}).")


class OutputExistsError(BthdError, FileExistsError):
    """An output exists already and overwriting was not asked for."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path}: exists already; nothing was written. "
            "Choose another output or pass overwrite=True (--overwrite on the command line)."
        )


class CRSError(BthdError, ValueError):
    """A layer has no CRS, or CRSs are mixed."""


class OptionalDependencyError(BthdError, ImportError):
    """An optional dependency is missing."""


def _cwd() -> str:
    import os

    return os.getcwd()


def join_ids(ids: Iterable[object]) -> tuple[str, ...]:
    """Identifiers as a tuple of strings, in order, for :class:`Problem`."""
    return tuple(str(i) for i in ids)
