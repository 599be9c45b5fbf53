"""A GraceTHD v3.0.1 delivery of a design at container C2, following the control suite
dbt-grace-thd (see :mod:`bthd.export.gracethd.v3.schema`)."""
