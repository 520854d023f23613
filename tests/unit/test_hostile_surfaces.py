"""Hostile citizen and feed text through the real ingest paths, then every place it is shown or exported.

Complaints arrive by POST /api/v1/complaints and a sensor by `python -m dashboard ingest sensors`; a real
Chromium then opens the wall (with its folium map), the operator's console and the analysts' workbench.
Each payload, if it ever ran, would set `window.__pwned`; the pages must show it as text instead, and the
exports must keep formula-looking cells as text.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import zipfile

import orjson
import pytest
from sqlalchemy import select

from dashboard import cli
from dashboard.app import create_app
from data.models import Complaint, Sensor
from tests.helpers.live import chromium

pytestmark = pytest.mark.e2e
TOKEN = "hostile-test-ingest-token-0123456789"
SCRIPT = "<script>window.__pwned='script'</script>"
IMG = "<img src=x onerror=\"window.__pwned='img'\">"
TEMPLATE = "`);window.__pwned='tpl';(` ${window.__pwned='interp'}"
FORMULAS = ('=HYPERLINK("http://evil.example","klik")', "+1+cmd|' /C calc'!A0", "@SUM(1,1)", "-2+3")


def _hostile_city(engine, tmp_path, client) -> None:  # noqa: ANN001
    """A sensor with a hostile name (CLI ingest) and complaints with hostile text (the API)."""
    sensors = tmp_path / "sensors.csv"
    with sensors.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "kind", "unit", "lat", "lon", "warning_threshold", "danger_threshold"])
        writer.writerow(["wl-evil", f"Pos {TEMPLATE} {IMG}", "water_level", "cm", -6.18, 106.63, 250, 320])
    assert cli.main(["ingest", "sensors", str(sensors), "--database-url", str(engine.url)]) == 0
    services = client.get("/open311/v2/services.json").get_json()
    code = services[0]["service_code"]
    records = [
        {"service_code": code, "lat": -6.17 - i * 0.002, "long": 106.63 + i * 0.002, "description": text,
         "address_string": f"Jl. {IMG}", "first_name": formula, "phone": formula}
        for i, (text, formula) in enumerate(zip((SCRIPT, IMG, TEMPLATE, *FORMULAS), FORMULAS * 2, strict=False))
    ]  # fmt: skip
    r = client.post("/api/v1/complaints", data=orjson.dumps(records),
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)[:500]
    with engine.connect() as conn:
        stored = set(conn.execute(select(Complaint.description).where(Complaint.source == "api")).scalars())
    assert {SCRIPT, IMG, TEMPLATE} <= stored  # kept exactly as sent: escaping happens where it is shown


@pytest.fixture
def hostile_app(small_city, settings_for, tmp_path):
    app = create_app(settings_for(str(small_city.url), ingest_token=TOKEN))
    _hostile_city(small_city, tmp_path, app.server.test_client())
    with small_city.connect() as conn:
        assert conn.execute(select(Sensor.name).where(Sensor.id == "wl-evil")).scalar_one().startswith("Pos `")
    return app


def test_exports_keep_formula_looking_text_as_text(hostile_app):
    client = hostile_app.server.test_client()
    body = client.get("/analyst/export.csv?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    for payload in FORMULAS:
        assert "'" + payload in cells
    dangerous = [c for c in cells if c and c[0] in "=+-@\t\r" and not _is_number(c)]
    assert dangerous == []
    xlsx = client.get("/analyst/export.xlsx?start=2026-11-01&end=2026-11-30").get_data()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # present, as text, never as a formula


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


PWNED = """
const seen = [window.__pwned];
for (const f of document.querySelectorAll('iframe')) {
  try { seen.push(f.contentWindow.__pwned); } catch (e) { seen.push('cross-origin frame'); }
}
return seen.filter(x => x !== undefined && x !== null);
"""


SHOWN_AS_TEXT = """
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walk.nextNode(); n; n = walk.nextNode()) {
  if (!n.parentElement.closest('script, style') && n.nodeValue.includes("__pwned")) { return true; }
}
return false;
"""


def test_pages_show_hostile_text_as_text_and_never_run_it(hostile_app):
    from waitress.server import create_server

    server = create_server(hostile_app.server, host="127.0.0.1", port=0, threads=6)
    port = server.socket.getsockname()[1]
    threading.Thread(target=server.run, daemon=True).start()
    driver = chromium()
    shown = []
    try:
        for page in ("/wall", "/wall/map", "/wall/complaints", "/ops", "/analyst?start=2026-11-20&end=2026-11-30"):
            driver.get(f"http://127.0.0.1:{port}{page}")
            time.sleep(7)
            assert driver.execute_script(PWNED) == [], page
            logs = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert not [m for m in logs if "Content Security Policy" in m or "pwned" in m], (page, logs)
            if driver.execute_script(SHOWN_AS_TEXT):
                shown.append(page)
    finally:
        driver.quit()
        server.close()
    assert shown, "the hostile complaints were shown nowhere (as text) - the test would prove nothing"
