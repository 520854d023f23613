"""The wall's map (folium/Leaflet) as a pure function: small frames in, one self-contained HTML page out.

District choropleth of a chosen measure, sensor markers by state (colour *and* shape), recent complaints
as a heat layer, district labels and a legend. Every script and stylesheet comes from /assets/vendor,
and the basemap is optional (CITY_TILE_URL=none draws the polygons on a plain background), so the
map works in a room with no internet.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import pandas as pd
from branca.element import MacroElement
from folium import plugins
from folium.template import Template

from layouts.components.tiles import sparkline_src
from layouts.i18n import fmt_age, fmt_number, t
from layouts.offline_assets import use_local_assets

MEASURES = ("per_10k", "late", "alerts")
_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})
# A sequential palette that stays ordered for colour-blind viewers and reads on a dark background.
PALETTE = ("#1d2b53", "#3b4f8c", "#7a5fa6", "#c0649a", "#f08a6c", "#fcd07b")
STATE_ORDER = ("normal", "warning", "danger", "offline")
HEAT_RADIUS_PX, HEAT_BLUR_PX = 14, 18  # at 1920 px wide; HeatForScreen scales them to the screen
# The map is an iframe about half the screen wide on the overview, so its vw is half the screen's: legend and
# labels use about twice the wall's vw (18 px at 1080p, 36 px at 4K), bounded by the frame's height so a full-screen
# map's legend does not cover it, and shrink with a small screen's map.
MAP_CSS = """
<style>
html, body, .folium-map { background: #0b1220 !important; }
.leaflet-container { font-family: Inter, system-ui, sans-serif; background: #0b1220; }
.district-label div { color: #f4f7fb; font-weight: 700; font-size: clamp(10px, min(1.7vw, 2.3vh), 64px);
  text-shadow: 0 0 3px #000, 0 0 6px #000; white-space: nowrap; transform: translate(-50%, -50%); width: max-content;
  text-align: center; pointer-events: none; }
.sensor-icon { background: none; border: none; }
.s { position: absolute; transform: translate(-50%, -50%); width: clamp(9px, 0.9vw, 34px);
  height: clamp(9px, 0.9vw, 34px); border: 2px solid #0b1220; box-shadow: 0 0 0 1px #fff8; }
.s-normal { background: #009e73; border-radius: 50%; }
.s-warning { background: #e69f00; clip-path: polygon(50% 0, 100% 100%, 0 100%); border: none !important; }
.s-danger { background: #d55e00; transform: translate(-50%, -50%) rotate(45deg) !important; }
.s-offline { background: #0b1220; border: 3px solid #9aa7b8 !important; border-radius: 50%; }
.map-legend { position: absolute; z-index: 1000; left: 1.2vw; bottom: 1.2vw; background: #0b1220e6;
  color: #f4f7fb; padding: 0.8vw 1vw; border-radius: 0.5vw; font-size: clamp(10px, min(1.7vw, 2.3vh), 72px);
  line-height: 1.5; border: 1px solid #33415c; }
.map-legend b { display: block; margin-bottom: 0.3vw; }
.map-legend .sw { display: inline-block; width: 1.6em; height: 0.9em; vertical-align: middle; margin-right: 0.2vw; }
.map-legend .row { white-space: nowrap; }
.map-legend .si { display: inline-block; position: relative; width: 1.2em; height: 1em; vertical-align: middle; }
.map-legend .si .s { left: 50%; top: 50%; }
.leaflet-popup-content { font-size: clamp(18px, 1.6vw, 64px); }
.leaflet-control-zoom a { width: clamp(30px, 1.7vw, 64px) !important; height: clamp(30px, 1.7vw, 64px) !important;
  line-height: clamp(30px, 1.7vw, 64px) !important; font-size: clamp(18px, 1.1vw, 40px) !important; }
.leaflet-tooltip { font-size: clamp(18px, 1.6vw, 64px); }
</style>
"""


@dataclass(frozen=True)
class MapOptions:
    measure: str = "per_10k"
    lang: str = "id"
    tile_url: str = "none"
    tile_attribution: str = ""
    focus_district: str | None = None
    interactive: bool = True


def colour_scale(values: Sequence[float]) -> tuple[list[float], list[str]]:
    """Equal-width bins from 0 to the largest value (never a negative or empty range)."""
    top = max([float(v) for v in values] + [0.0])
    top = top if top > 0 else 1.0
    steps = len(PALETTE)
    edges = [top * i / steps for i in range(steps + 1)]
    return edges, list(PALETTE)


def colour_for(value: float, edges: list[float], colours: list[str]) -> str:
    for i, colour in enumerate(colours):
        if value <= edges[i + 1]:
            return colour
    return colours[-1]


def _district_features(districts: pd.DataFrame, measure: str, lang: str) -> tuple[dict, list[float], list[str]]:
    edges, colours = colour_scale(districts[measure].tolist())
    decimals = 1 if measure == "per_10k" else 0
    features = []
    for row in districts.itertuples(index=False):
        value = float(getattr(row, measure))
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(row.geometry) if isinstance(row.geometry, str) else row.geometry,
                "properties": {
                    "code": row.code,
                    "name": row.name,
                    "value": f"{t('map_' + measure, lang)}: {fmt_number(value, lang, decimals)}",
                    "fill": colour_for(value, edges, colours),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}, edges, colours


def map_text(value: object) -> str:
    """Text from a feed made safe for a folium popup or tooltip: HTML-escaped, and with the characters that
    would end or interpolate the JavaScript template literal folium puts it in (` $ \\) as entities too."""
    return html.escape(str(value)).translate(_JS_TEMPLATE)


def _sensor_popup(row: object, lang: str, spark: Sequence[float] | None) -> str:
    value = "—" if pd.isna(row.value) else f"{fmt_number(row.value, lang, 1)} {map_text(row.unit)}"
    age = fmt_age(None if pd.isna(row.age_s) else row.age_s, lang)
    trend = {1: "▲", -1: "▼", 0: "■"}.get(int(row.trend) if not pd.isna(row.trend) else 0, "■")
    src = sparkline_src(spark or [])
    img = f'<br><img src="{src}" style="width:12em;height:3em" alt="">' if src else ""
    return (
        f"<b>{map_text(row.name)}</b><br>{t(row.state, lang)} · {value} {trend}<br>{t('last_data', lang)}: {age}{img}"
    )


def _sensor_features(sensors: pd.DataFrame, lang: str, sparks: dict[str, list[float]]) -> dict:
    """Sensors as GeoJSON points carrying their state and their escaped popup and tooltip HTML."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row.lon), float(row.lat)]},
            "properties": {
                "state": row.state if row.state in STATE_ORDER else "offline",
                "popup": _sensor_popup(row, lang, sparks.get(row.id)),
                "tip": map_text(row.name),
            },
        }
        for row in sensors.itertuples(index=False)
        if not (pd.isna(row.lat) or pd.isna(row.lon))
    ]
    return {"type": "FeatureCollection", "features": features}


class SensorLayer(MacroElement):
    """Every sensor in one GeoJSON layer whose markers the browser draws: one folium Marker per sensor costs
    ~4 ms of template rendering (2 s for 500 sensors on every data change); this layer costs one JSON dump.
    The marker's shape and colour come from its state class; popup and tooltip are HTML escaped in Python."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJson({{ this.data|tojson }}, {
            pointToLayer: function (feature, latlng) {
                var html = '<div class="s s-' + feature.properties.state + '"></div>';
                return L.marker(latlng, {icon: L.divIcon({className: "sensor-icon", html: html})});
            },
            onEachFeature: function (feature, layer) {
                layer.bindPopup(feature.properties.popup, {maxWidth: 400});
                layer.bindTooltip(feature.properties.tip);
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict) -> None:
        super().__init__()
        self._name = "SensorLayer"
        self.data = data


class HeatForScreen(MacroElement):
    """Scale the heat layer's radius and blur (pixels) with the screen: at 4K, 14 px spots read as speckle."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (heat) {
            var scale = Math.max(1, window.innerWidth / 1920);
            heat.setOptions({radius: {{ this.radius }} * scale, blur: {{ this.blur }} * scale});
        })({{ this.heat.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, heat: plugins.HeatMap) -> None:
        super().__init__()
        self._name = "HeatForScreen"
        self.heat, self.radius, self.blur = heat, HEAT_RADIUS_PX, HEAT_BLUR_PX


class FitBesideLegend(MacroElement):
    """Fit the map to the city in the part of the frame the legend leaves free: the legend's width is only
    known in the browser (it scales with the screen), and on a tablet it would otherwise cover a district.
    A kecamatan label whose centre lies near the frame's edge (a regency's outer kecamatan) is slid inside,
    and one that would cover another label is left out (the polygons' hover still names every kecamatan)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var legend = document.querySelector(".map-legend");
            var left = legend ? legend.offsetWidth + 16 : 12;
            map.fitBounds({{ this.bounds|tojson }}, {paddingTopLeft: [left, 12], paddingBottomRight: [12, 12]});
            function keepLabelsInside() {
                var box = map.getContainer().getBoundingClientRect(), placed = [];
                document.querySelectorAll(".district-label div").forEach(function (el) {
                    el.style.marginLeft = "0px";
                    el.style.visibility = "";
                    var r = el.getBoundingClientRect(), shift = 0;
                    if (r.right > box.right - 4) { shift = box.right - 4 - r.right; }
                    if (r.left + shift < box.left + 4) { shift = box.left + 4 - r.left; }
                    el.style.marginLeft = shift + "px";
                    r = el.getBoundingClientRect();
                    /* 20-30 kecamatan on a small map: a label that would cover another is left out (hover names all) */
                    var clash = placed.some(function (p) {
                        return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
                    });
                    if (clash) { el.style.visibility = "hidden"; } else { placed.push(r); }
                });
            }
            map.on("zoomend moveend", keepLabelsInside);
            setTimeout(keepLabelsInside, 0);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitBesideLegend"
        self.bounds = bounds


def _legend(measure: str, edges: list[float], colours: list[str], lang: str, has_heat: bool) -> str:
    decimals = 1 if measure == "per_10k" else 0
    rows = [f"<b>{t('map_' + measure, lang)}</b>"]
    for i, colour in enumerate(colours):
        low, high = fmt_number(edges[i], lang, decimals), fmt_number(edges[i + 1], lang, decimals)
        rows.append(f'<div class="row"><span class="sw" style="background:{colour}"></span>{low}–{high}</div>')
    rows.append(f"<b style='margin-top:0.5vw'>{t('map_sensors', lang)}</b>")
    for state in STATE_ORDER:
        icon = f'<span class="si"><span class="s s-{state}"></span></span>'
        rows.append(f'<div class="row">{icon} {t(state, lang)}</div>')
    if has_heat:
        heat = '<span class="sw" style="background:linear-gradient(90deg,#3050ff,#50ff50,#ffff00,#ff3000)"></span>'
        rows.append(f"<div class='row' style='margin-top:0.4vw'>{heat}{t('map_heat', lang)}</div>")
    return '<div class="map-legend">' + "".join(rows) + "</div>"


def build_map_html(
    districts: pd.DataFrame,
    sensors: pd.DataFrame,
    complaint_points: pd.DataFrame,
    options: MapOptions,
    sensor_sparks: dict[str, list[float]] | None = None,
) -> str:
    """The whole map page. `districts` needs code, name, geometry (GeoJSON), centroid_lat/lon and the measure."""
    measure = options.measure if options.measure in MEASURES else "per_10k"
    lang = options.lang
    tiles = None if options.tile_url.strip().lower() in ("", "none") else options.tile_url
    m = folium.Map(
        location=[-6.18, 106.63],
        zoom_start=12,
        tiles=None,
        max_zoom=18,  # required with tiles=None, or MarkerCluster/HeatMap fail
        zoom_control=options.interactive,
        attribution_control=tiles is not None,
        prefer_canvas=True,
        zoom_snap=0.25,  # quarter steps: the city fills the frame instead of the nearest whole zoom's half of it
        zoom_delta=0.5,
    )
    if tiles:
        folium.TileLayer(tiles=tiles, attr=options.tile_attribution or "©", max_zoom=19, name="basemap").add_to(m)
    collection, edges, colours = _district_features(districts, measure, lang)
    folium.GeoJson(
        collection,
        name="districts",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#e6edf7",
            "weight": 1.5,
            "fillOpacity": 0.55 if tiles else 0.85,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"], labels=False),
    ).add_to(m)
    if not complaint_points.empty:
        heat = plugins.HeatMap(
            complaint_points[["lat", "lon"]].to_numpy().tolist(),
            radius=HEAT_RADIUS_PX,
            blur=HEAT_BLUR_PX,
            min_opacity=0.25,
            max_zoom=16,
        ).add_to(m)
        HeatForScreen(heat).add_to(m)
    for row in districts.itertuples(index=False):
        folium.Marker(
            [row.centroid_lat, row.centroid_lon],
            icon=folium.DivIcon(html=f"<div>{map_text(row.name)}</div>", class_name="district-label"),
        ).add_to(m)
    if not sensors.empty:
        SensorLayer(_sensor_features(sensors, lang, sensor_sparks or {})).add_to(m)
    focus = districts[districts["code"] == options.focus_district] if options.focus_district else districts
    FitBesideLegend(_bounds(focus if not focus.empty else districts)).add_to(m)
    root = m.get_root()
    root.header.add_child(folium.Element(MAP_CSS))
    root.html.add_child(folium.Element(_legend(measure, edges, colours, lang, not complaint_points.empty)))
    use_local_assets(m)
    return root.render()


def _bounds(districts: pd.DataFrame) -> list[list[float]]:
    """South-west and north-east corners of the districts' polygons."""
    lats: list[float] = []
    lons: list[float] = []
    for geometry in districts["geometry"]:
        geo = json.loads(geometry) if isinstance(geometry, str) else geometry
        _collect(geo["coordinates"], lats, lons)
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _collect(coords: object, lats: list[float], lons: list[float]) -> None:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        lons.append(float(coords[0]))
        lats.append(float(coords[1]))
        return
    for part in coords:  # type: ignore[union-attr]
        _collect(part, lats, lons)
