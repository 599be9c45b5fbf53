"""Stage ``med``: a montée-en-débit programme of BTHD's density on the area's copper plant.

As many operations per locaux as BTHD's 174 for the 1.16 M RIP locaux, done in 2015, chosen
among the SRs not due for FTTH within the exclusion window (:mod:`bthd.med`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd import med
from bthd.network.copper import CopperLines
from bthd.network.design import Design
from bthd.reference import BTHD_MED_OPERATIONS, BTHD_MED_YEAR, RIP_LOCAUX_2018
from bthd.stages._registry import Stage, StageContext, register


def operations_for(locaux: float) -> int:
    """MED operations for an area of ``locaux``, at BTHD's density (at least one)."""
    return max(1, round(BTHD_MED_OPERATIONS * float(locaux) / RIP_LOCAUX_2018))


def run(ctx: StageContext) -> None:
    cl: CopperLines = ctx.get("copper")
    des: Design = ctx.get("design")
    locaux = des.premises["logements"] + des.premises["locaux_pro"]
    year = int(ctx.stage_options.get("year", BTHD_MED_YEAR))
    n_ops = int(ctx.stage_options.get("operations", operations_for(locaux.sum())))
    cands = med.candidates(cl, des.net, locaux, ftth_year=ctx.get("ftth_year"), med_year=year)
    sel = med.select(cands, operations=n_ops)
    ctx.put("copper_after_med", med.apply(cl, sel))
    ctx.put(
        "med_year",
        pd.Series(
            np.where(cl.lines["sr_id"].isin(sel["sr_id"]), year, np.nan), index=cl.lines.index
        ),
    )
    ctx.add_table("med_selected", sel)


register(
    Stage(
        name="med",
        run=run,
        needs=("artifact:copper", "artifact:design", "artifact:ftth_year"),
        provides=("artifact:copper_after_med", "artifact:med_year", "table:med_selected"),
        order=60,
        description="Montée-en-débit programme at BTHD's density (174 operations per 1.16 M "
        "locaux), greedy by benefit per euro",
    )
)
