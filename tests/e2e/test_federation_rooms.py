"""Three city rooms (Tangerang, Lumajang and OKU packs, each its own process and store) and one national room over
them, all on loopback ports: the federation wall shows all three; a stopped member turns stale with its last
figures while the others keep refreshing; it comes back when its room does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from sqlalchemy import create_engine, text

from tests.helpers.live import chromium, free_port, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOMS = {"tangerang": "36.71", "lumajang": "35.08", "oku": "16.01"}
NAMES = {"tangerang": "Kota Tangerang", "lumajang": "Kabupaten Lumajang", "oku": "Kabupaten Ogan Komering Ulu"}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CITY", "DATABASE_URL", "HOST", "PORT")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], env=env, capture_output=True, text=True, timeout=240, check=True
    )  # noqa: S603


class Room:
    """One city's room: seeded, with a summary token, served by `python -m dashboard serve` on its own port."""

    def __init__(self, city: str, root: Path) -> None:
        self.city, self.port = city, free_port()
        self.key = f"summary-key-of-{city}-" + "x" * 24
        self.env = _env(CITY=city, DATABASE_URL=f"sqlite:///{root / f'{city}.db'}", SUMMARY_SIGNING_KEY=self.key)
        self.log = root / f"{city}.log"
        self.process: subprocess.Popen | None = None
        self.token = ""

    def seed(self) -> subprocess.Popen:
        args = ["seed", "--complaints", "1500", "--observations", "6000", "--days", "31", "--sensors", "12"]
        return subprocess.Popen([sys.executable, "-m", "dashboard", *args], env=self.env,  # noqa: S603
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip

    def make_token(self) -> None:
        out = _cli(self.env, "tokens", "create", "ingest", "--name", "nasional", "--scope", "summary").stdout
        self.token = re.search(r"(cin_[A-Za-z0-9_-]+)", out).group(1)

    def start(self) -> None:
        args = ["serve", "--port", str(self.port), "--no-simulate", "--no-alerts"]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "dashboard", *args], env=self.env,  # noqa: S603
                                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        wait_until(lambda: _healthy(self.port), 90, f"the {self.city} room to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _pack(root: Path, rooms: list[Room]) -> Path:
    folder = root / "nasional"
    folder.mkdir()
    members = "".join(
        f'    - code: "{ROOMS[r.city]}"\n      name: {NAMES[r.city]}\n      url: http://127.0.0.1:{r.port}\n'
        f"      token: {r.token}\n      key: {r.key}\n"
        for r in rooms
    )
    (folder / "city.yaml").write_text(
        "name: Smart City Nasional\nshort_name: Nasional\nkind: nasional\ncode: '00'\nzone: Asia/Jakarta\n"
        "federation:\n  every_seconds: 5\n  timeout_seconds: 2\n  retries: 0\n  stale_after_seconds: 12\n"
        f"  max_backoff_seconds: 5\n  members:\n{members}"
    )
    return folder


CARDS_JS = """return Array.from(document.querySelectorAll('.fed-card')).map(c => [c.dataset.member, c.dataset.stale,
  (c.querySelector('.fed-score') || {}).textContent || '']);"""


def _cards(driver) -> dict[str, dict[str, str]]:
    """Every member card as the page shows it now, read in one script (cards are redrawn while we look)."""
    return {code: {"stale": stale, "score": score} for code, stale, score in driver.execute_script(CARDS_JS)}


def _server_errors(*logs: Path) -> list[str]:
    """Tracebacks and 5xx answers any server wrote (waitress and Flask log both to the captured output)."""
    lines = [line for log in logs if log.exists() for line in log.read_text().splitlines()]
    return [line for line in lines if "Traceback" in line or re.search(r'" 5\d\d ', line)]


@pytest.fixture
def rooms(tmp_path):
    made = [Room(city, tmp_path) for city in ROOMS]
    seeding = [r.seed() for r in made]
    for r, p in zip(made, seeding, strict=True):
        assert p.wait(timeout=240) == 0, f"seeding {r.city} failed: {p.stderr.read()[-2000:]}"
    for r in made:
        r.make_token()
        r.start()
    yield made
    for r in made:
        r.stop()


def test_the_national_room_shows_every_member_a_stopped_one_stale_then_back(rooms, tmp_path):
    pack = _pack(tmp_path, rooms)
    fed_port, fed_log = free_port(), tmp_path / "federation.log"
    store = tmp_path / "federation.db"
    env = _env(CITY=str(pack), DATABASE_URL=f"sqlite:///{store}")
    with open(fed_log, "w") as log:
        federation = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(fed_port)],  # noqa: S603
                                      env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    driver = chromium()
    lumajang = next(r for r in rooms if r.city == "lumajang")
    try:
        wait_until(lambda: _healthy(fed_port), 60, "the national room to answer")
        driver.get(f"http://127.0.0.1:{fed_port}/federation")
        codes = set(ROOMS.values())
        wait_until(lambda: {c for c, v in _cards(driver).items() if v["stale"] == "0" and v["score"]} == codes, 60,
                   "all three members live on the wall")  # fmt: skip
        before = _cards(driver)["35.08"]["score"]
        assert re.fullmatch(r"\d+,\d\d", before), before  # Indonesian decimals, a real figure
        assert "3 terkini" in driver.find_element(By.CSS_SELECTOR, ".fed-counts").text

        lumajang.stop()
        stopped_at = time.time()
        wait_until(lambda: _cards(driver).get("35.08", {}).get("stale") == "1", 60, "Lumajang shown stale")
        cards = _cards(driver)
        assert cards["35.08"]["score"] == before  # its last figures, never zeros
        assert cards["36.71"]["stale"] == "0" and cards["16.01"]["stale"] == "0"
        engine = create_engine(f"sqlite:///{store}")
        with engine.connect() as conn:
            heard = dict(conn.execute(text("SELECT code, last_ok_at FROM federation_members")).all())
        engine.dispose()
        assert all(
            time.mktime(time.strptime(str(heard[c])[:19], "%Y-%m-%d %H:%M:%S")) - time.timezone > stopped_at
            for c in ("36.71", "16.01")
        ), heard  # the others kept refreshing while one was away
        mark = driver.find_element(By.CSS_SELECTOR, '.fed-card[data-member="35.08"] .fed-fresh')
        assert re.fullmatch(r"BASI · \d\d:\d\d WIB", mark.text), mark.text  # the time of its last summary
        assert "ringkasan terakhir" in mark.get_attribute("title")

        lumajang.start()
        wait_until(lambda: _cards(driver).get("35.08", {}).get("stale") == "0", 60, "Lumajang back")
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
    finally:
        driver.quit()
        federation.terminate()
        federation.wait(timeout=20)
    assert _server_errors(fed_log, *(r.log for r in rooms)) == []
