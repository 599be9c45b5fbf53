"""Findings of the GraceTHD checker and the report that collects them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Finding:
    """One problem of a delivery.

    Parameters
    ----------
    control
        The rule broken: a GraceTHD delivery rule (``co_1_...``), a control of the suite
        (``ctrl_fk_0009``, ``topo_0007``...) or a bthd check (``bthd_pk``, ``bthd_fk``...).
    table
        Table (or file) concerned.
    what
        What is wrong.
    rows
        Codes (or line numbers) of the rows concerned.
    fix
        What to do.
    severity
        ``error`` or ``warning``.
    """

    control: str
    table: str
    what: str
    rows: tuple[str, ...] = ()
    fix: str = ""
    severity: str = "error"

    def format(self, max_rows: int = 5) -> str:
        """The finding as one line of text."""
        text = f"[{self.control}] {self.table}: {self.what}"
        if self.rows:
            shown = ", ".join(self.rows[:max_rows])
            more = f" and {len(self.rows) - max_rows} more" if len(self.rows) > max_rows else ""
            text += f" ({len(self.rows)}: {shown}{more})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


@dataclass
class CheckReport:
    """Result of :func:`check_delivery`: the findings and the rows read per table."""

    folder: Path
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    #: GraceTHD version of the delivery checked (and the container, for v3).
    version: str = "2.0.1"

    @property
    def errors(self) -> list[Finding]:
        """Findings that make the delivery non-conforming."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings that do not (the v3 suite's C2 fill grid)."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the delivery has no error."""
        return not self.errors

    def format(self) -> str:
        """A readable report: a summary line, then one line per finding."""
        total = sum(self.rows.values())
        head = (
            f"{self.folder}: GraceTHD v{self.version} delivery, {len(self.rows)} tables, "
            f"{total:,} rows: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )
        lines = [head]
        lines += [f"  error: {f.format()}" for f in self.errors]
        lines += [f"  warning: {f.format()}" for f in self.warnings]
        return "\n".join(lines)


def ids(values: Iterable[object]) -> tuple[str, ...]:
    """Row codes as strings, for :class:`Finding`."""
    return tuple(str(v) for v in values)


def empty_values(s: pd.Series) -> pd.Series:
    """Whether each value is null or blank."""
    return s.isna() | (s.astype(str).str.strip() == "")


def field_findings(
    table: str, df: pd.DataFrame, names: Sequence[str], standard: str
) -> list[Finding]:
    """``bthd_fields``: the columns of ``df`` (geometry aside) that ``names`` lacks, and the
    ``names`` that ``df`` lacks; ``standard`` names the schema in the message."""
    import geopandas as gpd

    geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    cols = [c for c in df.columns if c != geom]
    unknown = [c for c in cols if c not in names]
    missing = [n for n in names if n not in cols]
    out = []
    if unknown:
        out.append(
            Finding(
                "bthd_fields",
                table,
                f"fields not in {standard}: {', '.join(unknown)}",
                fix="remove or rename them",
            )
        )
    if missing:
        out.append(
            Finding(
                "bthd_fields",
                table,
                f"missing fields: {', '.join(missing)}",
                fix="add them (empty when unknown)",
            )
        )
    return out
