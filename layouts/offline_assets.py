"""Serve every JS/CSS file of a folium map from ``/assets/vendor`` instead of CDNs.

Operations rooms may run with no internet access.  folium 0.20 points its maps
at jsDelivr, cdnjs, code.jquery.com, netdna and GitHub for Leaflet, jQuery,
Bootstrap, Font Awesome, awesome-markers and its plugins; offline, such a map
renders as an empty grey box.  The files are vendored in ``assets/vendor/`` (see
``assets/vendor/README.md`` and ``assets/vendor/update_vendor.sh``) and Dash
serves them under ``/assets/vendor/...``.

``FOLIUM_JS`` / ``FOLIUM_CSS`` mirror ``folium.Map.default_js`` /
``folium.Map.default_css`` name for name.  ``use_local_assets`` points a map, its
plugins (MarkerCluster, FastMarkerCluster, HeatMap, ...) and branca colormap
legends at those local copies, so the rendered HTML loads no script or
stylesheet from another host.  Tile URLs are not covered: use a local tile
server or ``tiles=None`` offline.

Note for the Dash app: Dash auto-loads every ``.js``/``.css`` under ``assets/``.
Pass ``assets_path_ignore=DASH_ASSETS_PATH_IGNORE`` to ``dash.Dash`` so the
vendored files are only served when asked for (``assets_ignore`` only matches
file names, not folders), and list the ones the page itself needs in
``external_stylesheets`` / ``external_scripts`` (e.g. ``BOOTSTRAP_CSS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import folium
from branca.element import Element, Figure, Link
from folium.elements import JSCSSMixin

__all__ = [
    "BOOTSTRAP_CSS",
    "BOOTSTRAP_ICONS_CSS",
    "BOOTSTRAP_JS",
    "DASH_ASSETS_PATH_IGNORE",
    "FOLIUM_CSS",
    "FOLIUM_JS",
    "HLS_JS",
    "INTER_CSS",
    "LOCAL_ASSETS",
    "PLUGIN_CSS",
    "PLUGIN_JS",
    "VENDOR_URL",
    "external_assets",
    "use_local_assets",
]

VENDOR_URL = "/assets/vendor"
"""URL prefix under which Dash serves ``assets/vendor/``."""

DASH_ASSETS_PATH_IGNORE: list[str] = ["^vendor$"]
"""For ``dash.Dash(assets_path_ignore=...)``: serve vendor files, never auto-load."""

_V = VENDOR_URL

# Same names and order as folium.Map.default_js / default_css in folium 0.20.
FOLIUM_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", f"{_V}/leaflet/leaflet.js"),
    ("jquery", f"{_V}/jquery/jquery.min.js"),
    ("bootstrap", f"{_V}/bootstrap/bootstrap.bundle.min.js"),
    ("awesome_markers", f"{_V}/leaflet.awesome-markers/leaflet.awesome-markers.js"),
)

FOLIUM_CSS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", f"{_V}/leaflet/leaflet.css"),
    ("bootstrap_css", f"{_V}/bootstrap/bootstrap.min.css"),
    ("glyphicons_css", f"{_V}/glyphicons/css/bootstrap-glyphicons.min.css"),
    ("awesome_markers_font_css", f"{_V}/fontawesome/css/all.min.css"),
    (
        "awesome_markers_css",
        f"{_V}/leaflet.awesome-markers/leaflet.awesome-markers.css",
    ),
    ("awesome_rotate_css", f"{_V}/folium/leaflet.awesome.rotate.min.css"),
)

# Names used by folium.plugins.MarkerCluster / FastMarkerCluster / HeatMap and by
# branca's ColorMap (legend), which adds d3 straight to the page header.
PLUGIN_JS: tuple[tuple[str, str], ...] = (
    ("markerclusterjs", f"{_V}/leaflet.markercluster/leaflet.markercluster.js"),
    ("leaflet-heat.js", f"{_V}/leaflet.heat/leaflet-heat.js"),
    ("d3", f"{_V}/d3/d3.min.js"),
)

PLUGIN_CSS: tuple[tuple[str, str], ...] = (
    ("markerclustercss", f"{_V}/leaflet.markercluster/MarkerCluster.css"),
    (
        "markerclusterdefaultcss",
        f"{_V}/leaflet.markercluster/MarkerCluster.Default.css",
    ),
)

LOCAL_ASSETS: dict[str, str] = dict(FOLIUM_JS + FOLIUM_CSS + PLUGIN_JS + PLUGIN_CSS)
"""Every asset name folium/branca use that has a vendored copy, with its local URL."""

# For the Dash page itself.
BOOTSTRAP_CSS = f"{_V}/bootstrap/bootstrap.min.css"
BOOTSTRAP_JS = f"{_V}/bootstrap/bootstrap.bundle.min.js"
BOOTSTRAP_ICONS_CSS = f"{_V}/bootstrap-icons/bootstrap-icons.min.css"
INTER_CSS = f"{_V}/fonts/inter.css"
HLS_JS = f"{_V}/hls/hls.min.js"


def _is_external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def _local_url(name: str, url: str, base_url: str) -> str:
    """The local URL for asset ``name``, or ``url`` unchanged if none is vendored."""
    local = LOCAL_ASSETS.get(name)
    if local is None or not _is_external(url):
        return url
    return base_url.rstrip("/") + local[len(VENDOR_URL) :]


def _walk(element: Element) -> Iterator[Element]:
    yield element
    if isinstance(element, Figure):
        for part in (element.header, element.html, element.script):
            yield from _walk(part)
    for child in element._children.values():
        yield from _walk(child)


class _LocalHeader(Element):
    """Figure header that swaps known CDN links for local ones when rendered.

    The header is rendered after every other element, so this also catches links
    added during rendering (branca's colormap d3) and plugins added to the map
    after ``use_local_assets`` was called.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url

    def render(self, **kwargs: Any) -> str:
        for name, child in self._children.items():
            if isinstance(child, Link):
                child.url = _local_url(name, child.url, self._base_url)
        return super().render(**kwargs)


def use_local_assets(m: folium.Map, base_url: str = VENDOR_URL) -> folium.Map:
    """Point ``m`` (and everything in its figure) at the vendored JS/CSS; return ``m``.

    Sets ``default_js`` / ``default_css`` per instance (never mutating folium's
    class-level lists) on the map and every plugin element in the figure, and
    installs a header that rewrites any remaining known CDN link at render time.
    Call it once the map is built; calling it again is harmless.

    ``base_url`` is where ``assets/vendor`` is served; pass e.g.
    ``app.get_asset_url("vendor")`` when Dash runs under a path prefix.
    """
    root = m.get_root()
    for element in _walk(root):
        if isinstance(element, JSCSSMixin):
            element.default_js = [(name, _local_url(name, url, base_url)) for name, url in element.default_js]
            element.default_css = [(name, _local_url(name, url, base_url)) for name, url in element.default_css]
    if isinstance(root, Figure) and isinstance(root.header, _LocalHeader):
        root.header._base_url = base_url
    elif isinstance(root, Figure):
        header = _LocalHeader(base_url)
        header._children = root.header._children
        for child in header._children.values():
            child._parent = header
        header._parent = root
        root.header = header
    return m


def external_assets(html: str) -> list[str]:
    """Return the external ``<script src>`` / ``<link href>`` URLs in rendered HTML.

    Handy in tests: ``assert not external_assets(m.get_root().render())``.
    Tile URLs live in JavaScript strings, not in these tags, so they are not listed.
    """
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.IGNORECASE)
    urls: list[str] = []
    for tag in tags:
        for url in re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", tag, re.IGNORECASE):
            if _is_external(url):
                urls.append(url)
    return urls
