"""Open311 GeoReport v2 at the spec's addresses, each as .json and .xml: GET services, GET services/<code>
(service definition), GET requests, GET requests/<id>, and POST requests (create a service request).

Reads need a login or a token scoped `open311` (as a bearer or `api_key`); POST needs `api_key` (or a
bearer), an ingest token scoped `complaints`, and writes under that token's source. Errors use the spec's
shape, [{"code", "description"}] or <errors><error>, with the spec's statuses (400 bad or missing
argument, 403 bad api_key, 404 unknown service, request or jurisdiction).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.datastructures import MultiDict

from callbacks.context import runtime as current_runtime
from dashboard.api_auth import check_ingest_token, writer_source
from dashboard.open311_format import respond, spec_error
from data.ingest import open311
from data.ingest.report import IngestReport, record_ingest_errors
from data.ingest.service_requests import submit_requests
from data.ingest.values import BadValueError, parse_time

STATUSES = ("open", "closed")
FMT = "<any(json, xml):fmt>"
BASE = "/open311/v2"
MAX_FIELDS = 200  # a form with more fields than any request has is not one
DISCOVERY_CHANGESET = "2026-12-07T00:00:00+07:00"  # when this endpoint's behaviour last changed


def register(server: Flask) -> None:
    server.add_url_rule(f"{BASE}/services.{FMT}", "open311_services", services)
    server.add_url_rule(f"{BASE}/services/<service_code>.{FMT}", "open311_service", service_definition)
    server.add_url_rule(f"{BASE}/requests.{FMT}", "open311_requests", list_requests, methods=["GET"])
    server.add_url_rule(f"{BASE}/requests.{FMT}", "open311_post", post_request, methods=["POST"])
    server.add_url_rule(f"{BASE}/requests/<request_id>.{FMT}", "open311_request", one_request)
    server.add_url_rule(f"/open311/discovery.{FMT}", "open311_discovery", discovery)


def discovery(fmt: str):  # noqa: ANN201 - a Flask view
    """Open311 Service Discovery: where this city's GeoReport v2 endpoint is and what it speaks."""
    body = {
        "changeset": DISCOVERY_CHANGESET,
        "contact": f"Ruang kendali {open311.jurisdiction_name()} (jurisdiction_id {open311.jurisdiction_id()})",
        "key_service": "python -m dashboard tokens create ingest --scope complaints --source NAME",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": request.host_url.rstrip("/") + BASE,
                "changeset": DISCOVERY_CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(body, fmt, "discovery")


def _engine():  # noqa: ANN202 - the running app's engine
    return current_runtime().engine


def _listed(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in request.args.get(name, "").split(",") if v.strip())


def _wrong_jurisdiction(given: object, fmt: str):  # noqa: ANN202 - a response or None
    """The spec's 404 for a jurisdiction this endpoint does not serve (it serves one: the city's code)."""
    if open311.serves_jurisdiction(given):
        return None
    ours = open311.jurisdiction_id()
    return spec_error(404, f"jurisdiction_id {str(given)[:40]!r} not found: this endpoint serves {ours}", fmt)


def services(fmt: str):  # noqa: ANN201 - a Flask view
    """Every kind of request the room knows: its own categories and those other systems listed."""
    return _wrong_jurisdiction(request.args.get("jurisdiction_id"), fmt) or respond(
        open311.services(_engine()), fmt, "services"
    )


def service_definition(service_code: str, fmt: str):  # noqa: ANN201 - a Flask view
    """The questions a service asks (its attributes); 404 for a service code the room does not have."""
    wrong = _wrong_jurisdiction(request.args.get("jurisdiction_id"), fmt)
    if wrong:
        return wrong
    found = open311.service_definition(_engine(), service_code)
    if found is None:
        return spec_error(404, f"service_code {service_code[:64]!r} not found (see services.{fmt})", fmt)
    return respond(found, fmt, "service_definition")


def list_requests(fmt: str):  # noqa: ANN201 - a Flask view
    """Requests filtered by start_date, end_date, status, service_code or service_request_id."""
    wrong = _wrong_jurisdiction(request.args.get("jurisdiction_id"), fmt)
    if wrong:
        return wrong
    window = {}
    for name in ("start_date", "end_date"):
        try:
            if request.args.get(name):
                window[name] = parse_time(request.args[name])[0]
        except BadValueError as exc:
            return spec_error(400, f"{name}: {exc}; use ISO 8601 such as 2026-11-01T00:00:00+07:00", fmt)
    statuses = tuple(s.lower() for s in _listed("status"))
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        return spec_error(400, f"status must be open or closed, got {', '.join(unknown)[:80]}", fmt)
    if window.get("start_date") and window.get("end_date") and window["start_date"] > window["end_date"]:
        return spec_error(400, "start_date is after end_date", fmt)
    flt = open311.RequestFilter(
        start=window.get("start_date"), end=window.get("end_date"), statuses=statuses,
        service_codes=_listed("service_code"), ids=_listed("service_request_id"),
    )  # fmt: skip
    found = open311.requests(_engine(), flt, extensions=_extensions())
    return respond(found, fmt, "service_requests")


def _extensions() -> bool:
    return request.args.get("extensions", "").lower() in ("1", "true", "yes")


def one_request(request_id: str, fmt: str):  # noqa: ANN201 - a Flask view
    """One request by its id (an array, as the spec shapes it); 404 when the room has none with that id."""
    wrong = _wrong_jurisdiction(request.args.get("jurisdiction_id"), fmt)
    if wrong:
        return wrong
    found = open311.requests(_engine(), open311.RequestFilter(ids=(request_id,)), extensions=_extensions())
    if not found:
        return spec_error(404, f"no service request {request_id[:80]!r}", fmt)
    return respond(found, fmt, "service_requests")


def _fields() -> dict | None:
    """The POSTed fields: a form (the spec's encoding; attribute[CODE][] may repeat) or one JSON object."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form: MultiDict = request.form
        if len(form) > MAX_FIELDS:
            return None
        return {k: (v if k.endswith("[]") else v[-1]) for k, v in form.lists()}
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def post_request(fmt: str):  # noqa: ANN201 - a Flask view
    """POST Service Request: one request, answered with [{"service_request_id", "service_notice", "account_id"}]."""
    fields = _fields()
    if fields is None:
        return spec_error(400, "send the request's fields form-encoded (or as one JSON object)", fmt)
    api_key = fields.pop("api_key", None) or request.args.get("api_key")
    if api_key is not None and not isinstance(api_key, str):
        return spec_error(400, "api_key must be text", fmt)
    if not check_ingest_token("complaints", given=api_key):
        return spec_error(403, "Invalid api_key received -- can't proceed with create_request.", fmt)
    wrong = _wrong_jurisdiction(fields.pop("jurisdiction_id", None) or request.args.get("jurisdiction_id"), fmt)
    if wrong:
        return wrong
    source = writer_source()
    report = IngestReport(feed="open311.requests", keep=10)
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    result = submit_requests(_engine(), [("request", fields)], source, report, key, actor=f"open311:{source}")[0]
    record_ingest_errors(_engine(), "open311.requests", report.examples)
    if result.error:
        return spec_error(result.status, result.error, fmt)
    reply = {
        "service_request_id": result.service_request_id,
        "service_notice": result.service_notice,
        "account_id": result.account_id,
    }
    return respond([reply], fmt, "service_requests", 201)
