"""Languages of the tables and checks of a value against its valid choices.

The thin modules (:mod:`bthd.catalogue`, :mod:`bthd.contributions`, :mod:`bthd.governance`) and
their commands print tables in English or French and take codes (a catalogue, a college rule, a
majority kind...) from a closed list. This module is their one home for:

* :data:`LANGS` and :func:`check_lang`, the languages a table can be written in;
* :func:`check_choice`, which raises :class:`bthd.InputError` naming the value, the valid choices
  and, for a misspelt code, the closest one ("did you mean ...?", via :mod:`difflib`);
* :func:`labels`, :func:`translate_columns`, :func:`column_names` and :func:`pick`: the label of a
  code, the French names of a table's columns and the text of a command, in one language.

Not for: checking input layers (see :mod:`bthd._validate`) or numbers (each module checks its own
ranges).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from bthd._errors import InputError

if TYPE_CHECKING:
    import pandas as pd

#: Languages of the tables: English and French.
LANGS: tuple[str, ...] = ("en", "fr")

_T = TypeVar("_T")


def did_you_mean(value: object, choices: Iterable[object], *, most: int = 3) -> list[str]:
    """The valid choices closest in spelling to ``value`` (ties kept, at most ``most``).

    Closeness is :class:`difflib.SequenceMatcher`'s ratio (at least 0.6, case ignored). Only text
    is compared (a misspelt code); for a number (a year) there is no suggestion, since the
    closest spelling is rarely the closest value.
    """
    if not isinstance(value, str) or not value:
        return []
    texts = [c for c in dict.fromkeys(choices) if isinstance(c, str) and c != value]
    matcher = difflib.SequenceMatcher(b=value.lower())
    scores = []
    for c in texts:
        matcher.set_seq1(c.lower())
        scores.append(matcher.ratio())
    best = max(scores, default=0.0)
    if best < 0.6:
        return []
    return [c for c, r in zip(texts, scores, strict=True) if r == best][:most]


def check_choice(
    value: object,
    choices: Collection[object],
    what: str,
    source: str | None = None,
    *,
    choices_name: str | None = None,
) -> None:
    """Raise when ``value`` is not one of ``choices``.

    Parameters
    ----------
    value
        The value received.
    choices
        The valid values, in the order to show them.
    what
        What the value is ("catalogue", "majority kind"), the start of the message.
    source
        Where the value comes from (a function, a file, a command option); it starts the message
        when given.
    choices_name
        A name for the list when it is long ("60 member EPCI"): the message then reads "the valid
        choices are the 60 member EPCI: ...".

    Raises
    ------
    bthd.InputError
        ``"[source: ]what 'value' is unknown; the valid choices are: a, b, c."``, followed by
        ``" Did you mean 'b'?"`` when choices are spelt closely (up to three, equally close:
        ``" Did you mean 'b', 'c' or 'd'?"``).
    """
    if value in choices:
        return
    head = f"{source}: " if source else ""
    listed = f" the {choices_name}: " if choices_name else ": "
    message = (
        f"{head}{what} {value!r} is unknown; the valid choices are{listed}"
        f"{', '.join(map(str, choices))}."
    )
    close = [repr(c) for c in did_you_mean(value, choices)]
    if close:
        either = ", ".join(close[:-1]) + " or " + close[-1] if len(close) > 1 else close[0]
        message += f" Did you mean {either}?"
    raise InputError(message)


def check_lang(lang: str, source: str | None = None) -> str:
    """``lang`` when it is one of :data:`LANGS`; else :class:`bthd.InputError` naming them."""
    check_choice(lang, LANGS, "language", source)
    return lang


def pick(texts: Mapping[str, _T], lang: str) -> _T:
    """The entry of ``texts`` (keyed by language) for ``lang``, after checking ``lang``."""
    check_lang(lang)
    return texts[lang]


def label_column(lang: str, prefix: str = "label") -> str:
    """Name of the column holding the labels in ``lang`` in the data files: ``label_fr``..."""
    return f"{prefix}_{check_lang(lang)}"


def labels(
    table: pd.DataFrame, code_column: str, lang: str, *, prefix: str = "label"
) -> dict[str, str]:
    """Label of each code of ``table`` in ``lang``.

    Parameters
    ----------
    table
        A data table with the codes in ``code_column`` and one label column per language
        (``label_en``, ``label_fr``; see ``prefix``).
    code_column
        The column of the codes.
    lang
        ``"en"`` or ``"fr"``.
    prefix
        Start of the label columns' names.
    """
    col = label_column(lang, prefix)
    return dict(zip(table[code_column], table[col], strict=True))


def translate_columns(df: pd.DataFrame, columns_fr: Mapping[str, str], lang: str) -> pd.DataFrame:
    """``df`` with its columns named in ``lang``: unchanged in English, renamed by
    ``columns_fr`` in French (columns it does not name keep their names)."""
    check_lang(lang)
    return df.rename(columns=dict(columns_fr)) if lang == "fr" else df


def column_names(names: Iterable[str], columns_fr: Mapping[str, str], lang: str) -> list[str]:
    """The names that :func:`translate_columns` gives to the columns ``names`` in ``lang``."""
    check_lang(lang)
    return [columns_fr.get(n, n) for n in names] if lang == "fr" else list(names)


__all__ = [
    "LANGS",
    "check_choice",
    "check_lang",
    "column_names",
    "did_you_mean",
    "label_column",
    "labels",
    "pick",
    "translate_columns",
]
