"""The federation room's pages: the wall (/federation: members' map, rankings, cards with freshness) and the
leaders' comparison (/federation/leader: daily scores over time, now against a week and a month ago).

Skeletons and component builders of plain data; callbacks/federation.py fills them.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from dash import dcc, html

from data.city import current as current_room
from layouts import ids
from layouts.components.tiles import ranking_list, status_from_score
from layouts.federation_figures import MEASURES
from layouts.i18n import fmt_age, fmt_number, fmt_time_wib, lang_of, t

REFRESH_MS = 10_000


def _header(lang: str, page: str) -> html.Div:
    room = current_room()
    if page == "wall":
        other = ("/federation/leader", t("fed_leader_link", lang))
    else:
        other = ("/federation", t("fed_wall_link", lang))
    return html.Div(
        [
            html.Div(
                [html.Div(t("fed_app", lang), className="fed-app"), html.H1(room.room_title(lang))],
                className="fed-titles",
            ),
            html.Div(id=ids.FED_COUNTS, className="fed-counts") if page == "wall" else html.Div(className="fed-counts"),
            html.A(other[1], href=f"{other[0]}?lang={lang}", className="fed-link"),
            html.A("EN" if lang == "id" else "ID", href=f"?lang={_other_lang(lang)}", className="fed-link"),
            html.Div(
                [html.Span(id=ids.FED_CLOCK) if page == "wall" else None, f" {room.zone.label}"],
                className="fed-zone",
                title=room.zone.name,
            ),
        ],
        className="fed-header",
    )


def _other_lang(lang: str) -> str:
    return "en" if lang == "id" else "id"


def wall_layout(measure: str | None = None, lang: str | None = None, **_: object) -> html.Div:
    """The federation wall: readable from five metres, refreshed every few seconds, never reloaded."""
    lang = lang_of(lang)
    measure = measure if isinstance(measure, str) and measure in MEASURES else "score"
    return html.Div(
        [
            dcc.Store(id=ids.FED_PARAMS, data={"lang": lang, "offset_hours": current_room().zone.offset_hours}),
            dcc.Store(id=ids.FED_VIEWPORT, data=[1920, 1080]),
            dcc.Store(id=ids.FED_STATE),
            dcc.Interval(id=ids.FED_TICK, interval=REFRESH_MS),
            _header(lang, "wall"),
            html.Div(
                [
                    html.Div(
                        [
                            dcc.RadioItems(
                                id=ids.FED_MEASURE,
                                value=measure,
                                inline=True,
                                className="fed-measure",
                                options=[{"label": t(f"fed_{m}", lang), "value": m} for m in MEASURES],
                            ),
                            dcc.Graph(
                                id=ids.FED_MAP,
                                className="fed-map",
                                responsive=True,
                                style={"height": "100%"},
                                config={"displayModeBar": False, "scrollZoom": False},
                            ),
                            html.Div(t("fed_stale_legend", lang), className="fed-legend"),
                        ],
                        className="fed-map-panel",
                    ),
                    html.Div(id=ids.FED_RANKINGS, className="fed-rankings"),
                ],
                className="fed-main",
            ),
            html.Div(id=ids.FED_CARDS, className="fed-cards"),
        ],
        className="fed fed-wall theme-dark",
        lang=lang,
    )


def leader_layout(lang: str | None = None, **_: object) -> html.Div:
    """Members compared over time (each on its own local days), and the assessment table to download."""
    lang = lang_of(lang)
    return html.Div(
        [
            dcc.Store(id=ids.FED_LEADER_PARAMS, data={"lang": lang}),
            dcc.Interval(id=ids.FED_LEADER_TICK, interval=60_000),
            _header(lang, "leader"),
            html.Div(
                [
                    html.H2(t("fed_leader_title", lang)),
                    dcc.Dropdown(id=ids.FED_CHOOSE, multi=True, placeholder=t("fed_choose", lang)),
                    html.H3(t("fed_history", lang)),
                    dcc.Graph(id=ids.FED_HISTORY, config={"displaylogo": False, "displayModeBar": "hover"}),
                    html.Div(id=ids.FED_TABLE),
                    html.Div(
                        [
                            html.Span(t("fed_export", lang) + ": "),
                            html.A("CSV", href="/federation/export.csv", className="fed-export"),
                            html.A("XLSX", href="/federation/export.xlsx", className="fed-export"),
                        ],
                        className="fed-exports",
                    ),
                ],
                className="fed-leader-body",
            ),
        ],
        className="fed fed-leader",
        lang=lang,
    )


def _value(row: pd.Series, column: str, lang: str) -> str:
    _, decimals, suffix = MEASURES.get(column, ("higher", 0, ""))
    value = row.get(column)
    return "—" if value is None or pd.isna(value) else fmt_number(float(value), lang, decimals) + suffix


def rankings(board: pd.DataFrame, tops: dict[str, tuple[pd.DataFrame, pd.DataFrame]], lang: str) -> list[html.Div]:
    """Top and bottom five by City Score, application integration and SLA."""
    out = []
    for measure, (top, bottom) in tops.items():
        rows_top = [(str(r["name"]), _value(r, measure, lang), "") for _, r in top.iterrows()]
        rows_bottom = [(str(r["name"]), _value(r, measure, lang), "") for _, r in bottom.iterrows()]
        out.append(
            html.Div(
                [
                    html.H3(t(f"fed_{measure}", lang)),
                    ranking_list(t("fed_top", lang), rows_top, "good"),
                    ranking_list(t("fed_bottom", lang), rows_bottom, "bad"),
                ],
                className="fed-ranking",
            )
        )
    return out


def member_card(row: pd.Series, now: datetime, lang: str) -> html.A:
    """One member: score, open and late complaints, SLA, integration, danger alerts, and how fresh this is.

    A stale member keeps its last figures under a hatched STALE mark with the time of its last summary."""
    has = bool(row["has_figures"]) if not pd.isna(row["has_figures"]) else False
    if not has:
        fresh = html.Span(t("fed_never", lang), className="fed-fresh never")
    elif row["stale"]:
        last = row["last_ok_at"]
        shown = fmt_time_wib(last, with_date=(now - last).total_seconds() > 20 * 3600, now=now)
        fresh = html.Span(
            f"{t('fed_stale', lang)} · {shown}",
            className="fed-fresh stale",
            title=f"{t('fed_last_summary', lang)} {fmt_age(row['age_s'], lang)}",
        )
    else:
        fresh = html.Span(f"{t('fed_fresh', lang)} · {fmt_age(row['age_s'], lang)}", className="fed-fresh")
    score = row.get("score") if has else None
    status = status_from_score(None if score is None or pd.isna(score) else float(score))
    figures = [
        html.Div(
            [html.Span(_value(row, "score", lang) if has else t("fed_no_figures", lang), className="fed-score"), fresh],
            className="fed-score-row",
        ),
        html.Div(
            [
                html.Span(f"{_value(row, 'open', lang)} {t('fed_open', lang)}"),
                html.Span(f"{_value(row, 'late', lang)} {t('fed_late', lang)}"),
                html.Span(f"SLA {_value(row, 'sla_pct', lang)}"),
                html.Span(f"{t('fed_integrated', lang)} {_value(row, 'connected_pct', lang)}"),
            ],
            className="fed-figures",
        ),
    ]
    danger = row.get("alerts_danger")
    head = [html.Span(str(row["name"]), className="fed-name")]
    if has and danger is not None and not pd.isna(danger) and int(danger) > 0:
        head.append(html.Span(f"▲ {int(danger)}", className="fed-danger", title=t("fed_alerts", lang)))
    head.append(html.Span(str(row["zone_label"]), className="fed-member-zone"))
    classes = f"fed-card status-{status}" + (" stale" if row["stale"] else "")
    return html.A(
        [
            html.Div(head, className="fed-card-head"),
            *figures,
        ],
        href=str(row["url"]),
        target="_blank",
        rel="noopener",
        title=t("fed_open_room", lang),
        className=classes,
        **{"data-member": str(row["code"]), "data-stale": "1" if row["stale"] else "0"},
    )


def member_cards(board: pd.DataFrame, now: datetime, lang: str, limit: int = 12) -> list[html.A | html.Div]:
    """Stale and never-heard members first, then from the lowest score up: what needs a look comes first;
    beyond `limit` a '+N' tile says how many more the leaders' table lists."""
    order = board.assign(
        _never=~board["has_figures"].fillna(False).astype(bool),
        _stale=board["stale"].astype(bool),
        _score=pd.to_numeric(board["score"], errors="coerce").fillna(float("inf")),
    ).sort_values(["_never", "_stale", "_score", "name"], ascending=[False, False, True, True])
    shown = [member_card(row, now, lang) for _, row in order.head(limit).iterrows()]
    if len(order) > limit:
        shown[-1] = html.Div(f"+{len(order) - limit + 1} {t('fed_members', lang).lower()}", className="fed-more")
    return shown


def counts(board: pd.DataFrame, lang: str) -> str:
    stale = int(board["stale"].astype(bool).sum())
    return t("fed_counts", lang).format(fresh=len(board) - stale, stale=stale, total=len(board))


def comparison_table(board: pd.DataFrame, then: dict[str, dict[str, float | None]], lang: str) -> html.Table:
    """Each member's City Score now, a week and a month ago (its own local days), with SLA and integration."""
    head = [
        t("fed_member", lang),
        t("fed_zone", lang),
        t("fed_now", lang),
        t("fed_week_ago", lang),
        t("fed_month_ago", lang),
        t("fed_sla_pct", lang),
        t("fed_connected_pct", lang),
    ]
    body = []
    for _, row in board.iterrows():
        past = then.get(str(row["code"]), {})
        body.append(
            html.Tr(
                [
                    html.Td(str(row["name"])),
                    html.Td(str(row["zone_label"])),
                    html.Td(_value(row, "score", lang)),
                    html.Td(fmt_number(past.get("week"), lang, 2)),
                    html.Td(fmt_number(past.get("month"), lang, 2)),
                    html.Td(_value(row, "sla_pct", lang)),
                    html.Td(_value(row, "connected_pct", lang)),
                ],
                className="stale" if row["stale"] else "",
            )
        )
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)], className="fed-table")
