"""Admin callbacks: people and tokens through data/auth (no SQL here); every change names the admin who made it.

The server already refused these callbacks to anyone without the admin permission (dashboard/auth.py);
bad input comes back as a message on the page and changes nothing.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g, request

from callbacks.context import runtime
from callbacks.registry import guarded_callback
from data.auth import tokens, users
from data.auth.events import recent_events
from layouts import admin, ids
from layouts.i18n import fmt_time_wib, t

LOG_ROWS = 300


def _actor() -> str:
    principal = g.get("city_principal")
    return principal.name if principal is not None else "unknown"


def _message(text: str, ok: bool = True) -> html.Div:
    return html.Div(text, className=f"alert alert-{'success' if ok else 'danger'} py-2", id=ids.ADMIN_RESULT)


def _signed_in_person() -> str | None:
    """The signed-in person's name; None for the open demo or a device (nobody who could log out)."""
    principal = g.get("city_principal")
    return principal.name if principal is not None and principal.kind == "person" else None


def table_rows(_version: int | None, params: dict | None) -> tuple[list, list, list, object, list]:
    """The three grids, the open-demo notice and who is signed in, re-read after every change."""
    lang = (params or {}).get("lang", "id")
    yes_no = {True: t("yes", lang), False: t("no", lang)}
    engine = runtime().engine
    people = [
        {
            "id": u.id,
            "username": u.username,
            "display_name": u.display_name,
            "role": t(f"role_{u.role}", lang),
            "personal_data": yes_no[bool(u.personal_data)],
            "active": yes_no[bool(u.active)],
            "is_active": bool(u.active),
            "last_login": fmt_time_wib(u.last_login_at, with_date=True) if u.last_login_at else "—",
        }
        for u in users.list_users(engine)
    ]
    toks = [
        {
            "id": k.id,
            "kind": t(f"token_kind_{k.kind}", lang),
            "name": k.name,
            "scopes": ", ".join(k.scopes),
            "state": t("token_active" if k.active else ("token_revoked" if k.revoked_at else "token_expired"), lang),
            "prefix": k.prefix + "…",
            "last_used": fmt_time_wib(k.last_used_at, with_date=True) if k.last_used_at else "—",
            "created_by": k.created_by,
        }
        for k in tokens.list_tokens(engine)
    ]
    log = [
        {**e, "at": fmt_time_wib(e["at"], with_date=True), "ok": "✓" if e["ok"] else "✗"}
        for e in recent_events(engine, limit=LOG_ROWS)
    ]
    notice = None
    if not any(u["is_active"] for u in people):
        notice = html.Div(t("admin_open_demo", lang), className="alert alert-warning", id=ids.ADMIN_OPEN_DEMO)
    return people, toks, log, notice, admin.account(_signed_in_person(), lang)


def _selected(rows: list | None) -> dict | None:
    return rows[0] if rows else None


def change_user(
    _add: int | None,
    _pw: int | None,
    _role: int | None,
    _disable: int | None,
    _enable: int | None,
    selected: list | None,
    username: str | None,
    name: str | None,
    role: str | None,
    personal: bool | None,
    password: str | None,
    version: int | None,
    params: dict | None,
) -> tuple[object, int, str]:
    """Add a person, or change the selected one; returns the message, a new version and a cleared password."""
    lang = (params or {}).get("lang", "id")
    engine = runtime().engine
    actor = _actor()
    action = ctx.triggered_id
    row = _selected(selected)
    try:
        if action == ids.ADMIN_ADD_USER:
            added = users.add_user(
                engine,
                username or "",
                password or "",
                role or "",
                display_name=name or "",
                personal_data=bool(personal),
                actor=actor,
            )
            text = f"{t('done', lang)} {added.username} ({added.role})"
        else:
            if row is None:
                return _message(t("select_row", lang), ok=False), no_update, no_update
            target = row["username"]
            if action == ids.ADMIN_SET_PASSWORD:
                users.set_password(engine, target, password or "", actor=actor)
            elif action == ids.ADMIN_SET_ROLE:
                users.set_role(engine, target, role or "", bool(personal), actor=actor)
            elif action in (ids.ADMIN_DISABLE, ids.ADMIN_ENABLE):
                if action == ids.ADMIN_DISABLE and target == actor:
                    raise ValueError("you cannot disable yourself")
                users.set_active(engine, target, action == ids.ADMIN_ENABLE, actor=actor)
            text = f"{t('done', lang)} {target}"
    except ValueError as exc:
        return _message(str(exc), ok=False), no_update, no_update
    return _message(text), (version or 0) + 1, ""


def change_token(
    _create: int | None,
    _revoke: int | None,
    selected: list | None,
    kind: str | None,
    name: str | None,
    scopes: str | None,
    days: int | float | None,
    version: int | None,
    params: dict | None,
) -> tuple[object, object, int]:
    """Create a token (shown once, here) or revoke the selected one."""
    lang = (params or {}).get("lang", "id")
    engine = runtime().engine
    try:
        if ctx.triggered_id == ids.ADMIN_REVOKE:
            row = _selected(selected)
            if row is None:
                return _message(t("select_row", lang), ok=False), no_update, no_update
            info = tokens.revoke_token(engine, int(row["id"]), _actor())
            return _message(f"{t('done', lang)} {info.kind} {info.id}: {t('token_revoked', lang)}"), None, version + 1
        scope_list = [s for s in (scopes or "").replace(" ", ",").split(",") if s]
        expires = int(days) if days not in (None, "") else None
        plain, info = tokens.create_token(engine, kind or "", name or "", scope_list, _actor(), expires)
    except (ValueError, TypeError) as exc:
        return _message(str(exc), ok=False), no_update, no_update
    if info.kind == "device":
        usage = [
            html.Div(t("wall_url", lang)),
            html.Code(f"{request.host_url}wall?token={plain}", id=ids.ADMIN_NEW_URL),
        ]
    else:
        usage = [html.Div(t("bearer_hint", lang)), html.Code(f"Authorization: Bearer {plain}", id=ids.ADMIN_NEW_URL)]
    shown = html.Div(
        [html.Strong(t("token_once", lang)), html.Pre(plain, id=ids.ADMIN_NEW_TOKEN, className="mb-1"), *usage],
        className="alert alert-warning",
    )
    return _message(f"{t('done', lang)} {info.kind} {info.id}"), shown, (version or 0) + 1


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "admin",
        Output(ids.ADMIN_USERS_GRID, "rowData"),
        Output(ids.ADMIN_TOKENS_GRID, "rowData"),
        Output(ids.ADMIN_LOG_GRID, "rowData"),
        Output(ids.ADMIN_NOTICE, "children"),
        Output(ids.ADMIN_ACCOUNT, "children"),
        Input(ids.ADMIN_VERSION, "data"),
        State(ids.ADMIN_PARAMS, "data"),
    )(table_rows)
    guarded_callback(
        app,
        "admin",
        Output(ids.ADMIN_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ADMIN_VERSION, "data", allow_duplicate=True),
        Output(ids.ADMIN_NEW_PASSWORD, "value"),
        Input(ids.ADMIN_ADD_USER, "n_clicks"),
        Input(ids.ADMIN_SET_PASSWORD, "n_clicks"),
        Input(ids.ADMIN_SET_ROLE, "n_clicks"),
        Input(ids.ADMIN_DISABLE, "n_clicks"),
        Input(ids.ADMIN_ENABLE, "n_clicks"),
        State(ids.ADMIN_USERS_GRID, "selectedRows"),
        State(ids.ADMIN_NEW_USERNAME, "value"),
        State(ids.ADMIN_NEW_NAME, "value"),
        State(ids.ADMIN_NEW_ROLE, "value"),
        State(ids.ADMIN_NEW_PERSONAL, "value"),
        State(ids.ADMIN_NEW_PASSWORD, "value"),
        State(ids.ADMIN_VERSION, "data"),
        State(ids.ADMIN_PARAMS, "data"),
        prevent_initial_call=True,
    )(change_user)
    guarded_callback(
        app,
        "admin",
        Output(ids.ADMIN_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ADMIN_TOKEN_SHOWN, "children"),
        Output(ids.ADMIN_VERSION, "data", allow_duplicate=True),
        Input(ids.ADMIN_CREATE_TOKEN, "n_clicks"),
        Input(ids.ADMIN_REVOKE, "n_clicks"),
        State(ids.ADMIN_TOKENS_GRID, "selectedRows"),
        State(ids.ADMIN_TOKEN_KIND, "value"),
        State(ids.ADMIN_TOKEN_NAME, "value"),
        State(ids.ADMIN_TOKEN_SCOPES, "value"),
        State(ids.ADMIN_TOKEN_DAYS, "value"),
        State(ids.ADMIN_VERSION, "data"),
        State(ids.ADMIN_PARAMS, "data"),
        prevent_initial_call=True,
    )(change_token)
