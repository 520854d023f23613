"""Open311 with the clients other systems use, over real HTTP (waitress on a loopback port): the `georeport`
client from PyPI reads services, a service definition and requests as .json and .xml; its POST is sent raw as
the spec's example request (form-encoded with api_key), since georeport 0.3.1 has no create method."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from callbacks.context import RUNTIME_KEY
from dashboard.app import create_app
from dashboard.exposure import declare_bind
from data.auth.tokens import create_token
from tests.helpers.live import LiveApp


@pytest.fixture
def live_room(tmp_path, settings_for):
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'clients.db'}", demo_on_empty=False))
    runtime = app.server.extensions[RUNTIME_KEY]
    api_key, _ = create_token(runtime.engine, "ingest", "LAKSA app", ["complaints"], "test", source="laksa")
    live = LiveApp(app)
    declare_bind(runtime, [f"127.0.0.1:{live.port}"])  # served on loopback only: the open demo reads
    yield f"{live.url}/open311/v2", api_key
    live.close()


def test_spec_post_then_georeport_reads_it_in_both_formats(live_room):
    endpoint, api_key = live_room
    form = (
        f"api_key={api_key}&jurisdiction_id=36.71&service_code=jalan_rusak&lat=-6.1781&long=106.6319"
        "&address_string=Jl.+Daan+Mogot+1&email=warga%40example.id&device_id=tt222111&account_id=123456"
        "&first_name=Budi&last_name=Santoso&phone=0811111111&description=Lubang+besar+di+jalan"
        "&media_url=http%3A%2F%2Fexample.id%2F1.jpg&attribute[UKURAN_LUBANG]=besar"
    )  # the spec's example request, with this city's values
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    created = requests.post(f"{endpoint}/requests.xml", data=form, headers=headers, timeout=10)
    assert created.status_code == 201 and created.headers["Content-Type"].startswith("text/xml")
    json_post = requests.post(
        f"{endpoint}/requests.json",
        json={"api_key": api_key, "service_code": "sampah", "address_string": "Pasar Anyar"},
        timeout=10,
    )
    assert json_post.status_code == 201 and json_post.json()[0]["service_request_id"].startswith("API-")

    for fmt in ("json", "xml"):
        client = GeoReport(endpoint, jurisdiction="36.71", output_format=fmt)
        services = client.get_service_list()
        codes = {s["service_code"] for s in services}
        assert {"jalan_rusak", "sampah", "banjir"} <= codes
        definition = client.get_service_definition("jalan_rusak")
        assert definition["service_code"] == "jalan_rusak" and definition["attributes"]
        listed = client.get_service_requests(service_code="jalan_rusak", status="open")
        listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives one <request> as a dict
        assert [r["service_code"] for r in listed] == ["jalan_rusak"]
        one = client.get_service_request(listed[0]["service_request_id"])
        assert one["address"] == "Jl. Daan Mogot 1" and one["description"] == "Lubang besar di jalan"
        assert str(one["lat"]) == "-6.1781"
    with pytest.raises(requests.HTTPError) as missing:
        GeoReport(endpoint).get_service_request("NOPE-1")
    assert missing.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as elsewhere:
        GeoReport(endpoint, jurisdiction="sfgov.org").get_service_list()
    assert elsewhere.value.response.json() == [
        {"code": 404, "description": "jurisdiction_id 'sfgov.org' not found: this endpoint serves 36.71"}
    ]


def test_spec_post_with_a_bad_key_or_no_place(live_room):
    endpoint, api_key = live_room
    refused = requests.post(f"{endpoint}/requests.json", data={"api_key": "xyz", "service_code": "sampah"}, timeout=10)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    nowhere = requests.post(
        f"{endpoint}/requests.json", data={"api_key": api_key, "service_code": "sampah"}, timeout=10
    )
    assert nowhere.status_code == 400 and "location is required" in nowhere.json()[0]["description"]
