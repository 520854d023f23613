"""GET /sta/v1.1/...: the room's sensors and readings as a read-only OGC SensorThings API v1.1 service, so
other city systems (and `frost-sta-client`) read them the standard way.

Who may read is decided before this runs (dashboard.auth.guard, data/auth/access.py): a person whose role
has the `wall` permission, or a token with the `sensorthings` scope (as Bearer, or as the password of HTTP
Basic, which is all many SensorThings clients speak). Errors are FROST-shaped: {"code", "type", "message"}.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from callbacks.context import runtime as current_runtime
from data.sensorthings.documents import NotFoundError, Resolver
from data.sensorthings.query import QueryError, parse_query

PREFIX = "/sta/v1.1"


def register(server: Flask) -> None:
    server.add_url_rule(PREFIX, "sta_root", sensorthings, defaults={"path": ""})
    server.add_url_rule(f"{PREFIX}/", "sta_root_slash", sensorthings, defaults={"path": ""})
    server.add_url_rule(f"{PREFIX}/<path:path>", "sta_resource", sensorthings)


def _error(code: int, message: str) -> Response:
    response = jsonify({"code": code, "type": "error", "message": message})
    response.status_code = code
    return response


def sensorthings(path: str) -> Response:  # a Flask view
    """Any resource path below the service root, with $top, $skip, $count, $orderby, $filter, $expand,
    $select; collections page with an absolute @iot.nextLink."""
    args = {k: v for k, v in request.args.items()}
    base = request.host_url.rstrip("/") + PREFIX
    engine = current_runtime().engine
    try:
        query = parse_query(args)
        with engine.connect() as conn:
            body = Resolver(conn, base).answer(path, query, args)
    except QueryError as exc:
        return _error(400, str(exc))
    except NotFoundError as exc:
        return _error(404, str(exc))
    if isinstance(body, tuple):  # a property's $value: the bare value as text
        value = body[1]
        return Response("" if value is None else str(value), mimetype="text/plain")
    return jsonify(body)
