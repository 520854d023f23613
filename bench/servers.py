"""Starting and stopping the servers the benchmark measures through HTTP: gunicorn (the production layout)
and the README's `python -m dashboard serve` (waitress, with its simulator and alert clock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """A server process tree started in its own session (so stopping it ends its children too)."""

    name = "server"

    def __init__(self, command: list[str], port: int, env: dict[str, str], unset: tuple[str, ...] = ()) -> None:
        self.url = f"http://127.0.0.1:{port}"
        full_env = {**os.environ, **env, "PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(ROOT)}
        for key in unset:
            full_env.pop(key, None)
        self.log = open(f"/tmp/bench-{self.name}-{port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited; see {self.log.name}")

    def wait_ready(self, path: str = "/", timeout_s: float = 180) -> None:
        """Until `path` answers (any status below 500)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if requests.get(self.url + path, timeout=5).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s; see {self.log.name}")

    def wait_warm(self, timeout_s: float = 600, in_a_row: int = 3) -> float:
        """Until /api/health answers and no longer says `warming` (`in_a_row` times, fresh connections, so
        every gunicorn worker is asked); returns the ms since the process was launched."""
        deadline = time.monotonic() + timeout_s
        warm = 0
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                response = requests.get(self.url + "/api/health", timeout=10)
                ok = response.status_code == 200 and response.json().get("status") != "warming"
            except (requests.RequestException, ValueError):
                ok = False
            warm = warm + 1 if ok else 0
            if warm >= in_a_row:
                return (time.perf_counter() - self.started) * 1000
            time.sleep(0.1 if ok else 0.25)
        raise RuntimeError(f"{self.name} still warming after {timeout_s:.0f} s; see {self.log.name}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Gunicorn(Server):
    """A gunicorn process tree serving `app` (module:attr) with the production config."""

    name = "gunicorn"

    def __init__(self, app: str, port: int, env: dict[str, str], workers: int = 2, threads: int = 4) -> None:
        env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}
        super().__init__([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app], port, env)


class Serve(Server):
    """`python -m dashboard serve` as the README runs it: waitress, the simulator and the alert clock as
    child processes, no Redis; it answers only once the wall's figures are warm."""

    name = "serve"

    def __init__(self, port: int, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "dashboard", "serve", "--port", str(port)]
        super().__init__(command, port, env, unset=("REDIS_URL",))
