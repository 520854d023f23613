"""The tree walker the layout tests stand on: it reaches components in any prop and reads a callback's JSON form
the same as the components, so a test finds the node it means wherever the page puts it."""

from __future__ import annotations

import json

import pytest
from dash import dcc, html
from plotly.utils import PlotlyJSONEncoder

from tests.helpers.components import classes, find, find_all, props, text, texts, type_name, walk


def _tile() -> html.Div:
    pick = dcc.Dropdown(id="pick", options=[{"label": html.Span("Karawaci", id="option"), "value": "36.71.01"}])
    return html.Div(
        [html.B("1.234", className="kpi-number"), " open", 7, pick],
        id="tile",
        className="kpi-tile stale",
        **{"data-kpi": "open_backlog"},
    )


def test_components_inside_props_are_walked_and_only_children_are_text():
    tile = _tile()
    assert [type_name(node) for node in walk(tile)] == ["Div", "B", "Dropdown", "Span"]
    assert texts(tile) == ["1.234", " open", "7"] and text(tile) == "1.234 open7"  # an option label is not text
    assert text(find(tile, id="option")) == "Karawaci"
    assert find(tile, class_name="stale kpi-tile") is tile and find_all(tile, class_name="stal") == []
    assert props(find(tile, **{"data-kpi": "open_backlog"}))["id"] == "tile" and classes(tile) == {"kpi-tile", "stale"}


def test_a_callback_s_json_reads_like_the_components():
    tile = _tile()
    as_json = json.loads(json.dumps(tile, cls=PlotlyJSONEncoder))
    assert [type_name(node) for node in walk(as_json)] == [type_name(node) for node in walk(tile)]
    assert texts(as_json) == texts(tile) and text(find(as_json, html.B)) == "1.234"
    assert find_all(as_json, dcc.Dropdown, id="pick") and find_all(as_json, html.Div, id="pick") == []


def test_find_fails_unless_exactly_one_node_matches():
    with pytest.raises(AssertionError, match="0 nodes"):
        find(_tile(), html.Span, id="nowhere")
    with pytest.raises(AssertionError, match="2 nodes"):
        find(html.Div([html.Li("a"), html.Li("b")]), html.Li)
