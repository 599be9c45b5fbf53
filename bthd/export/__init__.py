"""Exports of a run folder for engineers: GIS formats and a GraceTHD delivery.

* :mod:`bthd.export.gis`: GeoPackage with QGIS styles, GeoJSON (WGS 84), GeoParquet and
  Shapefile with a written DBF field mapping, all byte-identical from the same run.
* :mod:`bthd.export.gracethd`: GraceTHD deliveries at AVP level, v2.0.1 and v3.0.1 (container
  C2, after the open control suite dbt-grace-thd), their checkers that read a delivery back
  (:mod:`bthd.export.gracethd.deliveries` finds and checks either version) and readers into
  bthd's layers (:mod:`bthd.io.gracethd`).
* :mod:`bthd.export.reality`: the design against the operator's IPE file (late zones,
  complétude, PM references, addresses on one side only).

Not for: designing the network (:mod:`bthd.network`) or reading a run folder's files in
general (:mod:`bthd.io`); everything here only reads a run and writes files.
"""

from __future__ import annotations

FORMATS = ("gpkg", "geojson", "parquet", "shp", "gracethd")
#: GraceTHD versions the ``gracethd`` format can write (both by default).
GRACETHD_VERSIONS = ("2.0.1", "3.0.1")

__all__ = ["FORMATS", "GRACETHD_VERSIONS"]
