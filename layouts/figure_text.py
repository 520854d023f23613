"""Text from a feed made safe for a Plotly figure.

Plotly renders a subset of HTML in every text it draws (axis labels, legends, hovers, annotations):
`<a href>` becomes a clickable SVG link, `<b>`/`<br>` change the layout. A complaint's service name or
description is data, never markup, so `&`, `<` and `>` become entities, which Plotly shows as the characters.
Labels the room writes itself (with deliberate `<b>`/`<br>`) go through templates, never through here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import pandas as pd


def plot_text(value: object) -> str:
    """One feed text for a figure: shown as typed, never interpreted."""
    return html.escape(str(value), quote=False)


def plot_texts(values: pd.Series | Iterable[object]) -> np.ndarray:
    """A column of feed texts for a figure (missing values become empty text)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = series.fillna("").astype(str)
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;").to_numpy()
