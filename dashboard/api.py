"""Flask routes beside Dash: health now; the ingest API and Open311 read API register here too."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from callbacks.context import runtime as current_runtime
from callbacks.warm import warmth
from data.feeds import feed_health
from data.store import database_state
from data.timebuckets import to_wib


def register(server: Flask) -> None:
    from dashboard import exports

    server.add_url_rule("/api/health", "health", health)
    exports.register(server)  # /analyst/export.csv and .xlsx
    from dashboard import api_ingest, open311, openapi, sensorthings, summary_api

    api_ingest.register(server)  # POST /api/v1/complaints, /observations, /metrics
    open311.register(server)  # GET and POST /open311/v2/..., .json and .xml
    openapi.register(server)  # /api/openapi.json
    sensorthings.register(server)  # GET /sta/v1.1/... (OGC SensorThings, read-only)
    summary_api.register(server)  # GET /api/v1/summary (signed aggregates for a federation room)
    server.before_request(api_options)


def api_options() -> Response | None:
    """OPTIONS on an API route names only that route's methods (Flask's own answer also counted the GET of
    Dash's catch-all page route, advertising GET on POST-only routes)."""
    if request.method != "OPTIONS" or not request.path.startswith(("/api/", "/open311/")):
        return None
    adapter = current_app.url_map.bind("localhost")
    allowed = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            rule, _ = adapter.match(request.path, method=method, return_rule=True)
        except HTTPException:
            continue
        if "<path:" not in rule.rule:
            allowed |= {method, "HEAD"} if method == "GET" else {method}
    response = Response(status=204 if allowed else 404)
    response.headers["Allow"] = ", ".join(sorted(allowed | {"OPTIONS"}))
    return response


def health():  # noqa: ANN201 - a Flask view
    """Database state and each feed's last data time; 503 when the database cannot be reached."""
    from flask import current_app

    runtime = current_runtime()
    db = database_state(runtime.engine)
    feeds = []
    if db["ok"]:
        for f in feed_health(runtime.engine):
            feeds.append(
                {
                    "feed": f.feed,
                    "last_data_at": to_wib(f.last_data_at).isoformat() if f.last_data_at else None,
                    "age_seconds": round(f.age_s) if f.age_s is not None else None,
                    "expected_interval_seconds": f.expected_interval_s,
                    "stale": f.stale,
                }
            )
    body = {"status": "ok" if db["ok"] else "degraded", "database": db, "feeds": feeds}
    warm = warmth(current_app)
    if warm is not None:  # ready means warm: the wall's figures are cached (callbacks/warm.py)
        body["wall"] = warm.as_dict()
        if db["ok"] and warm.state != "warm":
            body["status"] = "warming"
    return jsonify(body), 200 if db["ok"] else 503
