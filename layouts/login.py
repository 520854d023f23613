"""The login page: a form posted to /auth/login (no callback involved), in the room's two languages."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.i18n import lang_of, t

LOGIN_ERRORS = ("bad_credentials", "blocked")


def _field(name: str, kind: str, autocomplete: str, max_length: int, lang: str) -> tuple[html.Label, dcc.Input]:
    """A labelled input posted as `name` with the form (no callback reads it)."""
    return (
        html.Label(t(name, lang), htmlFor=ids.login_field(name), className="form-label"),
        dcc.Input(
            id=ids.login_field(name),
            name=name,
            type=kind,
            autoComplete=autocomplete,
            required=True,
            maxLength=max_length,
            autoFocus=name == "username",
            className="form-control form-control-lg mb-3",
        ),
    )


def layout(
    next: str | None = None, error: str | None = None, lang: str | None = None, out: str | None = None, **_: object
) -> html.Div:  # noqa: A002, E501 - `next` is the query parameter's name
    """The form; `next` (where to go after login) is checked again on the server, never trusted here."""
    lang = lang_of(lang)
    notices = []
    if error in LOGIN_ERRORS:
        notices.append(html.Div(t(f"login_error_{error}", lang), className="alert alert-danger", id=ids.LOGIN_ERROR))
    elif out:
        notices.append(html.Div(t("logged_out", lang), className="alert alert-info", id=ids.LOGIN_OUT))
    return html.Main(
        html.Div(
            [
                html.H1(t("app_title", lang), className="h3 mb-1"),
                html.H2(t("login_title", lang), className="h5 text-secondary mb-3"),
                html.P(t("login_intro", lang), className="small"),
                *notices,
                html.Form(
                    [
                        *_field("username", "text", "username", 64, lang),
                        *_field("password", "password", "current-password", 256, lang),
                        dcc.Input(id=ids.LOGIN_NEXT, name="next", type="hidden", value=str(next or "")[:500]),
                        dcc.Input(id=ids.LOGIN_LANG, name="lang", type="hidden", value=lang),
                        html.Button(
                            t("login_button", lang),
                            id=ids.LOGIN_SUBMIT,
                            type="submit",
                            className="btn btn-primary btn-lg w-100",
                        ),
                    ],
                    action="/auth/login",
                    method="post",
                    id=ids.LOGIN_FORM,
                ),
                html.P(t("wall_token_hint", lang), className="small text-secondary mt-4 mb-0"),
            ],
            className="card-body",
        ),
        className="card shadow-sm mx-auto my-5",
        style={"maxWidth": "26rem"},
        id=ids.LOGIN_PAGE,
    )
