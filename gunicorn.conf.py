"""gunicorn settings for the room in production (read from the environment, sensible for 2-8 cores).

    gunicorn -c gunicorn.conf.py dashboard.wsgi:server

WEB_CONCURRENCY (workers, default 2 x cores + 1), GUNICORN_THREADS (threads per worker, default 4),
HOST and PORT (default 127.0.0.1:8050; `-b` overrides them). Workers share figures through Redis when
REDIS_URL is set. The start-up check (users, SECRET_KEY) runs on the addresses gunicorn really listens on,
before any worker starts; the open demo is granted only when they are all loopback (dashboard/exposure.py).
"""

from __future__ import annotations

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
preload_app = True  # migrate and load once in the master, then fork
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 30  # wall screens poll every few seconds: keep their connections open
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))  # weeks unattended: recycle workers
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
os.environ["CITY_BIND_DECLARED_BY"] = "gunicorn.conf.py"  # dashboard.wsgi: the hooks below declare the bind


def when_ready(server) -> None:  # noqa: ANN001
    """Refuse to start (before any worker) when the listeners reach the network without users or a strong key."""
    from dashboard.exposure import StartupRefusedError, check_listeners

    try:
        check_listeners(server.LISTENERS)
    except StartupRefusedError as exc:
        raise RuntimeError(str(exc)) from exc  # gunicorn prints "Error: ..." and exits 1


def post_fork(_server, worker) -> None:  # noqa: ANN001
    from dashboard.wsgi import after_fork

    after_fork(worker.sockets)
