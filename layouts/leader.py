"""The leaders' briefing (tablet first): a skeleton the leader callbacks fill."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.i18n import lang_of, t


def layout(lang: str | None = None, **_: object) -> html.Div:
    lang = lang_of(lang)
    return html.Div(
        [
            dcc.Store(id=ids.LEADER_PARAMS, data={"lang": lang}),
            html.H1(t("leader", lang)),
            html.Div(id=ids.LEADER_BODY),
        ],
        className="leader container-fluid",
    )
