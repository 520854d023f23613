"""/api/openapi.json: an OpenAPI 3.1 description of the ingest API and the Open311 read API, for the
integration engineers of the city's other systems (load it in any OpenAPI viewer or client generator).
"""

from __future__ import annotations

from flask import Flask, jsonify

from data.city import current, zone
from data.models import COMPLAINT_CHANNELS

ERRORS = {
    "type": "object",
    "properties": {
        "read": {"type": "integer"},
        "inserted": {"type": "integer"},
        "updated": {"type": "integer"},
        "unchanged": {"type": "integer"},
        "rejected": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"location": {"type": "string", "example": "[3]"}, "reason": {"type": "string"}},
            },
        },
    },
}
OBSERVATION = {
    "type": "object",
    "required": ["sensor_id", "observed_at", "value"],
    "properties": {
        "sensor_id": {"type": "string", "example": "water-level-001"},
        "observed_at": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601; a time without a zone is read in the city's zone (info.x-city-zone). "
            "Epoch seconds or ms also work.",
        },
        "value": {"type": "number", "description": "finite, within the physical range of the sensor's kind"},
    },
}
SENSORTHINGS = {
    "type": "object",
    "description": "OGC SensorThings: {'value': [Observation]} with Datastream{'@iot.id'} or Datastream@iot.id, "
    "or the dataArray form (components incl. phenomenonTime and result). A datastream id maps to the "
    "sensor whose registry names it, else to the sensor with that id.",
}
OPEN311_POST = {
    "type": "object",
    "required": ["service_code"],
    "properties": {
        "service_code": {"type": "string"},
        "lat": {"type": "number"},
        "long": {"type": "number"},
        "address_string": {"type": "string"},
        "description": {"type": "string"},
        "media_url": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "phone": {"type": "string"},
        "channel": {"type": "string", "enum": list(COMPLAINT_CHANNELS)},
        "service_request_id": {
            "type": "string",
            "description": "set it to forward a request another system holds (upsert by source and id, "
            "with status, requested_datetime, updated_datetime as in requests.json)",
        },
        "source": {"type": "string", "description": "the forwarding system's name (default 'api')"},
    },
}
METRIC = {
    "type": "object",
    "required": ["service", "period_start"],
    "properties": {
        "service": {"type": "string", "description": "a registered service code"},
        "period_start": {"type": "string", "description": "a date (a day in the city's zone) or an ISO 8601 time"},
        "transactions": {"type": "integer", "minimum": 0},
        "availability_pct": {"type": "number", "minimum": 0, "maximum": 100},
        "p95_response_ms": {"type": "number", "minimum": 0},
        "satisfaction": {"type": "number", "minimum": 1, "maximum": 5},
    },
}
REQUEST = {
    "type": "object",
    "properties": {
        name: {"type": kind}
        for name, kind in (
            ("service_request_id", "string"),
            ("status", "string"),
            ("status_notes", "string"),
            ("service_name", "string"),
            ("service_code", "string"),
            ("description", "string"),
            ("agency_responsible", "string"),
            ("service_notice", "string"),
            ("requested_datetime", "string"),
            ("updated_datetime", "string"),
            ("expected_datetime", "string"),
            ("address", "string"),
            ("address_id", "string"),
            ("zipcode", "string"),
            ("lat", "number"),
            ("long", "number"),
            ("media_url", "string"),
        )  # fmt: skip
    },
}


def _post(summary: str, schema: dict, scope: str) -> dict:
    body = {"oneOf": [schema, {"type": "array", "items": schema}]}
    return {
        "post": {
            "summary": summary,
            "security": [{"ingestToken": [scope]}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "201": {"description": "every record stored", "content": {"application/json": {"schema": ERRORS}}},
                "207": {"description": "good records stored; the rest listed in errors"},
                "400": {"description": "nothing usable: errors say why per record"},
                "401": {"description": "missing or wrong bearer token"},
                "413": {"description": "body larger than MAX_REQUEST_BYTES"},
            },
        }
    }


def _get(summary: str, schema: dict, params: list[dict] | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": params or [],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}},
        }
    }


def _param(name: str, description: str, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": "string"},
            "description": description}  # fmt: skip


def document() -> dict:
    """The OpenAPI document (built from code, so it moves with the routes)."""
    requests = {"type": "array", "items": REQUEST}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "City operations room: feeds API",
            "version": "1",
            "description": "Push complaints, sensor readings and service metrics in; read complaints out as Open311 "
            f"GeoReport v2. Times are stored in UTC and shown in {zone().described}, {current().name}'s zone.",
            "x-city-zone": zone().name,
        },
        "components": {"securitySchemes": {"ingestToken": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/api/v1/complaints": _post("Open311 service requests (new or forwarded)", OPEN311_POST, "complaints"),
            "/api/v1/observations": _post(
                "A batch of sensor readings", {"oneOf": [OBSERVATION, SENSORTHINGS]}, "observations"
            ),
            "/api/v1/metrics": _post("Service metrics per service and period", METRIC, "metrics"),
            "/open311/v2/services.json": _get("Kinds of request (Open311 services)", {"type": "array"}),
            "/open311/v2/requests.json": _get(
                "Service requests, newest first, at most 1,000 (default window: the last 90 days)",
                requests,
                [
                    _param("start_date", "ISO 8601, on requested_datetime"),
                    _param("end_date", "ISO 8601, on requested_datetime"),
                    _param("status", "open, closed, or both comma-separated"),
                    _param("service_code", "one or more, comma-separated"),
                    _param("service_request_id", "one or more, comma-separated; other filters are then ignored"),
                ],
            ),
            "/open311/v2/requests/{service_request_id}.json": _get(
                "One service request (an array, as the spec shapes it)",
                requests,
                [_param("service_request_id", "the request's id", "path")],
            ),
            "/api/health": _get("Database state and each feed's freshness", {"type": "object"}),
        },
    }


def register(server: Flask) -> None:
    server.add_url_rule("/api/openapi.json", "openapi", lambda: jsonify(document()))
