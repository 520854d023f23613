"""A new app is fully set up before it serves: Dash's first-request hooks (the pages router, the callback
map) are not thread-safe, and a gunicorn worker's first requests arrive together from a wall of screens."""

import threading

from callbacks import dash_internals
from dashboard.app import create_app


def test_the_pages_router_exists_before_the_first_request(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    assert dash_internals.pages_router_key(app) is not None


def test_many_first_requests_at_once_all_answer(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    clients = [app.server.test_client() for _ in range(12)]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def first_request(client) -> None:  # noqa: ANN001
        start.wait()
        statuses.append(client.get("/api/health").status_code)

    threads = [threading.Thread(target=first_request, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * len(clients)
