"""/api/openapi.json: an OpenAPI 3.1 description of the ingest API and the Open311 GeoReport v2 API, for the
integration engineers of the city's other systems (load it in any OpenAPI viewer or client generator).

It is built from code beside the routes and kept true to them by a schemathesis run in the test suite
(tests/unit/test_openapi_conformance.py): every documented status, body and media type is what the server
answers, and no generated request makes it fail.
"""

from __future__ import annotations

from flask import Flask, jsonify

from dashboard.openapi_schemas import (
    COMPLAINTS_RESULT,
    DISCOVERY,
    ERROR,
    HEALTH,
    INGEST_RESULT,
    METRIC,
    OBSERVATION,
    OPEN311_POST,
    OPEN311_POST_FORM,
    POST_REPLY,
    REQUEST,
    SENSORTHINGS,
    SERVICE,
    SERVICE_DEFINITION,
    SPEC_ERRORS,
)
from data.city import current, zone

FORM = "application/x-www-form-urlencoded"
XML = "text/xml"


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _answer(description: str, schema: dict, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema}}}


def _refusals(*codes: int) -> dict:
    words = {
        401: "missing or wrong bearer token",
        405: "method not allowed on this route",
        413: "body larger than MAX_REQUEST_BYTES",
        503: "database unavailable: nothing written, retry after Retry-After seconds",
    }
    return {str(code): _answer(words[code], ERROR) for code in codes}


def _ingest_post(summary: str, body: dict, scope: str, result: dict = INGEST_RESULT, form: dict | None = None) -> dict:
    content = _json(body) | ({FORM: {"schema": form}} if form else {})
    return {
        "post": {
            "summary": summary,
            "security": [{"ingestToken": [scope]}],
            "requestBody": {"required": True, "content": content},
            "responses": {
                "201": _answer("every record stored", result),
                "207": _answer("good records stored; the rest listed in errors with their reasons", result),
                "400": _answer("nothing usable: errors say why, per record or for the whole body", result),
                **_refusals(401, 413, 503),
            },
        }
    }


def _param(name: str, description: str, where: str = "query", **schema: object) -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": "string", **schema},
            "description": description}  # fmt: skip


JURISDICTION = _param("jurisdiction_id", "optional: the city's Kemendagri code; another code is a 404")
API_KEY = _param("api_key", "a token scoped 'open311' (other systems reading without a login)")
EXTENSIONS = _param("extensions", "true: add extended_attributes (the room's SLA due time, channel, source)")
SPEC_REFUSALS = {
    "400": _answer("a bad argument (the description says which)", SPEC_ERRORS),
    "401": _answer("a login or a token scoped 'open311' is required", SPEC_ERRORS),
    "404": _answer("no such request, service or jurisdiction", SPEC_ERRORS),
    "503": _answer("database unavailable: retry after Retry-After seconds", SPEC_ERRORS),
}


def _spec_answers(description: str, schema: dict, fmt: str, status: str = "200") -> dict:
    """A GeoReport answer and its errors, in the path's format (the XML mirrors the JSON, see open311_format)."""
    if fmt == "json":
        return {status: _answer(description, schema), **SPEC_REFUSALS}
    xml = {"type": "string", "description": "the same body as the .json address, as the spec's XML"}
    errors = {"type": "string", "description": "<errors><error><code/><description/></error></errors>"}
    return {status: _answer(description, xml, XML)} | {
        code: _answer(answer["description"], errors, XML) for code, answer in SPEC_REFUSALS.items()
    }


def _spec_extra(fmt: str, statuses: dict[str, str]) -> dict:
    """More GeoReport errors (403, 413) in the path's format."""
    if fmt == "json":
        return {code: _answer(words, SPEC_ERRORS) for code, words in statuses.items()}
    return {code: _answer(words, {"type": "string"}, XML) for code, words in statuses.items()}


def _open311_paths() -> dict:
    """Every GeoReport v2 method at its address, once per format."""
    paths: dict = {}
    requests = {"type": "array", "items": REQUEST}
    filters = [
        _param("start_date", "ISO 8601, on requested_datetime"),
        _param("end_date", "ISO 8601, on requested_datetime"),
        _param("status", "open, closed, or both comma-separated"),
        _param("service_code", "one or more, comma-separated"),
        _param("service_request_id", "one or more, comma-separated; other filters are then ignored"),
    ]
    for fmt in ("json", "xml"):
        paths[f"/open311/discovery.{fmt}"] = {
            "get": {
                "summary": "Service Discovery: where this city's GeoReport v2 endpoint is and its formats",
                "parameters": [API_KEY],
                "responses": _spec_answers("the discovery document", DISCOVERY, fmt),
            }
        }
        paths[f"/open311/v2/services.{fmt}"] = {
            "get": {
                "summary": "GET Service List: the kinds of request (services)",
                "parameters": [JURISDICTION, API_KEY],
                "responses": _spec_answers("the services", {"type": "array", "items": SERVICE}, fmt),
            }
        }
        paths[f"/open311/v2/services/{{service_code}}.{fmt}"] = {
            "get": {
                "summary": "GET Service Definition: the questions (attributes) a service asks",
                "parameters": [_param("service_code", "from services", "path"), JURISDICTION, API_KEY],
                "responses": _spec_answers("the service definition", SERVICE_DEFINITION, fmt),
            }
        }
        paths[f"/open311/v2/requests.{fmt}"] = {
            "get": {
                "summary": "GET Service Requests: newest first, at most 1,000 (default window: the last 90 days)",
                "parameters": [*filters, JURISDICTION, EXTENSIONS, API_KEY],
                "responses": _spec_answers("the requests", requests, fmt),
            },
            "post": {
                "summary": "POST Service Request: one request, written under the api_key token's source",
                "description": "Form-encoded as the spec sends it, or one JSON object. An Idempotency-Key header "
                "makes a retried new request return the id it was first given, storing it once.",
                "parameters": [_param("Idempotency-Key", "optional: the client's own key for this request", "header")],
                "requestBody": {
                    "required": True,
                    "content": {FORM: {"schema": OPEN311_POST_FORM}, "application/json": {"schema": OPEN311_POST_FORM}},
                },
                "responses": _spec_answers("created", {"type": "array", "items": POST_REPLY}, fmt, "201")
                | _spec_extra(
                    fmt,
                    {
                        "403": "api_key missing, wrong, or not scoped 'complaints'",
                        "413": "body larger than MAX_REQUEST_BYTES",
                    },
                ),  # fmt: skip
            },
        }
        paths[f"/open311/v2/requests/{{service_request_id}}.{fmt}"] = {
            "get": {
                "summary": "GET Service Request: one request (an array, as the spec shapes it)",
                "parameters": [
                    _param("service_request_id", "its id (source:id for a later source's twin)", "path"),
                    JURISDICTION,
                    EXTENSIONS,
                    API_KEY,
                ],  # fmt: skip
                "responses": _spec_answers("the request", requests, fmt),
            }
        }
    return paths


def _sensorthings_paths() -> dict:
    """GET /sta/v1.1/...: the read-only SensorThings v1.1 service (docs/feeds.md); entity documents as the
    OGC standard defines them, so only their envelope is described here."""
    error = {
        "type": "object",
        "required": ["code", "type", "message"],
        "properties": {"code": {"type": "integer"}, "type": {"const": "error"}, "message": {"type": "string"}},
    }
    options = [
        _param(name, text)
        for name, text in (
            ("$top", "page size (default 100, at most 1000)"),
            ("$skip", "rows to skip"),
            ("$count", "true: add @iot.count"),
            ("$orderby", "e.g. phenomenonTime desc"),
            ("$filter", "e.g. phenomenonTime ge 2026-11-20T00:00:00Z"),
            ("$expand", "e.g. Datastream, Locations, Datastreams($top=5)"),
            ("$select", "e.g. id,name"),
        )
    ]
    answers = {"200": _answer("an entity, a collection page (value, @iot.nextLink, @iot.count) or a property",
                              {"type": "object"}),
               "400": _answer("a query the server cannot answer, and what to change", error),
               "401": _answer("no wall login and no token scoped sensorthings", error),
               "404": _answer("no such entity set, entity or property", error)}  # fmt: skip
    read = {"summary": "SensorThings v1.1 (read-only): Things, Locations, Datastreams, Sensors, ObservedProperties, "
                       "Observations", "security": [{"ingestToken": ["sensorthings"]}]}  # fmt: skip
    resource = _param("resource", "e.g. Datastreams('water-level-001')/Observations", "path")
    return {
        "/sta/v1.1": {"get": read | {"responses": answers}},
        "/sta/v1.1/{resource}": {"get": read | {"parameters": [resource, *options], "responses": answers}},
    }


def document() -> dict:
    """The OpenAPI document (built from code, so it moves with the routes)."""
    readings = {"anyOf": [OBSERVATION, {"type": "array", "items": OBSERVATION}, SENSORTHINGS]}
    metrics = {
        "anyOf": [
            METRIC,
            {"type": "array", "items": METRIC},
            {"type": "object", "required": ["metrics"], "properties": {"metrics": {"type": "array", "items": METRIC}}},
        ]
    }
    complaints = {"anyOf": [OPEN311_POST, {"type": "array", "items": OPEN311_POST}]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "City operations room: feeds API",
            "version": "2",
            "description": "Push complaints, sensor readings and service metrics in; read and write complaints as "
            f"Open311 GeoReport v2 (.json and .xml). Times are stored in UTC and shown in {zone().described}, "
            f"{current().name}'s zone.",
            "x-city-zone": zone().name,
        },
        "components": {
            "securitySchemes": {
                "ingestToken": {"type": "http", "scheme": "bearer", "description": "an ingest token (scoped)"},
            }
        },
        "paths": {
            "/api/v1/complaints": _ingest_post(
                "Open311 service requests (new or forwarded), under the token's source",
                complaints,
                "complaints",
                COMPLAINTS_RESULT,
                OPEN311_POST,
            ),  # fmt: skip
            "/api/v1/observations": _ingest_post("A batch of sensor readings", readings, "observations"),
            "/api/v1/metrics": _ingest_post(
                'Service metrics per service and period: an object, an array or {"metrics": [...]}',
                metrics,
                "metrics",
                INGEST_RESULT,
                METRIC,
            ),  # fmt: skip
            **_open311_paths(),
            **_sensorthings_paths(),
            "/api/health": {
                "get": {
                    "summary": "Database state and each feed's freshness",
                    "responses": {"200": _answer("healthy", HEALTH), "503": _answer("database unreachable", HEALTH)},
                }
            },
            "/api/v1/summary": {
                "get": {
                    "summary": "The room's signed aggregates for a federation room (token scope 'summary')",
                    "security": [{"ingestToken": ["summary"]}],
                    "responses": {
                        "200": _answer(
                            "the summary (headers X-CityOps-Timestamp, X-CityOps-Signature)", {"type": "object"}
                        ),  # fmt: skip
                        **_refusals(401, 503),
                    },
                }
            },
        },
    }


def register(server: Flask) -> None:
    server.add_url_rule("/api/openapi.json", "openapi", lambda: jsonify(document()))
