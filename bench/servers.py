"""Starting and stopping the servers the benchmark measures through HTTP (gunicorn, as in production)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


class Gunicorn:
    """A gunicorn process tree serving `app` (module:attr) with the production config."""

    def __init__(self, app: str, port: int, env: dict[str, str], workers: int = 2, threads: int = 4) -> None:
        self.url = f"http://127.0.0.1:{port}"
        full_env = {**os.environ, **env, "PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(ROOT),
                    "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}  # fmt: skip
        self.log = open(f"/tmp/bench-gunicorn-{port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, env=full_env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self, path: str = "/", timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                if requests.get(self.url + path, timeout=5).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn not ready after {timeout_s:.0f} s; see {self.log.name}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
