"""The wall opens in a real browser with figures equal to what the database holds."""

import pytest

from dashboard.app import create_app
from data.queries.complaints import complaint_kpis
from data.store import utcnow
from layouts import ids
from layouts.i18n import fmt_number
from tests.e2e.conftest import foreign_requests

pytestmark = pytest.mark.e2e


def test_wall_shows_the_open_backlog_the_database_holds(dash_duo, small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall")
    value = dash_duo.wait_for_element(f"#{ids.kpi_value('open_backlog')}", timeout=20)
    expected = complaint_kpis(small_city, utcnow()).open_backlog
    dash_duo.wait_for_text_to_equal(f"#{ids.kpi_value('open_backlog')}", fmt_number(expected, "id"), timeout=20)
    assert value.text == fmt_number(expected, "id")
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []
