"""The JSON Schemas of /api/openapi.json: bodies as the server reads them and answers as it writes them.

Fields the server may leave empty are typed with "null" too (OpenAPI 3.1 is JSON Schema), so a client
generated from the document accepts every real answer; tests/unit/test_openapi_conformance.py checks that
with schemathesis against the running app.
"""

from __future__ import annotations


def nullable(kind: str, **extra: object) -> dict:
    return {"type": [kind, "null"], **extra}


ERROR = {
    "type": "object",
    "description": "A refusal: why, and the HTTP status (503 adds a machine code; 500 a reference to the log)",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "example": "db_unavailable"},
        "reference": {"type": "string"},
    },
}
REJECT = {
    "type": "object",
    "required": ["location", "reason"],
    "properties": {"location": {"type": "string", "example": "[3]"}, "reason": {"type": "string"}},
}
INGEST_RESULT = {
    "type": "object",
    "description": "What happened to the body's records; `errors` lists each rejected one with its index and "
    "reason. A body that cannot be read at all has only `errors` (location 'body').",
    "properties": {
        "feed": {"type": "string"},
        "read": {"type": "integer"},
        "inserted": {"type": "integer"},
        "updated": {"type": "integer"},
        "unchanged": {"type": "integer"},
        "rejected": {"type": "integer"},
        "notes": {"type": "object", "additionalProperties": {"type": "integer"}},
        "errors": {"type": "array", "items": REJECT},
    },
}
POST_REPLY = {
    "type": "object",
    "description": "GeoReport v2's reply to POST Service Request",
    "required": ["service_request_id", "service_notice", "account_id"],
    "properties": {
        "service_request_id": {"type": "string"},
        "service_notice": nullable("string", description="the room's target time, as free text"),
        "account_id": nullable("string"),
    },
}
COMPLAINTS_RESULT = {
    **INGEST_RESULT,
    "properties": {**INGEST_RESULT["properties"], "requests": {"type": "array", "items": POST_REPLY}},
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
    "required": ["value"],
    "description": "OGC SensorThings: {'value': [Observation]} with Datastream{'@iot.id'} or Datastream@iot.id "
    "(a saved page may name its datastream only in @iot.nextLink/@iot.selfLink), or the dataArray form "
    "(components incl. phenomenonTime and result). A datastream id maps to the sensor whose registry names it, "
    "else to the sensor with that id.",
    "properties": {"value": {"type": "array", "items": {"type": "object"}}},
}
OPEN311_FIELDS = {
    "service_code": {"type": "string", "description": "from services.json; unknown codes are refused (404)"},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"type": "string"},
    "address_id": {"type": "string"},
    "description": {"type": "string", "maxLength": 4000},
    "media_url": {"type": "string"},
    "email": {"type": "string"},
    "device_id": {"type": "string"},
    "account_id": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "phone": {"type": "string"},
    "channel": {
        "type": "string",
        "description": "one of the city's channels (its pack's catalogue, e.g. app, whatsapp, call_112), "
        "or phone / other; anything else is read as 'other'",
    },
    "attribute": {
        "type": "object",
        "description": "answers to the service definition's questions, code: value (form: attribute[CODE]=value, "
        "attribute[CODE][]=value for a multivaluelist)",
        "additionalProperties": True,
    },
    "service_request_id": {
        "type": "string",
        "description": "set it to forward a request another system holds (upsert by the token's source and this "
        "id, with status, requested_datetime, updated_datetime as in requests.json); a retry is then harmless",
    },
    "status": {"type": "string"},
    "requested_datetime": {"type": "string"},
    "updated_datetime": {"type": "string"},
    "expected_datetime": {"type": "string", "description": "forwarded requests only: the source's own"},
    "source": {
        "type": "string",
        "description": "optional; when given it must be the sending token's source (a token writes only its own)",
    },
}
NEW_REQUEST_RULE = (
    "A new request (no service_request_id) needs service_code and a place: lat and long together, "
    "address_string or address_id (0,0 alone is refused). Texts must be strings."
)
OPEN311_POST = {"type": "object", "description": NEW_REQUEST_RULE, "properties": OPEN311_FIELDS}
OPEN311_POST_FORM = {
    "type": "object",
    "description": NEW_REQUEST_RULE,
    "required": ["api_key"],
    "properties": {
        "api_key": {"type": "string", "description": "an ingest token scoped 'complaints'"},
        "jurisdiction_id": {"type": "string", "description": "the city's Kemendagri code; optional"},
        **OPEN311_FIELDS,
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
SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": nullable("string"),
        "metadata": {"type": "boolean", "description": "true: services/<code> lists questions (attributes)"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": nullable("string"),
        "group": nullable("string"),
    },
}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description", "values"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": nullable("string"),
        "order": {"type": "integer", "minimum": 1},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": {"type": "string"}, "attributes": {"type": "array", "items": ATTRIBUTE}},
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {
            "type": "string",
            "description": "unique in this API: an id another source stored first is published as source:id",
        },
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": nullable("string"),
        "service_name": nullable("string"),
        "service_code": {"type": "string"},
        "description": nullable("string"),
        "agency_responsible": nullable("string"),
        "service_notice": nullable("string"),
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": nullable("string", format="date-time"),
        "expected_datetime": nullable("string", format="date-time", description="only as the source gave it"),
        "address": nullable("string"),
        "address_id": nullable("string"),
        "zipcode": nullable("string"),
        "lat": nullable("number"),
        "long": nullable("number"),
        "media_url": nullable("string"),
        "extended_attributes": {
            "type": "object",
            "description": "with extensions=true only: the room's SLA due time, channel, source, kecamatan, "
            "detailed status and the service attributes answered",
            "properties": {
                "sla_due_datetime": nullable("string", format="date-time"),
                "channel": nullable("string"),
                "source": {"type": "string"},
                "district_code": nullable("string"),
                "status_detail": {"type": "string"},
                "attributes": {"type": "object"},
            },
        },
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
SPEC_ERRORS = {
    "type": "array",
    "description": "GeoReport v2's errors (XML: <errors><error><code/><description/></error></errors>)",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
HEALTH = {
    "type": "object",
    "required": ["status", "database", "feeds"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "warming", "degraded"]},
        "database": {"type": "object"},
        "wall": {
            "type": "object",
            "description": "warming: the wall screens' city-wide figures are being computed (state cold/warming/warm)",
        },
        "feeds": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "feed": {"type": "string"},
                    "last_data_at": nullable("string"),
                    "age_seconds": nullable("integer"),
                    "expected_interval_seconds": nullable("number"),
                    "stale": {"type": "boolean"},
                },
            },
        },
    },
}
