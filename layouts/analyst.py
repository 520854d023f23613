"""The analysts' workbench: a skeleton the analyst callbacks fill."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.i18n import lang_of, t


def layout(lang: str | None = None, **_: object) -> html.Div:
    lang = lang_of(lang)
    return html.Div(
        [
            dcc.Store(id=ids.ANALYST_PARAMS, data={"lang": lang}),
            html.H1(t("analyst", lang)),
            html.Div(id=ids.ANALYST_BODY),
        ],
        className="analyst container-fluid",
    )
