"""Shared plumbing of the commands: error reporting, consoles, progress, tables."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bthd._errors import BthdError

P = ParamSpec("P")
R = TypeVar("R")

# rich falls back to 80 columns when output is not a terminal; tables need more
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)

#: Exit code of a command whose input was rejected.
EXIT_INPUT = 2


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn bthd's errors into a clear message on stderr and a non-zero exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except BthdError as exc:
            err_console.print(
                f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    """A progress display on stderr (quiet when not a terminal or when disabled)."""
    prog = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not enabled or not sys.stderr.isatty(),
    )
    with prog:
        yield prog


def print_table(df: Any, title: str = "", *, max_rows: int = 40) -> None:
    """Print a DataFrame as a rich table (numbers right-aligned, thousands separated)."""
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for col in df.columns:
        numeric = str(df[col].dtype).startswith(("int", "float", "Int", "Float"))
        table.add_column(str(col), justify="right" if numeric else "left")
    plain = [_is_year_column(str(c)) for c in df.columns]
    # itertuples keeps each column's type (iterrows casts a mixed row to float)
    for row in df.head(max_rows).itertuples(index=False, name=None):
        table.add_row(
            *[str(v) if p and _fmt(v) != "" else _fmt(v) for v, p in zip(row, plain, strict=True)]
        )
    console.print(table)
    if len(df) > max_rows:
        console.print(f"… {len(df) - max_rows} more rows")


def _is_year_column(name: str) -> bool:
    n = name.lower()
    return n in ("year", "annee", "année", "an", "millesime", "millésime") or n.endswith(
        ("_year", "year")
    )


def _fmt(v: Any) -> str:
    """A cell as text: thousands separated (French style), blanks for nulls."""
    import numpy as np
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer) or (
        isinstance(v, float | np.floating) and float(v).is_integer() and abs(float(v)) >= 1000
    ):
        return f"{int(v):,}".replace(",", " ")
    if isinstance(v, float | np.floating):
        return f"{float(v):,.2f}".replace(",", " ")
    return str(v)


def display_frame(df: Any, text: tuple[int, ...] = (), *, whole_as_int: bool = True) -> Any:
    """A copy fit for :func:`print_table`: missing values blank, the columns at positions
    ``text`` (codes, years) as plain text, and whole floats as integers (everywhere, or only in
    the ``text`` columns when ``whole_as_int`` is false)."""
    import pandas as pd

    out = df.copy()
    for i, col in enumerate(out.columns):
        if i in text or out[col].isna().any():
            out[col] = pd.Series(
                [
                    ""
                    if pd.isna(v)
                    else str(int(v))
                    if isinstance(v, float) and v.is_integer() and (whole_as_int or i in text)
                    else str(v)
                    if i in text
                    else v
                    for v in out[col].astype(object)
                ],
                index=out.index,
                dtype=object,
            )
    return out
