"""The web assets vendored in ``bthd/resources/maps/vendor``, ready to inline into a page.

The interactive map must work from ``file://`` with no network, so nothing is loaded from a
CDN: Leaflet's script and style sheet are inlined, the style sheet's images as ``data:`` URIs.
See ``bthd/resources/maps/vendor/README.md`` for versions, sources and licences.

Not for: building the map (see :mod:`bthd.maps.web`).
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

#: Vendored libraries and their versions (checked by the tests against the files).
VENDORED: dict[str, str] = {"leaflet": "1.9.3"}


def _dir() -> resources.abc.Traversable:
    return resources.files("bthd.resources").joinpath("maps", "vendor")


def _text(*parts: str) -> str:
    return _dir().joinpath(*parts).read_text(encoding="utf-8")


@functools.cache
def leaflet_css() -> str:
    """Leaflet's style sheet with its images as ``data:`` URIs."""
    css = _text("leaflet", "leaflet.css")

    def inline(m: re.Match[str]) -> str:
        name = m.group(1)
        data = _dir().joinpath("leaflet", "images", name).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\(images/([\w\-]+\.png)\)", inline, css)


@functools.cache
def leaflet_js() -> str:
    """Leaflet's script, without its source-map comment (no file to fetch)."""
    js = _text("leaflet", "leaflet.js")
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


def head_html() -> str:
    """``<style>`` and ``<script>`` elements that put Leaflet inside the page."""
    js = leaflet_js().replace("</script", "<\\/script")
    return f"<style>\n{leaflet_css()}\n</style>\n<script>\n{js}\n</script>\n"
