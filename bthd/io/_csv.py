"""French CSV files: find the encoding (UTF-8, else Latin-1) and the separator (``;`` or ``,``)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pandas as pd

from bthd._errors import InputError, InputNotFoundError

_SEPARATORS = ";,\t|"


def sniff_csv(path: str | os.PathLike[str], *, sample_bytes: int = 65536) -> tuple[str, str]:
    """Return ``(encoding, separator)`` of a CSV file.

    The encoding is UTF-8 (with or without BOM) when the sample decodes as such, else
    Latin-1 (cp1252, the Windows variant French public files use). The separator is the one of
    ``; , tab |`` that splits every sampled line into the same number of fields.
    """
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(p, "CSV file")
    raw = p.read_bytes()[:sample_bytes]
    if not raw.strip():
        raise InputError(f"{p}: the file is empty. Check that the export finished.")
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            # a cut in the middle of a multibyte char at the end of the sample is not an error
            raw.decode("utf-8") if len(raw) < sample_bytes else raw[:-4].decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = raw.decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if len(raw) == sample_bytes and len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    try:
        sep = csv.Sniffer().sniff("\n".join(lines), delimiters=_SEPARATORS).delimiter
    except csv.Error:
        counts = {s: lines[0].count(s) for s in _SEPARATORS}
        sep = max(counts, key=lambda s: counts[s])
        if counts[sep] == 0:
            sep = ","
    return encoding, sep


def read_csv_fr(
    path: str | os.PathLike[str], *, dtype: Any = str, **kwargs: Any
) -> pd.DataFrame:
    """Read a CSV whose encoding and separator are sniffed (see :func:`sniff_csv`).

    Values are read as text by default (INSEE codes keep their leading zeros); pass ``dtype``
    to change that. Decimal commas are the caller's business (see :func:`to_number`).
    """
    encoding, sep = sniff_csv(path)
    try:
        return pd.read_csv(path, sep=sep, encoding=encoding, dtype=dtype, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot be read as CSV (encoding {encoding}, separator {sep!r}): {exc}. "
            "Check that every line has the same number of fields."
        ) from exc


def to_number(s: pd.Series) -> pd.Series:
    """Numbers written the French way (``1 234,5``) or the English way, as floats."""
    txt = s.astype("str").str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    has_comma = txt.str.contains(",", regex=False) & ~txt.str.contains(".", regex=False)
    txt = txt.where(~has_comma, txt.str.replace(",", ".", regex=False))
    return pd.to_numeric(txt.where(s.notna()), errors="coerce")
