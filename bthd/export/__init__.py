"""Exports of a run folder for engineers: GIS formats and a GraceTHD delivery.

* :mod:`bthd.export.gis`: GeoPackage with QGIS styles, GeoJSON (WGS 84), GeoParquet and
  Shapefile with a written DBF field mapping, all byte-identical from the same run.
* :mod:`bthd.export.gracethd`: a GraceTHD v2.0.1 delivery at AVP level, and
  :mod:`bthd.export.gracethd.check`, the checker that reads a delivery back.
* :mod:`bthd.export.reality`: the design against the operator's IPE file (late zones,
  complétude, PM references, addresses on one side only).

Not for: designing the network (:mod:`bthd.network`) or reading a run folder's files in
general (:mod:`bthd.io`); everything here only reads a run and writes files.
"""

from __future__ import annotations

FORMATS = ("gpkg", "geojson", "parquet", "shp", "gracethd")

__all__ = ["FORMATS"]
