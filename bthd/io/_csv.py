"""French CSV files: find the encoding (UTF-8, else Latin-1) and the separator (``;`` or ``,``).

Gzipped files (``adresses-35.csv.gz``) are read as they are.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import os
import zlib
from pathlib import Path
from typing import Any

import pandas as pd

from bthd._errors import InputError, InputNotFoundError

_SEPARATORS = ";,\t|"


def sniff_csv(path: str | os.PathLike[str], *, sample_bytes: int = 65536) -> tuple[str, str]:
    """Return ``(encoding, separator)`` of a CSV file.

    The encoding is UTF-8 (with or without BOM) when the sample decodes as such, else
    Latin-1 (cp1252, the Windows variant French public files use). The separator is ``;`` when
    it splits every sampled line into the same number of fields (French files, whose numbers have
    decimal commas), else the one of ``, tab |`` that does. A gzipped file is sniffed on its
    decompressed content.
    """
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(p, "CSV file")
    raw = _sample(p, sample_bytes)
    if not raw.strip():
        raise InputError(f"{p}: the file is empty. Check that the export finished.")
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            # a cut in the middle of a multibyte char at the end of the sample is not an error
            codecs.getincrementaldecoder("utf-8")().decode(raw, final=len(raw) < sample_bytes)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = raw.decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if len(raw) == sample_bytes and len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    # French files use `;` because numbers have decimal commas: when `;` splits every line into
    # the same number (> 1) of fields, it is the separator, whatever the commas do
    widths = {len(row) for row in csv.reader(lines, delimiter=";")}
    if len(widths) == 1 and widths.pop() > 1:
        return encoding, ";"
    try:
        sep = csv.Sniffer().sniff("\n".join(lines), delimiters=_SEPARATORS).delimiter
    except csv.Error:
        counts = {s: lines[0].count(s) for s in _SEPARATORS}
        sep = max(counts, key=lambda s: counts[s])
        if counts[sep] == 0:
            sep = ","
    return encoding, sep


def read_csv_fr(path: str | os.PathLike[str], *, dtype: Any = str, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV whose encoding and separator are sniffed (see :func:`sniff_csv`).

    Values are read as text by default (INSEE codes keep their leading zeros); pass ``dtype``
    to change that. Decimal commas are the caller's business (see :func:`to_number`).
    """
    encoding, sep = sniff_csv(path)
    if _is_gzip(Path(path)):
        kwargs.setdefault("compression", "gzip")
    try:
        return pd.read_csv(path, sep=sep, encoding=encoding, dtype=dtype, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot be read as CSV (encoding {encoding}, separator {sep!r}): {exc}. "
            "Check that every line has the same number of fields."
        ) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(
            f"{path}: the compressed file is damaged or truncated ({exc}). Download it again."
        ) from exc


def _is_gzip(p: Path) -> bool:
    with p.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _sample(p: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file, decompressed when it is gzipped (``.csv.gz``)."""
    if not _is_gzip(p):
        with p.open("rb") as f:
            return f.read(size)
    out = b""
    try:
        with gzip.open(p, "rb") as f:
            while len(out) < size:
                chunk = f.read(min(4096, size - len(out)))
                if not chunk:
                    break
                out += chunk
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        # a truncated archive still gives its beginning (read_csv_fr reports the damage later)
        if not out.strip() or not isinstance(exc, EOFError):
            msg = f"{p}: the compressed file is damaged or truncated ({exc}). Download it again."
            raise InputError(msg) from exc
    return out


def to_number(s: pd.Series) -> pd.Series:
    """Numbers written the French way (``1 234,5``) or the English way, as floats."""
    txt = s.astype("str").str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    has_comma = txt.str.contains(",", regex=False) & ~txt.str.contains(".", regex=False)
    txt = txt.where(~has_comma, txt.str.replace(",", ".", regex=False))
    return pd.to_numeric(txt.where(s.notna()), errors="coerce")
