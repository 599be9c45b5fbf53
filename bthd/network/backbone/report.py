"""What an outage or the single failures cut off, as an operator reads it: texts and tables.

:class:`OutageReport` (the result of :func:`~bthd.network.backbone.outage`) with its summary and
tables, and :func:`failure_table` (the table of
:func:`~bthd.network.backbone.survivability` made readable). Presentation only: every figure comes
from the analyses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from bthd.network.backbone.constants import DEFAULT_UPLINKS


@dataclass(frozen=True)
class OutageReport:
    """What goes down when the given elements are cut.

    Attributes
    ----------
    cut
        The cut elements: ``element_id``, ``element_type``, ``name``, and what each would cut
        off alone (``premises_lost_alone``, ``locaux_lost_alone``).
    pops
        PoPs that are down or cut off from every uplink: ``site_id``, ``name``, ``status``.
    nros
        NROs that lose service: ``site_id``, ``name``, ``cause``, ``pms``, ``premises``,
        ``locaux``.
    pms
        PMs that lose service (cut, or behind a lost NRO): ``site_id``, ``name``, ``nro_id``,
        ``cause``, ``premises``, ``locaux``.
    premises
        The premises that lose service (rows of the input, on its index; no geometry).
    communes
        Communes with at least one premise cut off: ``insee_code``, ``name``,
        ``premises_lost``, ``locaux_lost``, ``locaux_total``, ``share_lost``.
    premises_total, locaux_total
        Premises and locaux of the whole network.
    uplinks
        The uplink PoPs assumed.
    secured_extension
        Whether the extension had its modelled second path.
    """

    cut: pd.DataFrame
    pops: pd.DataFrame
    nros: pd.DataFrame
    pms: pd.DataFrame
    premises: pd.DataFrame
    communes: pd.DataFrame
    premises_total: int
    locaux_total: int
    uplinks: tuple[str, ...]
    secured_extension: bool

    @property
    def premises_lost(self) -> int:
        """Address points that lose service."""
        return len(self.premises)

    @property
    def locaux_lost(self) -> int:
        """Locaux (logements + locaux_pro) that lose service."""
        return int(self.premises["logements"].sum() + self.premises["locaux_pro"].sum())

    @property
    def share_of_locaux(self) -> float:
        """Share of the network's locaux that lose service."""
        return self.locaux_lost / self.locaux_total if self.locaux_total else 0.0

    def summary(self) -> str:
        """A few lines of text for an operator."""
        cuts = ", ".join(
            f"{e} ({t.replace('_', ' ')})"
            for e, t in zip(self.cut["element_id"], self.cut["element_type"], strict=True)
        )
        head = (
            f"Cut: {cuts}. Uplinks: {', '.join(self.uplinks)}; secured extension: "
            f"{'yes' if self.secured_extension else 'no'}."
        )
        if self.premises_lost == 0:
            return (
                head + "\nNo service lost: the traffic goes round the loop, through a "
                "second PoP or the extension's second path."
            )
        lines = [
            head,
            f"Service lost: {len(self.nros)} NRO(s), {len(self.pms)} PM(s), "
            f"{_thousands(self.premises_lost)} premises, {_thousands(self.locaux_lost)} locaux "
            f"({100 * self.share_of_locaux:.2f} % of {_thousands(self.locaux_total)}) in "
            f"{len(self.communes)} commune(s).",
        ]
        if len(self.pops):
            lines.append(
                "PoPs down or cut off from the uplinks: "
                + ", ".join(
                    f"{s} ({st})"
                    for s, st in zip(self.pops["site_id"], self.pops["status"], strict=True)
                )
            )
        return "\n".join(lines)

    def tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The report's tables with their titles, in the order an operator reads them.

        Returns
        -------
        list of (str, pandas.DataFrame)
            The cut elements always; the PoPs, NROs, PMs and communes when they hold rows (the
            communes' ``share_lost`` in % as ``share_%``, rounded to 0.01).
        """
        out = [("Cut elements (and what each would cut off alone)", self.cut)]
        for title, df in (
            ("PoPs down or cut off from the uplinks", self.pops),
            ("NROs without service", self.nros),
            ("PMs without service", self.pms),
        ):
            if len(df):
                out.append((title, df))
        if len(self.communes):
            shown = self.communes.assign(share_lost=(100 * self.communes["share_lost"]).round(2))
            out.append(
                ("Communes with premises cut off", shown.rename(columns={"share_lost": "share_%"}))
            )
        return out

    def premises_table(self) -> pd.DataFrame:
        """The premises cut off, with the name of their commune (column ``commune``)."""
        names = dict(zip(self.communes["insee_code"], self.communes["name"], strict=True))
        return self.premises.assign(commune=self.premises["insee_code"].map(names))


@dataclass(frozen=True)
class FailureTable:
    """The table of every single failure, as an operator reads it.

    Attributes
    ----------
    title
        What the table shows, with the uplinks and whether the extension is secured.
    shown
        :func:`~bthd.network.backbone.survivability`'s rows, ``nro_ids`` and ``insee_codes``
        shortened to 32 characters, ``share_of_locaux`` in % as ``share_%`` (rounded to 0.01).
    elements
        Elements that can fail.
    cutting
        Elements whose failure alone cuts off locaux (single points of failure).
    """

    title: str
    shown: pd.DataFrame
    elements: int
    cutting: int

    @property
    def harmless(self) -> int:
        """Elements whose failure alone cuts off nothing."""
        return self.elements - self.cutting


def failure_table(
    table: pd.DataFrame,
    *,
    uplinks: Sequence[str] = DEFAULT_UPLINKS,
    secured_extension: bool = True,
) -> FailureTable:
    """Make :func:`~bthd.network.backbone.survivability`'s table readable.

    Parameters
    ----------
    table
        The table of :func:`~bthd.network.backbone.survivability`.
    uplinks, secured_extension
        What the table was computed with (for its title).

    Returns
    -------
    FailureTable
    """
    shown = table.assign(
        nro_ids=table["nro_ids"].map(_short),
        insee_codes=table["insee_codes"].map(_short),
        share_of_locaux=(100 * table["share_of_locaux"]).round(2),
    ).rename(columns={"share_of_locaux": "share_%"})
    return FailureTable(
        title=f"Single failures (uplinks {', '.join(uplinks)}; secured extension "
        f"{'yes' if secured_extension else 'no'})",
        shown=shown,
        elements=len(table),
        cutting=int((table["locaux_lost"] > 0).sum()),
    )


def _short(text: str, limit: int = 32) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _thousands(n: int) -> str:
    """An integer with a space between thousands (French style)."""
    return f"{int(n):,}".replace(",", " ")
