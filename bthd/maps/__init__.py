"""Maps of a run folder: the interactive web page and the printed maps.

* :mod:`bthd.maps.content` reads what a map shows from a run (figures the run made, cut to an
  area, aggregated at large scales, simplified for display);
* :mod:`bthd.maps.web` writes one self-contained, offline HTML page (folium, vendored Leaflet);
* :mod:`bthd.maps.static` draws a département or EPCI map with matplotlib (PNG, PDF).

Not for: computing figures; every figure drawn comes from the run folder.
"""
