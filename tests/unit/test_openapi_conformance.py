"""/api/openapi.json is true to the server: schemathesis generates requests from the document, sends them to the
app in-process (WSGI), and checks every answer: no 5xx, a documented status, media type and body schema.

Bounded (a few dozen examples per operation) so the run stays near a minute on this machine.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as sc

from callbacks.context import RUNTIME_KEY
from dashboard.app import create_app
from data.auth.tokens import create_token
from data.ingest.report import IngestReport
from data.ingest.service_requests import submit_requests
from data.models import Sensor

TOKEN = "conformance-ingest-token-0123456789"
EXAMPLES = 25


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from dashboard.settings import Settings

    path = tmp_path_factory.mktemp("openapi") / "room.db"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        ingest_token=TOKEN,
        demo_on_empty=False,
        summary_signing_key="conformance-signing-key-0123456789abcdef",
    )
    app = create_app(settings)
    engine = app.server.extensions[RUNTIME_KEY].engine
    api_key, _ = create_token(engine, "ingest", "conformance app", ["complaints"], "test", source="conformance")
    with engine.begin() as conn:
        conn.execute(
            Sensor.__table__.insert(),
            [
                {
                    "id": "wl-1",
                    "name": "Pos 1",
                    "kind": "water_level",
                    "unit": "cm",
                    "lat": -6.18,
                    "lon": 106.63,
                    "datastream_id": "1",
                }
            ],
        )
    seeded = [
        ("[0]", {"service_code": "sampah", "address_string": "Pasar Anyar"}),  # no point: nulls in answers
        (
            "[1]",
            {
                "service_code": "jalan_rusak",
                "lat": -6.1781,
                "long": 106.6319,
                "description": "Lubang",
                "attribute": {"UKURAN_LUBANG": "besar"},
            },
        ),
    ]
    submit_requests(engine, seeded, "conformance", IngestReport(feed="test"))
    return app.server, api_key


@pytest.fixture(scope="module")
def api_schema(served):
    server, _ = served
    return schemathesis.openapi.from_wsgi("/api/openapi.json", server)


schema = schemathesis.pytest.from_fixture("api_schema")
# Valid-by-schema data may still be refused by the city's rules (an unknown sensor, a service code the room
# does not have, a date outside the window): those answers are documented 4xx, so positive acceptance is not
# asked of this API.
EXCLUDED = [sc.positive_data_acceptance]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, served):
    _server, api_key = served
    if case.method.upper() == "POST" and case.path.startswith("/open311/") and isinstance(case.body, dict):
        case.body["api_key"] = api_key  # the form's api_key: a real one, so the checks reach the request itself
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=EXCLUDED)
