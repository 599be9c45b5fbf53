"""The commission report as one self-contained HTML page (jinja2; images as ``data:`` URIs).

The template is a package resource (``bthd/resources/reports/report.html.j2``); the page loads
nothing from the network and holds no timestamp of its own (the run's date only), so the same run
gives the same bytes.

Not for: gathering the figures (see :mod:`bthd.reports.content`).
"""

from __future__ import annotations

import base64
from importlib import resources

import jinja2

from bthd.reports.content import ReportContent

#: The template, in ``bthd.resources`` (package ``reports``).
TEMPLATE = "report.html.j2"


def render_html(rc: ReportContent) -> str:
    """The page of ``rc`` (UTF-8 text)."""
    text = resources.files("bthd.resources").joinpath("reports", TEMPLATE).read_text("utf-8")
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env.from_string(text).render(
        lang=rc.lang,
        title=rc.title,
        area=rc.area,
        run_date=rc.run_date,
        L=rc.labels,
        blocks=rc.blocks,
    )
