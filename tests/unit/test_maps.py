"""The map page: offline assets only, polygons and labels for every district, configurable basemap."""

import json
import re

import pandas as pd

from callbacks.wall_map import frame_csp
from data.queries.sensors import sensor_states
from data.queries.wall import district_map_measures, recent_complaint_points
from layouts.maps import MapOptions, build_map_html, colour_for, colour_scale, map_text
from layouts.offline_assets import external_assets
from tests.conftest import DEMO_END


def _frames(engine):
    return (
        district_map_measures(engine, DEMO_END),
        sensor_states(engine, DEMO_END),
        recent_complaint_points(engine, DEMO_END),
    )


def test_map_without_tiles_loads_nothing_from_other_hosts_and_draws_every_district(small_city):
    districts, sensors, points = _frames(small_city)
    page = build_map_html(districts, sensors, points, MapOptions(tile_url="none"))
    assert external_assets(page) == []
    assert "tile.openstreetmap" not in page and "L.tileLayer" not in page
    for name in districts["name"]:
        assert name in page
    layer = json.loads(re.search(r"L\.geoJson\((\{.*?\}), \{\s*pointToLayer", page, flags=re.DOTALL).group(1))
    drawn = sorted((f["properties"]["state"], f["properties"]["tip"]) for f in layer["features"])
    # one marker per sensor, by state
    assert drawn == sorted(zip(sensors["state"], sensors["name"].map(map_text), strict=True))
    assert "HeatLayer" in page or "heatLayer" in page


def test_configured_tile_url_is_used(small_city):
    districts, sensors, points = _frames(small_city)
    url = "http://tiles.city.local/{z}/{x}/{y}.png"
    page = build_map_html(districts, sensors, points, MapOptions(tile_url=url, tile_attribution="Pemkot"))
    assert url in page and "Pemkot" in page


def test_legend_bins_follow_the_data():
    edges, colours = colour_scale([0, 5, 30])
    assert edges[0] == 0 and edges[-1] == 30 and len(edges) == len(colours) + 1
    assert colour_for(30, edges, colours) == colours[-1]
    assert colour_for(0, edges, colours) == colours[0]
    assert colour_scale([0, 0])[0][-1] == 1.0  # an all-zero city still has a legend


def test_empty_sensor_and_complaint_frames_still_render(small_city):
    districts = district_map_measures(small_city, DEMO_END)
    page = build_map_html(districts, pd.DataFrame(), pd.DataFrame(columns=["lat", "lon"]), MapOptions(measure="late"))
    assert districts["name"].iloc[0] in page
    assert "Keluhan melewati SLA" in page  # the legend names the chosen measure


def test_frame_csp_allows_exactly_the_inline_scripts_of_the_page(small_city):
    districts, sensors, points = _frames(small_city)
    page = build_map_html(districts, sensors, points, MapOptions())
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, flags=re.DOTALL)
    from flask import Flask

    from callbacks.context import RUNTIME_KEY
    from dashboard.runtime import Runtime
    from dashboard.settings import Settings

    app = Flask(__name__)
    app.extensions[RUNTIME_KEY] = Runtime(settings=Settings(), engine=small_city)
    with app.app_context():
        csp = frame_csp(page)
    assert csp.count("'sha256-") == len(set(inline)) > 0
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
