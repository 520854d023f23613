"""GET /open311/v2/services.json, /requests.json and /requests/<id>.json: the Open311 GeoReport v2 read API.

Errors use the spec's shape: a JSON array of {"code", "description"}.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request

from callbacks.context import RUNTIME_KEY
from data.ingest import open311
from data.ingest.values import BadValueError, parse_time

STATUSES = ("open", "closed")


def register(server: Flask) -> None:
    server.add_url_rule("/open311/v2/services.json", "open311_services", services_json)
    server.add_url_rule("/open311/v2/requests.json", "open311_requests", requests_json)
    server.add_url_rule("/open311/v2/requests/<request_id>.json", "open311_request", request_json)


def _engine():  # noqa: ANN202 - the running app's engine
    return current_app.extensions[RUNTIME_KEY].engine


def _error(code: int, description: str):  # noqa: ANN202 - a Flask response
    return jsonify([{"code": code, "description": description}]), code


def _listed(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in request.args.get(name, "").split(",") if v.strip())


def services_json():  # noqa: ANN201 - a Flask view
    """Every kind of request the room knows: its own categories and those other systems listed."""
    return jsonify(open311.services(_engine()))


def requests_json():  # noqa: ANN201 - a Flask view
    """Requests filtered by start_date, end_date, status, service_code or service_request_id."""
    try:
        window = {}
        for name in ("start_date", "end_date"):
            if request.args.get(name):
                window[name] = parse_time(request.args[name])[0]
    except BadValueError as exc:
        return _error(400, f"{name}: {exc}; use ISO 8601 such as 2026-11-01T00:00:00+07:00")
    statuses = tuple(s.lower() for s in _listed("status"))
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        return _error(400, f"status must be open or closed, got {', '.join(unknown)}")
    if window.get("start_date") and window.get("end_date") and window["start_date"] > window["end_date"]:
        return _error(400, "start_date is after end_date")
    flt = open311.RequestFilter(
        start=window.get("start_date"), end=window.get("end_date"), statuses=statuses,
        service_codes=_listed("service_code"), ids=_listed("service_request_id"),
    )  # fmt: skip
    return jsonify(open311.requests(_engine(), flt))


def request_json(request_id: str):  # noqa: ANN201 - a Flask view
    """One request by its id (an array, as the spec shapes it); 404 when the room has none with that id."""
    found = open311.requests(_engine(), open311.RequestFilter(ids=(request_id,)))
    if not found:
        return _error(404, f"no service request {request_id!r}")
    return jsonify(found)
