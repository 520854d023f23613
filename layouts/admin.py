"""The administrator's page: people, wall device and ingest tokens, and the security log.

Everything shown comes from callbacks (this module never queries); grids show text as text, so a
hostile name cannot run as markup.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.auth.roles import ROLES
from layouts import ids
from layouts.grid_locale import grid_locale_text
from layouts.i18n import lang_of, t


def _grid(grid_id: str, columns: list[tuple[str, str]], lang: str, height: str = "18rem") -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[{"field": field, "headerName": t(word, lang)} for field, word in columns],
        rowData=[],
        getRowId="params.data.id",
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "flex": 1,
            "minWidth": 130,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },  # fmt: skip
        dashGridOptions={
            "localeText": grid_locale_text(lang),
            "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
            "animateRows": False,
        },
        className="ag-theme-alpine",
        style={"height": height},
    )


def _field(component: object, label: str, width: int | str = 3) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-1"), component], md=width, className="mb-2")


def users_section(lang: str) -> html.Section:
    roles = [{"label": t(f"role_{r}", lang), "value": r} for r in ROLES]
    return html.Section(
        [
            html.H2(t("admin_users", lang), className="h5"),
            _grid(
                ids.ADMIN_USERS_GRID,
                [
                    ("username", "username"),
                    ("display_name", "display_name"),
                    ("role", "role"),
                    ("personal_data", "personal_data"),
                    ("active", "active"),
                    ("last_login", "last_login"),
                ],
                lang,
            ),
            dbc.Row(
                [
                    _field(dbc.Input(id=ids.ADMIN_NEW_USERNAME, maxLength=64, autocomplete="off"), t("username", lang)),
                    _field(dbc.Input(id=ids.ADMIN_NEW_NAME, maxLength=120), t("display_name", lang)),
                    _field(dbc.Select(id=ids.ADMIN_NEW_ROLE, options=roles, value="leader"), t("role", lang), 2),
                    _field(
                        dbc.Input(
                            id=ids.ADMIN_NEW_PASSWORD, type="password", maxLength=256, autocomplete="new-password"
                        ),
                        t("password", lang) + " / " + t("new_password", lang),
                    ),
                    # its own width (wraps to a new line when the row is full), so the label never spills out
                    _field(
                        dbc.Checkbox(id=ids.ADMIN_NEW_PERSONAL, label=t("personal_data", lang), value=False),
                        "\u00a0",
                        "auto",
                    ),
                ],
                className="mt-2 g-2",
            ),
            html.Div(
                [
                    dbc.Button(t("add_user", lang), id=ids.ADMIN_ADD_USER, color="primary"),
                    dbc.Button(t("set_password", lang), id=ids.ADMIN_SET_PASSWORD, color="secondary"),
                    dbc.Button(
                        t("role", lang) + " / " + t("personal_data", lang), id=ids.ADMIN_SET_ROLE, color="secondary"
                    ),
                    dbc.Button(t("disable", lang), id=ids.ADMIN_DISABLE, color="danger"),
                    dbc.Button(t("enable", lang), id=ids.ADMIN_ENABLE, color="success"),
                ],
                className="d-flex flex-wrap gap-2",
            ),
        ],
        className="mb-4",
    )


def tokens_section(lang: str) -> html.Section:
    kinds = [{"label": t(f"token_kind_{k}", lang), "value": k} for k in ("device", "ingest")]
    return html.Section(
        [
            html.H2(t("admin_tokens", lang), className="h5"),
            _grid(
                ids.ADMIN_TOKENS_GRID,
                [
                    ("id", "token_id"),
                    ("kind", "token_kind"),
                    ("name", "token_name"),
                    ("scopes", "token_scopes"),
                    ("state", "status"),
                    ("prefix", "prefix"),
                    ("last_used", "last_login"),
                    ("created_by", "event_actor"),
                ],
                lang,
            ),
            dbc.Row(
                [
                    _field(dbc.Select(id=ids.ADMIN_TOKEN_KIND, options=kinds, value="device"), t("token_kind", lang)),
                    _field(dbc.Input(id=ids.ADMIN_TOKEN_NAME, maxLength=120), t("token_name", lang)),
                    _field(dbc.Input(id=ids.ADMIN_TOKEN_SCOPES, value="wall", maxLength=300), t("token_scopes", lang)),
                    _field(
                        dbc.Input(id=ids.ADMIN_TOKEN_DAYS, type="number", min=1, step=1), t("expires_days", lang), 2
                    ),
                ],
                className="mt-2 g-2",
            ),
            html.Div(
                [
                    dbc.Button(t("create_token", lang), id=ids.ADMIN_CREATE_TOKEN, color="primary"),
                    dbc.Button(t("revoke", lang), id=ids.ADMIN_REVOKE, color="danger"),
                ],
                className="d-flex flex-wrap gap-2",
            ),
            html.Div(id=ids.ADMIN_TOKEN_SHOWN, className="mt-2"),
        ],
        className="mb-4",
    )


def account(name: str | None, lang: str) -> list:
    """'Masuk sebagai Rina' and a log-out button for a signed-in person; nothing when nobody signed in."""
    if not name:
        return []
    return [
        html.Span(f"{t('signed_in_as', lang)} {name}", className="text-muted small"),
        html.A(t("logout", lang), href="/auth/logout", className="btn btn-outline-secondary", id=ids.ADMIN_LOGOUT),
    ]


def layout(lang: str | None = None, **_: object) -> html.Main:
    lang = lang_of(lang)
    log_columns = [
        ("at", "event_at"),
        ("action", "event_action"),
        ("actor", "event_actor"),
        ("subject", "event_subject"),
        ("ip", "ip"),
        ("ok", "event_ok"),
        ("detail", "event_detail"),
    ]
    return html.Main(
        [
            dcc.Store(id=ids.ADMIN_PARAMS, data={"lang": lang}),
            dcc.Store(id=ids.ADMIN_VERSION, data=0),
            html.Div(
                [
                    html.H1(t("admin_title", lang), className="h3 mb-0"),
                    html.Div(id=ids.ADMIN_ACCOUNT, className="d-flex align-items-center gap-2"),
                ],
                className="d-flex justify-content-between align-items-center mb-3",
            ),
            html.Div(id=ids.ADMIN_NOTICE),
            html.Div(id=ids.ADMIN_MESSAGE, role="status"),
            users_section(lang),
            tokens_section(lang),
            html.Section(
                [html.H2(t("admin_log", lang), className="h5"), _grid(ids.ADMIN_LOG_GRID, log_columns, lang, "22rem")]
            ),
        ],
        className="container-fluid py-3 admin-page",
        id=ids.ADMIN_PAGE,
        lang=lang,
    )
