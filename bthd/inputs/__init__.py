"""A region assembled from a user's own files, generated only where nothing was given.

:func:`region_from_inputs` is what every command that takes an area calls with the user's
files: ``data`` (a GeoPackage or folder of layers, as :meth:`bthd.region.Region.from_file`
reads), ``premises`` (a BAN address file, an IPE file or any premises layer: sniffed),
``roads`` (an OpenStreetMap extract ``.osm.pbf``/``.osm``, or a roads layer of lines),
``copper`` (NRA/SR sites, as ``bthd med --copper`` reads them) and ``communes`` (a communes
layer; the embedded Brittany communes, EPCI and départements otherwise).

Rules:

* the area is ``epci``/``departement`` within the communes when given; else the communes the
  premises fall in (or, without premises, those holding at least :data:`MIN_ROAD_KM` of the
  roads); else every commune of ``communes``/``data``. The RIP filter of the embedded sample
  does not apply: the area is what the files cover, whatever the communes' zone types;
* what is given is never replaced; what is not is generated, deterministically from ``seed``,
  and named in ``Region.synthetic``: premises on the real roads (:mod:`bthd.synth_roads`) or,
  without roads, premises and roads together (:mod:`bthd.synth`); roads joining real premises
  when only premises were given; the copper plant when no NRA/SR was given;
* ``Region.meta["inputs"]`` lists every file read (role, path, SHA-256, format, CRS, rows) and
  ``Region.meta["layers"]`` says of each layer whether it is ``real``, ``embedded``,
  ``synthetic`` (generated now) or ``given, synthetic`` (a file's layer whose ``synthetic``
  column is true, e.g. a region bthd wrote), for the manifest;
* every problem of every file is reported at once (:class:`bthd.ValidationError`): unreadable
  files, schema problems, BAN rows without coordinates, premises lying outside the communes
  they claim, an extract covering none of the area. Files in other CRSs are reprojected to
  Lambert-93 and the reprojection is logged; roads that fall apart into several parts are kept,
  labelled (``component`` column, 0 = the main part) and logged, never dropped.

The package: :mod:`._readers` reads each kind of file, :mod:`._assemble` builds the region,
:mod:`._checks` reports on a set of files (``bthd region check``).

Not for: designing (:mod:`bthd.network`) or checking files without building a region
(:func:`bthd.cli.region` reports on them with the same readers).
"""

from __future__ import annotations

from bthd.inputs._assemble import (
    COPPER_MARGIN_M,
    MIN_ROAD_KM,
    OUTSIDE_TOLERANCE_M,
    region_from_inputs,
)
from bthd.inputs._checks import FAR_FROM_ROAD_M, InputsCheck, check_inputs, classify_input
from bthd.inputs._readers import (
    ROAD_MARGIN_M,
    premises_format,
    read_premises_file,
    read_roads_file,
)

__all__ = [
    "COPPER_MARGIN_M",
    "FAR_FROM_ROAD_M",
    "MIN_ROAD_KM",
    "OUTSIDE_TOLERANCE_M",
    "ROAD_MARGIN_M",
    "InputsCheck",
    "check_inputs",
    "classify_input",
    "premises_format",
    "read_premises_file",
    "read_roads_file",
    "region_from_inputs",
]
