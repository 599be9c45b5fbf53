"""Orthophotos in the planning loop: tile index, mosaics, synthetic tiles, vegetation, site views.

Mégalis Bretagne co-finances 20 cm orthophotos of Brittany with IGN (5 cm in Morbihan and
Ille-et-Vilaine, see :mod:`bthd.imagery.campaigns`). Engineers use them to check PM sites and the
aerial routes on poles, where vegetation means pruning (*élagage*) before cables go up.

Modules:

* :mod:`~bthd.imagery.index`: footprints of a folder of tiles (GeoTIFF, COG, JPEG 2000; RGB or
  IRC; any CRS), from the headers only;
* :mod:`~bthd.imagery.mosaic`: the pixels covering an area, in Lambert-93, read window by window
  and reprojected on the fly;
* :mod:`~bthd.imagery.synthetic`: deterministic RGB and IRC tiles drawn from a run's layers
  (always tagged synthetic);
* :mod:`~bthd.imagery.vegetation`: NDVI (or a greenness index from RGB) along aerial
  distribution sections, metres to prune and their cost;
* :mod:`~bthd.imagery.views`: the network drawn over the imagery (PNG/PDF), chips of PM sites;
* :mod:`~bthd.imagery.webmap`: a folium overlay of a local mosaic for the web map;
* :mod:`~bthd.imagery.campaigns`: which orthophoto campaign covers which département;
* :mod:`~bthd.imagery.settings`: the settings of the above, each with its source.

Not for: downloading imagery (everything works offline on local tiles).
"""

from __future__ import annotations
