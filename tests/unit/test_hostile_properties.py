"""Property tests (hypothesis): generated records and strings at every parser, the filters and the HTTP API.

The property is always the same one a city IT officer cares about: bad input gets a clear answer (a
reject, a 4xx) and never an unhandled error (a 500, a crash), and nothing accepted breaks the store.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.app import create_app
from dashboard.auth import safe_next
from data.auth import access
from data.auth.roles import ALL_PERMISSIONS
from data.ingest.complaints import OPEN311_MAPPING, check_complaint, complaint_from_open311
from data.ingest.observations import RawReadings, collect_readings
from data.ingest.readers import csv_records, json_records
from data.ingest.values import parse_coordinates, parse_number, parse_numbers, parse_time, parse_times
from data.queries.analyst_filter import from_query, known_values
from tests.conftest import copy_city

TOKEN = "property-test-ingest-token-0123456789"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NASTY = st.sampled_from(
    ["", " ", "NaN", "Infinity", "-0", "1e309", "1,5", "1.234,5", "１２", "\x00", "\ufeff12", "=1+1", "<script>",
     "2026-13-45T25:61", "1700000000000", "' OR 1=1 --", "../../etc/passwd", "😀", "\u202e", "%00", "null"]
)  # fmt: skip
TEXT = st.one_of(NASTY, st.text(max_size=40))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=12,
)
FIELDS = ("sensor_id", "observed_at", "value", "phenomenonTime", "result", "Datastream", "dataArray", "components")
READING = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6)


@given(SCALAR)
@FAST
def test_value_parsers_either_parse_or_say_why(value):
    for parse in (parse_number, parse_time):
        try:
            parse(value)
        except ValueError as exc:  # BadValueError is a ValueError with a reason for the rejects report
            assert str(exc)
    try:
        parse_coordinates(value, value)
    except ValueError as exc:
        assert str(exc)


@given(st.lists(SCALAR, max_size=30))
@FAST
def test_vectorised_parsers_return_one_answer_per_input(values):
    times, zoneless, time_reasons = parse_times(values, datetime(2026, 11, 20, 5, 30))
    numbers, number_reasons = parse_numbers(values)
    assert len(times) == len(zoneless) == len(time_reasons) == len(numbers) == len(number_reasons) == len(values)


@given(st.one_of(JSON, st.lists(READING, max_size=8), READING))
@FAST
def test_reading_collector_never_raises_on_any_json(doc):
    raw = RawReadings()
    collect_readings(doc, raw)
    assert len(raw.locations) == len(raw.refs) == len(raw.values)


@given(st.dictionaries(st.sampled_from(["service_code", "lat", "long", "description", "requested_datetime",
                                        "status", "service_request_id", "address_string", "phone", "email"]),
                       JSON, max_size=10))  # fmt: skip
@FAST
def test_open311_records_are_checked_never_crash(item):
    try:
        record = complaint_from_open311(item, "api")
    except ValueError:
        return
    try:
        checked = check_complaint(record, OPEN311_MAPPING, datetime(2026, 11, 20, 5, 30))
    except ValueError as exc:  # a reject with its reason
        assert str(exc)
    else:
        assert checked is not None


@given(st.binary(max_size=600))
@FAST
def test_file_readers_reject_any_bytes_with_a_clear_error(tmp_path_factory, blob):
    folder = tmp_path_factory.mktemp("files")
    for name, read in (("x.csv", csv_records), ("x.json", json_records)):
        path = Path(folder) / name
        path.write_bytes(blob)
        try:
            for _ in read(path):
                pass
        except ValueError as exc:  # FileUnreadableError and friends: a message for the report
            assert str(exc)


FILTER_KEYS = ("district", "category", "channel", "status", "agency", "start", "end", "hours", "weekdays", "lang", "x")


@given(st.dictionaries(st.sampled_from(FILTER_KEYS), st.lists(TEXT, max_size=3), max_size=6))
@FAST
def test_url_filters_keep_only_known_values(small_city_known, params):
    state, rejected = from_query(params, small_city_known, date(2026, 11, 20))
    assert isinstance(rejected, list)
    for value in getattr(state, "districts", ()):
        assert value in small_city_known.districts


@pytest.fixture(scope="module")
def small_city_known(small_city_path):
    from data.store import make_engine

    engine = make_engine(f"sqlite:///{small_city_path}")
    yield known_values(engine)
    engine.dispose()


@given(st.text(max_size=80))
@FAST
def test_login_redirects_stay_on_this_site(target):
    result = safe_next(target)
    assert result == "" or (result.startswith("/") and not result.startswith(("//", "/\\")))


@given(JSON)
@FAST
def test_reading_the_rendered_page_never_raises_but_on_a_path_that_is_not_text(body):
    body = body if isinstance(body, dict) else {"outputs": body, "inputs": body}
    for position in (0, 1, 5):
        try:
            path = access.page_path_at(body.get("inputs"), position)
        except ValueError:
            continue  # a path that is not text: the guard answers 400
        assert access.path_permission(path) in ALL_PERMISSIONS | {"ingest", access.PUBLIC}


@pytest.fixture(scope="module")
def api(small_city_path, tmp_path_factory):
    """One app on a private copy of the small city for all generated requests (module-scoped: fast)."""

    copy = tmp_path_factory.mktemp("api") / "city.db"
    copy_city(small_city_path, copy).dispose()
    from dashboard.settings import Settings

    return create_app(Settings(database_url=f"sqlite:///{copy}", ingest_token=TOKEN)).server.test_client()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@given(st.one_of(JSON, st.lists(READING, max_size=10)), st.sampled_from(["observations", "complaints", "metrics"]))
@FAST
def test_api_answers_any_json_with_a_4xx_or_success_never_500(api, body, feed):
    r = api.post(f"/api/v1/{feed}", data=orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS) if _dumpable(body)
                 else b"{", headers={**AUTH, "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code in (201, 207, 400, 413, 422), (r.status_code, r.get_data(as_text=True)[:300])


def _dumpable(body: object) -> bool:
    try:
        orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return True


@given(st.binary(max_size=400), st.sampled_from(["application/json", "text/csv", "application/x-www-form-urlencoded"]))
@FAST
def test_api_answers_any_bytes_with_a_4xx_never_500(api, blob, content_type):
    r = api.post("/api/v1/observations", data=blob, headers={**AUTH, "Content-Type": content_type})
    assert r.status_code in (201, 207, 400, 413, 415, 422)


@given(st.dictionaries(st.sampled_from(["service_code", "status", "start_date", "end_date", "service_request_id",
                                        "page", "page_size", "lat", "long", "radius"]), TEXT, max_size=6))  # fmt: skip
@FAST
def test_open311_read_api_answers_any_query_without_500(api, params):
    r = api.get("/open311/v2/requests.json", query_string=params)
    assert r.status_code in (200, 400), (r.status_code, params)


@given(st.dictionaries(st.sampled_from(["district", "category", "status", "lang", "screen", "start", "end"]),
                       TEXT, max_size=5), st.sampled_from(["/wall", "/leader", "/analyst", "/ops"]))  # fmt: skip
@FAST
def test_pages_render_any_url_filter_without_500(api, params, path):
    from urllib.parse import urlencode

    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": "?" + urlencode(params)},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }
    assert api.post("/_dash-update-component", json=body).status_code == 200
