"""Text from a feed reaches Plotly as text, never as markup: no clickable <a href> in a legend or axis label."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from layouts import analyst_figures, ops_parts
from layouts.figure_text import plot_text, plot_texts

EVIL = '<a href="http://evil.example/">Jalan</a>'


def strings(node: object) -> list[str]:
    """Every string a figure can draw: all of its JSON but customdata no hover template shows (click keys)."""
    if isinstance(node, go.Figure):
        node = node.to_plotly_json()
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        shown = "customdata" in str(node.get("hovertemplate", ""))
        return [s for k, v in node.items() if k != "customdata" or shown for s in strings(v)]
    if hasattr(node, "tolist"):
        node = node.tolist()
    if isinstance(node, list | tuple):
        return [s for v in node for s in strings(v)]
    return []


def assert_no_markup_from_the_feed(fig: object) -> None:
    texts = strings(fig)
    assert not any("<a" in s or 'evil.example/">' in s for s in texts), [s for s in texts if "<a" in s]
    assert any("&lt;a href" in s for s in texts)  # the text is still there, shown as typed


def test_the_escape_keeps_the_words_and_drops_the_markup():
    assert plot_text(EVIL) == '&lt;a href="http://evil.example/"&gt;Jalan&lt;/a&gt;'
    assert plot_text("A & B") == "A &amp; B"
    assert list(plot_texts(pd.Series(["<b>x</b>", None]))) == ["&lt;b&gt;x&lt;/b&gt;", ""]


def test_analyst_charts_escape_categories_agencies_and_districts():
    """Before: a service_name of <a href=...> rendered as an SVG link in the analyst legend and axis labels."""
    periods = ["2026-11-18", "2026-11-19"]
    over = pd.DataFrame({"period": periods, "category": [EVIL, EVIL], "n": [3, 4]})
    assert_no_markup_from_the_feed(analyst_figures.over_time(over, "day", "id"))
    counts = pd.DataFrame({"agency": [EVIL, "DPUPR"], "n": [5, 2]})
    assert_no_markup_from_the_feed(analyst_figures.counts_bar(counts, "agency", [], "id"))
    buckets = pd.DataFrame({"agency": [EVIL], "bucket": [analyst_figures.CLOSE_ORDER[0]], "n": [3]})
    sla = pd.DataFrame({"agency": [EVIL], "sla_pct": [50.0]})
    assert_no_markup_from_the_feed(analyst_figures.close_by_agency(buckets, sla, [], "en"))
    reports = pd.DataFrame({"period": periods, "n": [1, 2]})
    readings = pd.DataFrame({"period": periods, "kind": ["rainfall", "rainfall"], "value": [3.0, 4.0]})
    assert_no_markup_from_the_feed(analyst_figures.sensor_vs_complaints(readings, reports, [EVIL], "id"))
    districts = pd.DataFrame({"code": ["3671010"], "name": [EVIL], "n": [9], "per_10k": [1.5]})
    assert_no_markup_from_the_feed(analyst_figures.district_map(districts, {"type": "FeatureCollection"}, [], "id"))


def test_ops_maps_and_timeline_escape_descriptions_titles_and_names():
    now = datetime(2026, 11, 20, 5, 0)
    card = {
        "incident": {"id": 1, "lat": -6.18, "lon": 106.63, "radius_m": 500.0},
        "complaints": pd.DataFrame({"id": [7], "lat": [-6.18], "lon": [106.63], "description": [EVIL],
                                    "distance_m": [10.0], "requested_at": [now]}),
        "sensors": pd.DataFrame({"kind": ["rainfall"], "lat": [-6.18], "lon": [106.63], "name": [EVIL],
                                 "distance_m": [20.0]}),
        "alerts": pd.DataFrame({"opened_at": [now], "title": [EVIL]}),
        "audit": pd.DataFrame({"at": [now], "actor": ["operator1"], "action": ["ack"]}),
    }  # fmt: skip
    assert_no_markup_from_the_feed(ops_parts.incident_map(card, {"type": "FeatureCollection"}, "id"))
    assert_no_markup_from_the_feed(ops_parts.incident_timeline(card, "id"))
    alerts = pd.DataFrame({"lat": [-6.18], "lon": [106.63], "severity": ["danger"], "status": ["open"],
                           "title": [EVIL], "id": [3]})  # fmt: skip
    assert_no_markup_from_the_feed(ops_parts.alerts_map(alerts, {"type": "FeatureCollection"}, "id"))
