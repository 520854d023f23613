"""Who is asking, and may they: sessions, device tokens, login/logout, and one server-side check per request.

Every request passes `guard` (a Flask before_request): pages and routes by path (data/auth/access.py holds
the table), Dash callbacks by the permission declared where they are registered (callbacks/registry.py), the
pages router by the page it renders. Hiding a link is never the check.
Principals are cached for a few seconds per process; while the database is unreachable the last known
answer stands, so wall screens keep their last figures instead of falling to an error or a login page.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import dash
from dash import Dash
from flask import Response, g, jsonify, redirect, request, session
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from callbacks import admin as admin_callbacks
from callbacks import dash_internals, registry
from callbacks.context import runtime as current_runtime
from dashboard.api_auth import basic_password, bearer_token, check_ingest_token
from dashboard.exposure import bound_to_loopback_only, declare_bind, open_demo_reachable
from dashboard.runtime import Runtime
from data.auth import access, sessions, tokens, users
from data.auth.events import record_event
from data.auth.roles import OPEN_DEMO, Principal, may_see_personal
from data.cleaning import NUL, strip_nul
from layouts import admin, login
from layouts.i18n import t

AUTH_KEY = "auth"
DASH_KEY = "dash_app"
CACHE_SECONDS = 10.0
SESSION_SECONDS = 1.0  # a page's burst of callbacks shares one lookup; an ended session stops within a second
LANDING = {"wall": "/wall", "leader": "/leader", "analyst": "/analyst", "operator": "/ops", "admin": "/admin"}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN311_POST_PATHS = frozenset({"/open311/v2/requests.json", "/open311/v2/requests.xml"})
T = TypeVar("T")


class PrincipalCache:
    """Short-lived answers per process; the last known answer stands while the database is unreachable.

    Not the figures' version-keyed cache (callbacks/cache.py) on purpose: sessions and users are no data domain
    (a login or logout bumps no version), a logout must forget its session at once in this process, and while
    the database is down the last answer must stand rather than fail; none of which that cache does."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._items: dict[object, tuple[object, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: object, load: Callable[[], T], seconds: float | None = None) -> T:
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and now - hit[1] < (self.seconds if seconds is None else seconds):
            return hit[0]  # type: ignore[return-value]
        try:
            value = load()
        except SQLAlchemyError:
            if hit is not None:
                return hit[0]  # type: ignore[return-value]
            raise
        with self._lock:
            if len(self._items) > 10_000:  # one entry per session: start afresh rather than grow for months
                self._items.clear()
            self._items[key] = (value, now)
        return value

    def forget(self, key: object) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def init_app(app: Dash, runtime: Runtime, bind: Sequence[str]) -> None:
    """Refuse unsafe starts, set the session cookie, and put `guard` in front of every request.

    `bind` is where the server listens (dashboard/exposure.py); empty when the server declares it later."""
    settings = runtime.settings
    if bind:
        declare_bind(runtime, bind)
    server = app.server
    # On loopback without SECRET_KEY a random key per process is safe: nobody else can reach the sessions.
    server.secret_key = settings.secret_key or secrets.token_urlsafe(48)
    secure = settings.cookie_secure in ("1", "true", "yes") or (
        settings.cookie_secure == "auto" and not bound_to_loopback_only(bind or (settings.host,))
    )
    server.config.update(
        SESSION_COOKIE_NAME="city_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        # The cookie lives long so a wall's device session survives for months; a person's session
        # ends after SESSION_HOURS, checked on the server from the time it was issued.
        PERMANENT_SESSION_LIFETIME=timedelta(days=400),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    runtime.extras[AUTH_KEY] = PrincipalCache()
    runtime.extras[DASH_KEY] = app  # the guard authorises a callback request by the callback Dash will run
    # The analysts' grid, record detail and exports ask this one switch before showing personal columns.
    server.config["PERSONAL_DATA_ALLOWED"] = lambda: may_see_personal(current_principal())
    dash.register_page("login", path="/login", layout=login.layout, title=t("login_title", settings.default_lang))
    dash.register_page("admin", path="/admin", layout=admin.layout, title=t("admin_title", settings.default_lang))
    admin_callbacks.register(app)
    server.before_request(guard)
    server.add_url_rule("/auth/login", "auth_login", login_post, methods=["POST"])
    server.add_url_rule("/auth/logout", "auth_logout", logout, methods=["GET", "POST"])
    server.add_url_rule("/auth/whoami", "auth_whoami", whoami)


def _cache() -> PrincipalCache:
    return current_runtime().extras[AUTH_KEY]  # type: ignore[return-value]


def open_demo_active() -> bool:
    """No active users, bound to loopback alone and asked from this machine: the demo runs without login."""
    rt = current_runtime()
    if not open_demo_reachable(rt, request):
        return False
    return _cache().get("user_count", lambda: users.active_user_count(rt.engine)) == 0


def current_principal() -> Principal | None:
    """Who is asking (set by `guard` for this request)."""
    return g.get("city_principal")


def _load_principal() -> Principal | None:
    rt = current_runtime()
    sid = session.get("sid")
    if isinstance(sid, str):
        idle = timedelta(days=rt.settings.device_session_days)
        found = _cache().get(("sid", sid), lambda: sessions.session_principal(rt.engine, sid, idle), SESSION_SECONDS)
        if found is not None:
            return found
    if session:
        session.clear()  # ended, expired, or a cookie from before server-side sessions
    if open_demo_active():
        return OPEN_DEMO
    return None


def guard() -> Response | None:
    """The one server-side check in front of every page, callback and route."""
    path = request.path
    if NUL in path or any(NUL in k or NUL in v for k, v in request.args.items(multi=True)):
        return _refuse(400, "a NUL character (%00) is not allowed in an address")
    if request.method == "POST" and path in OPEN311_POST_PATHS:
        return None  # Open311 POST Service Request: its api_key is checked by dashboard.open311; no cookie counts
    if request.method in UNSAFE_METHODS and not path.startswith("/api/v1/") and not _same_origin():
        return _refuse(403, "cross-site request refused")
    if request.method == "GET" and request.args.get("token") and not path.startswith(("/api/", "/auth/")):
        return _device_login(request.args["token"])
    permission = access.path_permission(path)
    if permission == "ingest":
        return None  # bearer tokens, checked per feed by dashboard.api_auth.check_ingest_token
    if path.startswith("/open311/") and (bearer_token() or request.args.get("api_key")):
        if check_ingest_token("open311", given=request.args.get("api_key")):
            return None  # another city system reading with a token scoped 'open311' (bearer or Open311 api_key)
    if path.startswith("/sta/") and (bearer_token() or basic_password()) and check_ingest_token("sensorthings"):
        return None  # another city system reading SensorThings with a token scoped 'sensorthings'
    principal = _load_principal()
    g.city_principal = principal
    g.user = principal  # exports and audit trails name `g.user.name`
    is_callback = path == dash_internals.UPDATE_COMPONENT_PATH
    if is_callback:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            return _refuse(400, "malformed callback request")
        strip_nul(body)  # Dash reads this same parsed body; PostgreSQL cannot compare text with NUL
        app = current_runtime().extras[DASH_KEY]
        try:
            permission = registry.required_permission(app, body["output"], body.get("inputs"))
        except ValueError as exc:
            return _refuse(400, f"malformed callback request: {exc}")
        if permission is None:  # Dash dispatches by this key: one nobody declared a permission for never runs
            if dash_internals.registered_inputs(app, body["output"]) is None:
                return _refuse(404, "no such callback")
            return _refuse(403, "this callback declares no permission")
    if permission == access.PUBLIC or (principal is not None and principal.may(permission)):
        return None
    if principal is None and request.method == "GET" and not is_callback:
        if path.startswith(("/api/", "/open311/", "/sta/")):
            return _refuse(401, "authentication required")
        query = urlencode({"next": request.full_path.rstrip("?")})
        return redirect(f"/login?{query}", 303)
    if principal is not None and not is_callback:
        _log_denied(principal, path)
    return _refuse(401 if principal is None else 403, "not allowed")


def _same_origin() -> bool:
    """Browsers send Origin on cross-site POSTs; one that names another host is refused (CSRF)."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def _device_login(plain: str) -> Response:
    """A wall URL with ?token=... becomes a device session; the token is then dropped from the address bar."""
    info = tokens.verify_token(current_runtime().engine, "device", plain)
    if info is None:
        return _refuse(401, "this screen's device token is unknown, expired or revoked: ask an administrator")
    rt = current_runtime()
    sid = sessions.start_session(
        rt.engine, lifetime=timedelta(days=rt.settings.device_session_days), token_id=info.id,
        ip=request.remote_addr, user_agent=request.user_agent.string,
    )  # fmt: skip
    session.clear()
    session.permanent = True
    session["sid"] = sid
    args = {k: v for k, v in request.args.items(multi=True) if k != "token"}
    return redirect(request.path + (f"?{urlencode(args)}" if args else ""), 303)


def _refuse(status: int, reason: str) -> Response:
    if request.path.startswith("/open311/"):
        from dashboard.open311_format import format_of, spec_error

        return spec_error(status, reason, format_of(request.path))  # GeoReport v2's error shape
    if request.path.startswith("/sta/"):
        response = jsonify({"code": status, "type": "error", "message": reason})  # SensorThings' (FROST's) shape
    elif request.path.startswith(("/_dash-", "/api/", "/open311/", "/auth/")) or request.is_json:
        response = jsonify({"error": reason, "status": status})
    else:
        response = Response(
            f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(reason)}</p>"
            '<p><a href="/login">Masuk / Log in</a></p>',
            mimetype="text/html",
        )
    response.status_code = status
    return response


def _log_denied(principal: Principal, path: str) -> None:
    try:
        with current_runtime().engine.begin() as conn:
            record_event(conn, "denied", actor=principal.name, subject=path[:120], ip=request.remote_addr, ok=False)
    except SQLAlchemyError:
        pass  # the refusal stands even when it cannot be logged


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host, a scheme, or the login page itself), else ''."""
    target = (target or "").strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")) or len(target) > 500:
        return ""
    if any(ord(c) < 32 for c in target) or target.startswith(("/login", "/auth/")):
        return ""
    parts = urlsplit(target)
    return "" if parts.scheme or parts.netloc else target


def login_post() -> Response:
    """Form POST from /login: check the password (rate-limited), start a fresh session, go where asked."""
    form = request.form
    nxt = safe_next(form.get("next"))
    lang = "en" if form.get("lang") == "en" else "id"
    result = users.authenticate(
        current_runtime().engine, form.get("username", "")[:64], form.get("password", "")[:300], request.remote_addr
    )
    if result.principal is None:
        query = {"error": result.reason, "lang": lang} | ({"next": nxt} if nxt else {})
        return redirect(f"/login?{urlencode(query)}", 303)
    rt = current_runtime()
    sid = sessions.start_session(
        rt.engine, lifetime=timedelta(hours=rt.settings.session_hours), user_id=result.principal.user_id,
        epoch=result.epoch, ip=request.remote_addr, user_agent=request.user_agent.string,
    )  # fmt: skip
    session.clear()
    session.permanent = True
    session["sid"] = sid
    return redirect(nxt or LANDING.get(result.principal.role, "/wall"), 303)


def logout() -> Response:
    """End the session on the server (a saved copy of the cookie stops working too), then in the browser."""
    sid = session.get("sid")
    if isinstance(sid, str):
        sessions.end_session(current_runtime().engine, sid)
        _cache().forget(("sid", sid))
    session.clear()
    return redirect("/login?out=1", 303)


def whoami() -> Response:
    """Who the browser is logged in as (for the login and admin pages and for tests)."""
    p = current_principal()
    if p is None:
        return jsonify({"authenticated": False, "open_demo": False})
    return jsonify(
        {
            "authenticated": p.kind != "open",
            "open_demo": p.kind == "open",
            "name": p.name,
            "role": p.role,
            "kind": p.kind,
            "permissions": sorted(p.permissions),
        }
    )
