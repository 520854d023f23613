"""The smallest Dash callback (echo a store into a div): the round trip every callback pays, for the floor."""

from __future__ import annotations

import json

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
app.layout = html.Div([dcc.Store(id="in", data=1), html.Div(id="out")])


@app.callback(Output("out", "children"), Input("in", "data"))
def echo(value: object) -> object:
    return value


server = app.server
BODY = json.dumps(
    {
        "output": "out.children",
        "outputs": {"id": "out", "property": "children"},
        "inputs": [{"id": "in", "property": "data", "value": 1}],
        "changedPropIds": ["in.data"],
    }
)
