"""Each app holds its own city's rules: two apps of two cities in one process date SLAs on their own
regional holidays and raise alerts by their own thresholds, whichever was created last; nothing to reset."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from callbacks.context import RUNTIME_KEY
from dashboard.app import create_app
from dashboard.settings import Settings
from data import sla
from data.alerts.config import current_config, pack_config
from data.alerts.models import Alert
from data.city import active, load_pack, using
from data.ingest.sink import store_complaints, store_observations
from data.models import Complaint, Sensor
from data.store import utcnow
from tests.helpers.packs import write_pack

MONDAY_0900_WIB = datetime(2026, 12, 14, 2, 0)
RULES = """sensor_rules:
  - {{name: heavy_rain, type: threshold, kind: rainfall, warning: {warning}, danger: {danger}}}
"""


def _city(folder, holiday: date, warning: float, danger: float):  # noqa: ANN001, ANN202
    """A copy of Kota Tangerang with its own regional holiday and its own rain thresholds."""
    write_pack(
        folder,
        regional_holidays=[{"day": holiday, "name": "Hari Jadi"}],
        catalogue={"alert_rules_file": "rules.yaml"},
    )
    (folder / "rules.yaml").write_text(RULES.format(warning=warning, danger=danger), encoding="utf-8")
    return folder


@pytest.fixture
def two_apps(tmp_path, monkeypatch):
    """Two cities' apps built one after the other, as a process hosting both would."""
    monkeypatch.setattr(active, "_process", [])  # create_app activates its city: leave later tests none of these
    apps = {}
    for name, holiday, warning, danger in (("east", date(2026, 12, 15), 10, 20), ("west", date(2026, 12, 16), 50, 80)):
        monkeypatch.setenv("CITY", str(_city(tmp_path / name, holiday, warning, danger)))
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / name}.db")
        apps[name] = create_app(Settings.from_env())
    return apps


def _in_request(app, work):  # noqa: ANN001, ANN202
    """`work()` inside one request of `app`, after its before-request hooks (the city's rules entered)."""
    with app.server.test_request_context("/api/health"):
        app.server.preprocess_request()
        return work()


def _store_of(app):  # noqa: ANN001, ANN202
    return app.server.extensions[RUNTIME_KEY].engine


def test_each_app_dates_slas_on_its_own_regional_holidays(two_apps):
    complaint = {"source": "t", "source_id": "1", "category": "kebakaran", "status": "open",  # 1 working day
                 "requested_at": MONDAY_0900_WIB, "lat": -6.18, "lon": 106.63, "district_code": "36.71.01"}  # fmt: skip
    expected = {"east": datetime(2026, 12, 16, 2, 0), "west": datetime(2026, 12, 15, 2, 0)}  # east rests on the 15th
    for name, app in two_apps.items():
        assert _in_request(app, lambda: sla.due_time(MONDAY_0900_WIB, "kebakaran")) == expected[name]
        _in_request(app, lambda app=app: store_complaints(_store_of(app), [complaint]))
        with _store_of(app).connect() as conn:
            assert conn.execute(select(Complaint.due_at)).scalar() == expected[name]


def test_each_app_raises_alerts_by_its_own_rules(two_apps):
    reading_at = utcnow() - timedelta(minutes=1)
    for name, app in two_apps.items():
        store = _store_of(app)
        with store.begin() as conn:
            conn.execute(insert(Sensor).values(id="rain-1", name="Pos Hujan", kind="rainfall", unit="mm/h",
                                               lat=-6.18, lon=106.63, district_code="36.71.01",
                                               expected_interval_s=300))  # fmt: skip
        _in_request(app, lambda store=store: store_observations(store, [("rain-1", reading_at, 30.0)]))
        with store.connect() as conn:
            severities = conn.execute(select(Alert.severity).where(Alert.rule == "heavy_rain")).scalars().all()
        assert severities == (["danger"] if name == "east" else []), name  # 30 mm/h: past east's 20, below west's 50


def test_code_handed_no_rules_outside_a_request_uses_the_current_citys_own(tmp_path):
    east = load_pack(_city(tmp_path / "east", date(2026, 12, 15), 10, 20))
    with using(east):
        assert sla.due_time(MONDAY_0900_WIB, "kebakaran") == datetime(2026, 12, 16, 2, 0)
        assert current_config() is pack_config(east)
        assert current_config().sensor_rules[0].danger == 20
