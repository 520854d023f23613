"""POST /api/v1/complaints, /api/v1/observations and /api/v1/metrics: other systems push data in.

Every route needs a bearer token that `api_auth.check_ingest_token` accepts (401 otherwise). Good records
are stored even when others in the same body are not: 201 when all were stored, 207 when some were
rejected (the body lists each with its index and reason), 400 when none could be used. Rejects are also
kept in the `ingest_errors` table.
"""

from __future__ import annotations

import orjson
from flask import Flask, Response, request

from callbacks.context import runtime as current_runtime
from dashboard.api_auth import check_ingest_token, writer_source
from data.cleaning import strip_nul
from data.ingest.metrics import ingest_metric_records
from data.ingest.observations import CachedRegistry, RawReadings, collect_readings, ingest_readings
from data.ingest.report import IngestReport, record_ingest_errors
from data.ingest.service_requests import submit_requests

REGISTRY_KEY = "feeds.sensor_registry"
API_KEEP = 1_000_000  # every reject of a request is answered and kept (a body is bounded by MAX_REQUEST_BYTES)


def register(server: Flask) -> None:
    server.add_url_rule("/api/v1/complaints", "ingest_complaints", post_complaints, methods=["POST"])
    server.add_url_rule("/api/v1/observations", "ingest_observations", post_observations, methods=["POST"])
    server.add_url_rule("/api/v1/metrics", "ingest_metrics", post_metrics, methods=["POST"])


def _json(body: object, status: int) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def _refused(scope: str) -> Response:
    """401 saying what is wrong with what was sent (never that INGEST_TOKEN is unset when a token was sent)."""
    if request.headers.get("Authorization"):
        message = f"this token may not write {scope}: it is unknown, expired, revoked, or not scoped to {scope}"
    else:
        message = "a bearer token is required: an ingest token (python -m dashboard tokens create ingest ...)"
    response = _json({"error": message}, 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="city-ops-room"'
    return response


def _body() -> object:
    """The request's JSON (or, for Open311 clients, its form fields as one record)."""
    if request.mimetype == "application/x-www-form-urlencoded" or request.form:
        return strip_nul(request.form.to_dict())[0]
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise ValueError("the body is empty")
    try:
        return strip_nul(orjson.loads(raw))[0]  # a NUL would fail the whole batch on PostgreSQL only
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None


def _finish(report: IngestReport, feed: str, extra: dict) -> Response:
    record_ingest_errors(current_runtime().engine, feed, report.examples)
    body = {**report.as_dict(), **extra}
    if report.rejected:
        body["errors"] = [r.as_dict() for r in report.examples]
        stored = report.inserted + report.updated + report.unchanged
        return _json(body, 207 if stored else 400)
    return _json(body, 201)


def _guarded(scope: str) -> tuple[object, Response | None]:
    if not check_ingest_token(scope):
        return None, _refused(scope)
    try:
        return _body(), None
    except ValueError as exc:
        return None, _json({"errors": [{"location": "body", "reason": str(exc)}]}, 400)


def post_complaints():  # noqa: ANN201 - a Flask view
    """Open311 POST fields (one object, a form, or an array), written under the token's source; a record
    with service_request_id is an update forwarded from another system, one without is a new report and gets
    an id (the same id again on a retry with the same Idempotency-Key header)."""
    body, refused = _guarded("complaints")
    if refused:
        return refused
    items = body if isinstance(body, list) else [body]
    report = IngestReport(feed="api.complaints", keep=API_KEEP)
    source = writer_source()
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    engine = current_runtime().engine
    results = submit_requests(engine, ((f"[{i}]", item) for i, item in enumerate(items)), source, report, key)
    created = [
        {"service_request_id": r.service_request_id, "service_notice": r.service_notice, "account_id": r.account_id}
        for r in results
        if r.error is None
    ]
    return _finish(report, "api.complaints", {"requests": created})


def post_observations():  # noqa: ANN201 - a Flask view
    """A batch of readings: [{"sensor_id", "observed_at", "value"}] or the SensorThings forms."""
    body, refused = _guarded("observations")
    if refused:
        return refused
    runtime = current_runtime()
    cached = runtime.extras.setdefault(REGISTRY_KEY, CachedRegistry(runtime.engine))
    raw = RawReadings()
    collect_readings(body, raw)
    report = IngestReport(feed="api.observations", keep=API_KEEP)
    if not len(raw):
        return _json({"errors": [{"location": "body", "reason": "no readings in the body"}]}, 400)
    ingest_readings(runtime.engine, raw, cached.get({str(r) for r in raw.refs}), report)
    return _finish(report, "api.observations", {})


def post_metrics():  # noqa: ANN201 - a Flask view
    """Service metrics: an array of {service, period_start, transactions, ...} or {"metrics": [...]}."""
    body, refused = _guarded("metrics")
    if refused:
        return refused
    if isinstance(body, dict):
        body = body.get("metrics") if isinstance(body.get("metrics"), list) else [body]
    if not isinstance(body, list):  # found by tests/unit/test_hostile_properties.py: a bare number was a 500
        return _json({"errors": [{"location": "body", "reason": "expected an object or an array of metrics"}]}, 400)
    report = IngestReport(feed="api.metrics", keep=API_KEEP)
    engine = current_runtime().engine
    ingest_metric_records(engine, ((f"[{i}]", r) for i, r in enumerate(body)), report)
    return _finish(report, "api.metrics", {})
