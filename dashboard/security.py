"""Security headers (a CSP Dash works with), request limits, and error answers that never leak a traceback.

Errors of the database become a 503 that says what is wrong (unreachable, read-only, disk full), so
ingest senders retry and pages keep their last figures; a small script served here marks such pages
as stale until the next refresh succeeds, and sends people whose session ended back to the login page.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlsplit

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, jsonify, request
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.settings import Settings
from data.city import zone

log = logging.getLogger("city.security")
GUARD_JS_PATH = "/_trust/guard.js"
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
API_PREFIXES = ("/api/", "/open311/")

GUARD_JS = r"""(function () {
  "use strict";
  if (window.__cityGuard) { return; }
  window.__cityGuard = true;
  var en = /[?&]lang=en\b/.test(location.search);
  var lastGood = new Date(), failing = false, bar = null;
  function wib(d) {
    return new Intl.DateTimeFormat("id-ID", {hour: "2-digit", minute: "2-digit", timeZone: "@ZONE_NAME@"})
      .format(d) + " @ZONE_LABEL@";
  }
  var reasons = {
    db_unavailable: ["basis data tidak terjangkau, mencoba lagi", "database unreachable, retrying"],
    db_readonly: ["basis data hanya-baca", "database is read-only"],
    db_full: ["disk basis data penuh", "database disk is full"],
    db_busy: ["basis data sibuk, mencoba lagi", "database busy, retrying"],
    other: ["server tidak terjangkau, mencoba lagi", "server unreachable, retrying"]
  };
  function show(code) {
    var reason = (reasons[code] || reasons.other)[en ? 1 : 0];
    failing = true;
    document.documentElement.classList.add("data-stale");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "data-stale-banner";
      bar.setAttribute("role", "status");
      bar.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:99999;padding:.4em 1em;" +
        "background:#b45309;color:#fff;font:600 clamp(16px,1.3vw,44px)/1.3 system-ui,sans-serif;text-align:center";
      document.body.appendChild(bar);
    }
    bar.textContent = (en ? "STALE: figures as of " : "DATA BASI: angka per ") + wib(lastGood) + " \u00b7 " + reason;
  }
  function clear() {
    lastGood = new Date();
    if (!failing) { return; }
    failing = false;
    document.documentElement.classList.remove("data-stale");
    if (bar) { bar.remove(); bar = null; }
  }
  var original = window.fetch;
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var pending = original.apply(this, arguments);
    if (url.indexOf("_dash-update-component") === -1) { return pending; }
    return pending.then(function (r) {
      if (r.status === 401) {
        location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      } else if (r.status >= 500) {
        r.clone().json().then(function (b) { show(b && b.code); }, function () { show(); });
      } else if (r.ok) {
        clear();
      }
      return r;
    }, function (e) { show(); throw e; });
  };
})();
"""


def _origin(url: str) -> str | None:
    parts = urlsplit(url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def content_security_policy(settings: Settings, script_hashes: list[str]) -> str:
    """The CSP: only this site's scripts (plus Dash's own inline ones by hash), no plugins, no framing by others."""
    extra = [s for s in settings.csp_extra_sources.replace(",", " ").split() if s]
    tiles = _origin(settings.tile_url) if settings.tile_url not in ("", "none") else None
    images = ["'self'", "data:", "blob:", *([tiles] if tiles else []), *extra]
    directives = {
        "default-src": ["'self'"],
        # Plotly.js compiles some functions at run time, so it needs 'unsafe-eval'; inline scripts need a hash.
        "script-src": ["'self'", "'unsafe-eval'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],  # Dash, Plotly and Leaflet set inline styles
        "img-src": images,
        "media-src": ["'self'", "blob:", *extra],
        "connect-src": ["'self'", *extra],
        "font-src": ["'self'", "data:"],
        "frame-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(app: Dash, settings: Settings) -> None:
    """Headers on every response, error handlers, the proxy count to trust, and the stale-page script."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    server.config["MAX_FORM_MEMORY_SIZE"] = min(settings.max_request_bytes, 1024 * 1024)
    server.config["MAX_FORM_PARTS"] = 100
    if settings.trust_proxy:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=settings.trust_proxy, x_proto=settings.trust_proxy, x_host=settings.trust_proxy
        )
    csp: list[str] = []

    def add_headers(response: Response) -> Response:
        if not csp:
            csp.append(content_security_policy(settings, list(app.csp_hashes())))
        h = response.headers
        h.setdefault("Content-Security-Policy", csp[0])
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "SAMEORIGIN")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith(STATIC_PREFIXES) and request.path != GUARD_JS_PATH:
            h.setdefault("Cache-Control", "no-store")  # pages and data may carry personal fields
        return response

    server.before_request(api_paths_are_not_pages)
    server.after_request(add_headers)
    server.register_error_handler(HTTPException, http_error)
    server.register_error_handler(SQLAlchemyError, database_error)
    server.register_error_handler(DependencyException, missing_component_file)
    server.register_error_handler(Exception, unexpected_error)
    server.add_url_rule(GUARD_JS_PATH, "trust_guard_js", guard_js)
    app.config.external_scripts.append(GUARD_JS_PATH)


def api_paths_are_not_pages() -> Response | None:
    """Dash answers any unknown GET with its page (200, HTML); an API client deserves a JSON 404/405."""
    rule = request.url_rule
    if request.path.startswith(API_PREFIXES) and (rule is None or "<path:" in rule.rule):
        allowed = [m for m in ("GET", "POST") if _matches(request.path, m)]
        if allowed:
            response = error_response(405, f"use {' or '.join(allowed)} for {request.path}")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(404, f"no such API route: {request.path}")
    return None


def _matches(path: str, method: str) -> bool:
    from flask import current_app

    try:
        rule, _ = current_app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    except HTTPException:
        return False
    return "<path:" not in rule.rule


def guard_js() -> Response:
    """The guard script, its 'last good data' time in the city's zone (WIB, WITA or WIT)."""
    city_zone = zone()
    script = GUARD_JS.replace("@ZONE_NAME@", city_zone.name).replace("@ZONE_LABEL@", city_zone.label)
    response = Response(script, mimetype="application/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/_dash-", "/api/", "/open311/", "/auth/")) or request.is_json


def error_response(status: int, message: str, **extra: object) -> Response:
    """JSON for machines and Dash, a short HTML page for people; never a stack trace."""
    if request.path.startswith("/open311/"):
        from dashboard.open311_format import format_of, spec_error

        return spec_error(status, message, format_of(request.path))  # GeoReport v2's error shape
    if _wants_json():
        response = jsonify({"error": message, "status": status, **extra})
    else:
        response = Response(
            f"<!doctype html><meta charset=utf-8><title>{status}</title><h1>{status}</h1><p>{escape(message)}</p>",
            mimetype="text/html",
        )
    response.status_code = status
    return response


def http_error(exc: HTTPException) -> Response:
    if exc.code == 413:
        return error_response(413, f"request too large (limit {request.max_content_length or 0:,} bytes)")
    response = error_response(exc.code or 500, exc.description or exc.name)
    allowed = getattr(exc, "valid_methods", None)
    if exc.code == 405 and allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))  # RFC 9110: a 405 names what the route takes
    return response


DATABASE_FAULTS = {
    "db_readonly": "database is read-only: nothing was written",
    "db_full": "database disk is full: nothing was written",
    "db_busy": "database is busy (locked): try again",
    "db_unavailable": "database unavailable: nothing was written, try again",
}


def database_fault_code(exc: BaseException) -> str:
    """Which database fault a driver's error is (the page script words it in the room's language)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "db_readonly"
    if "disk" in text and "full" in text or "no space" in text:
        return "db_full"
    if "locked" in text:
        return "db_busy"
    return "db_unavailable"


def describe_database_error(exc: BaseException) -> str:
    """A sentence an operator can act on, from a driver's error."""
    return DATABASE_FAULTS[database_fault_code(exc)]


def missing_component_file(_exc: DependencyException) -> Response:
    """Dash raises for a component-suite path it does not serve (crafted, unregistered, traversal): a 404."""
    return error_response(404, "no such file")


def database_error(exc: SQLAlchemyError) -> Response:
    """A database fault is a 503 with Retry-After (senders retry; pages keep their figures), never a 500."""
    if "NUL (0x00)" in str(exc):  # PostgreSQL cannot store U+0000; the text was sent by the client
        return error_response(400, "text containing a NUL character (U+0000) cannot be stored: remove it")
    message = describe_database_error(exc)
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    storage = message.startswith(("database is read-only", "database disk is full"))  # any driver's error class
    if not (isinstance(exc, OperationalError | InterfaceError) or lost or storage):
        return unexpected_error(exc)
    log.warning("%s %s: %s (%s)", request.method, request.path, message, str(exc).splitlines()[0][:200])
    response = error_response(503, message, code=database_fault_code(exc))
    response.headers["Retry-After"] = "5"
    return response


def unexpected_error(exc: Exception) -> Response:
    """Log the trace with an id; show only the id."""
    if isinstance(exc, HTTPException):
        return http_error(exc)
    error_id = uuid.uuid4().hex[:10]
    log.exception("unexpected error %s on %s %s", error_id, request.method, request.path)
    return error_response(500, f"internal error (reference {error_id})", reference=error_id)
