"""Postal address of each premise, as a GraceTHD delivery writes it (number, street, postcode).

A premise read from the BAN keeps its own ``numero``, ``rep``, ``nom_voie`` and ``code_postal``.
A synthetic premise has no street: it is given the street ``VOIE SYNTHETIQUE <settlement>`` and
numbers 1, 2, 3... in its settlement (in ``premise_id`` order, the order it was generated along
the streets), and ``synthetic_address`` says so. The postcode of a premise without one is that of
its commune (La Poste's *Base officielle des codes postaux*, shipped for Brittany; the smallest
when a commune has several), or empty outside Brittany.

Not for: reading or checking addresses (:mod:`bthd.io.ban`).
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

import numpy as np
import pandas as pd

#: Street name given to the premises of a synthetic settlement.
SYNTHETIC_STREET = "VOIE SYNTHETIQUE {settlement}"


@functools.cache
def commune_postcodes() -> dict[str, str]:
    """INSEE code → postcode of the communes of Brittany (the smallest of a commune's codes)."""
    text = (
        resources.files("bthd.resources")
        .joinpath("addresses/codes_postaux_bretagne.csv")
        .read_text("utf-8")
    )
    return {
        r["insee_code"]: sorted(r["codes_postaux"].split(";"))[0]
        for r in csv.DictReader(io.StringIO(text))
        if r["codes_postaux"]
    }


def _text(premises: pd.DataFrame, column: str) -> pd.Series:
    if column not in premises:
        return pd.Series(None, index=premises.index, dtype=object)
    s = premises[column].astype(object)
    blank = s.isna() | (s.astype(str).str.strip() == "")
    return s.astype(str).str.strip().where(~blank, None)


def postal_addresses(premises: pd.DataFrame) -> pd.DataFrame:
    """Number, street and postcode of every premise.

    Parameters
    ----------
    premises
        A premises layer (``premise_id``, ``insee_code``; optionally the BAN columns
        ``numero``, ``rep``, ``nom_voie``, ``code_postal`` and the synthetic generator's
        ``settlement_id``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``premises``: ``numero``, ``rep``, ``nom_voie``, ``code_postal`` (text or
        None) and ``synthetic_address`` (True where the street and number were generated).
    """
    numero = _text(premises, "numero")
    rep = _text(premises, "rep")
    voie = _text(premises, "nom_voie")
    postal = _text(premises, "code_postal")
    own = voie.notna() & numero.notna()
    if (~own).any():
        missing = premises.loc[~own]
        group = (
            _text(missing, "settlement_id").fillna(missing["insee_code"].astype(str))
            if "settlement_id" in missing
            else missing["insee_code"].astype(str)
        )
        order = pd.DataFrame({"g": group, "p": missing["premise_id"].astype(str)})
        order = order.sort_values(["g", "p"], kind="stable")
        rank = order.groupby("g", sort=False).cumcount() + 1
        numero = numero.astype(object)
        voie = voie.astype(object)
        numero.loc[rank.index] = rank.astype(str).to_numpy()
        prefix, suffix = SYNTHETIC_STREET.split("{settlement}")
        streets = (prefix + order["g"].astype(str) + suffix).to_numpy(dtype=object)
        voie.loc[order.index] = streets
        rep.loc[~own] = None
    codes = commune_postcodes()
    fill = postal.isna()
    if fill.any():
        found = premises.loc[fill, "insee_code"].astype(str).map(codes)
        postal.loc[fill] = found.astype(object).where(found.notna(), None).to_numpy(dtype=object)

    def text(col: pd.Series) -> pd.Series:
        out = col.astype(object)
        return pd.Series(out.where(out.notna(), None), index=col.index, dtype=object)

    return pd.DataFrame(
        {
            "numero": text(numero),
            "rep": text(rep),
            "nom_voie": text(voie),
            "code_postal": text(postal),
            "synthetic_address": np.asarray(~own.to_numpy(), dtype=bool),
        },
        index=premises.index,
    )
