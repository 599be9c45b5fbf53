"""The commission report of a run: one content (:mod:`bthd.reports.content`), two forms.

* :func:`bthd.reports.content.report_content` gathers the figures from the run's tables;
* :func:`bthd.reports.html.render_html` lays them out as one self-contained HTML page;
* :func:`bthd.reports.pdf.render_pdf` as an A4 PDF (ReportLab).

Not for: computing figures (the analysis stages do) or maps (see :mod:`bthd.maps`).
"""
