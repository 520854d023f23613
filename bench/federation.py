"""python -m bench.federation: a national room over 100 member rooms, on this machine.

Members are a light stand-in: one threaded HTTP server replaying a recorded summary (built from a demo city,
re-labelled to 100 real kabupaten/kota codes with their own zones and signed afresh on every request). Measured:
a full pull round (every member asked, verified, stored) and the federation wall's callbacks over Dash's own
endpoint, in process: the tick that checks for change, and the redraw after new summaries arrived.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from bench.stats import Timing, summarise, time_calls
from dashboard.settings import Settings
from data.federation.outlines import OUTLINES_DIR
from data.federation.summary import RoomIdentity, build_room_summary
from data.signing import sign
from data.store import make_engine, utcnow

RESULTS = Path(__file__).resolve().parent / "results" / "federation.md"
KEY = "bench-member-signing-key-0123456789"
TOKEN = "bench-member-token-0123456789"
ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def recorded_summaries(count: int, workdir: Path) -> dict[str, bytes]:
    """One real summary of a small demo city, re-labelled as `count` real kabupaten/kota (all three zones)."""
    from data.demo.generate import DemoSpec
    from data.demo.seed import seed_demo_city

    engine = make_engine(f"sqlite:///{workdir / 'member.db'}")
    now = utcnow().replace(microsecond=0)
    seed_demo_city(engine, DemoSpec(end=now, days=31, complaints=3_000, observations=20_000, sensors=20, seed=5))
    identity = RoomIdentity(name="Kota Tangerang", short_name="Tangerang", kind="kota", code="36.71",
                            zone="Asia/Jakarta", zone_label="WIB")  # fmt: skip
    base = build_room_summary(engine, identity, timedelta(hours=7), now, Settings().targets_path)
    engine.dispose()
    features = json.loads((OUTLINES_DIR / "indonesia_kabkota.geojson").read_text())["features"]
    step = max(1, len(features) // count)
    chosen = [f["properties"] for f in features[::step][:count]]
    out = {}
    for i, p in enumerate(chosen):
        room = base.room.model_copy(update={"code": p["code"], "name": p["name"], "short_name": p["name"][:40],
                                            "kind": p["kind"], "zone": p["time_zone"],
                                            "zone_label": ZONE_LABELS[p["time_zone"]]})  # fmt: skip
        out[p["code"]] = base.model_copy(update={"room": room, "score": round(0.8 + (i % 40) / 100, 3)}).to_json()
    return out


class StandIn:
    """Every member's summary endpoint, at http://127.0.0.1:PORT/m/<code>/api/v1/summary."""

    def __init__(self, bodies: dict[str, bytes]) -> None:
        bodies_by_path = {f"/m/{code}/api/v1/summary": body for code, body in bodies.items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = bodies_by_path.get(self.path)
                if body is None or self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send_error(404 if body is None else 401)
                    return
                stamp = str(int(time.time()))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-CityOps-Timestamp", stamp)
                self.send_header("X-CityOps-Signature", sign(KEY, stamp, body))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def federation_pack(folder: Path, port: int, bodies: dict[str, bytes]) -> Path:
    members = []
    for code, body in bodies.items():
        doc = json.loads(body)
        members.append(
            f'    - code: "{code}"\n      name: "{doc["room"]["name"]}"\n      url: http://127.0.0.1:{port}/m/{code}\n'
            f"      token: {TOKEN}\n      key: {KEY}\n      zone: {doc['room']['zone']}\n"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.yaml").write_text(
        "name: Smart City Nasional\nshort_name: Nasional\nkind: nasional\ncode: '00'\nzone: Asia/Jakarta\n"
        "federation:\n  every_seconds: 60\n  timeout_seconds: 5\n  members:\n" + "".join(members)
    )
    return folder


def _callback(client, body: dict) -> None:  # noqa: ANN001 - a Flask test client
    response = client.post("/_dash-update-component", json=body)
    if response.status_code not in (200, 204):
        raise RuntimeError(f"callback answered {response.status_code}: {response.get_data(as_text=True)[:300]}")


def _bodies() -> tuple[dict, dict]:
    tick = {
        "output": "fed-state.data", "outputs": {"id": "fed-state", "property": "data"},
        "inputs": [{"id": "fed-tick", "property": "n_intervals", "value": 1}],
        "state": [{"id": "fed-state", "property": "data", "value": None}], "changedPropIds": ["fed-tick.n_intervals"],
    }  # fmt: skip
    outputs = [
        ("fed-map", "figure"),
        ("fed-rankings", "children"),
        ("fed-cards", "children"),
        ("fed-counts", "children"),
    ]
    draw = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": "fed-state", "property": "data", "value": {"version": 1}},
                   {"id": "fed-measure", "property": "value", "value": "score"},
                   {"id": "fed-viewport", "property": "data", "value": [1920, 1080]}],
        "state": [{"id": "fed-params", "property": "data", "value": {"lang": "id"}}],
        "changedPropIds": ["fed-state.data"],
    }  # fmt: skip
    return tick, draw


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.federation", description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=100)
    p.add_argument("--rounds", type=int, default=7, help="measured full pull rounds")
    p.add_argument("--runs", type=int, default=30, help="measured runs of each wall callback")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    from dashboard.app import create_app
    from data.city import load_pack
    from data.federation.pull import pull_round

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("recording a member summary ...", flush=True)
        bodies = recorded_summaries(args.members, work)
        stand_in = StandIn(bodies)
        folder = federation_pack(work / "pack", stand_in.port, bodies)
        settings = Settings(database_url=f"sqlite:///{work / 'federation.db'}", city=str(folder))
        app = create_app(settings)
        engine, config = make_engine(settings.database_url), load_pack(folder).federation
        rounds, failures = [], 0
        for _ in range(args.rounds + 1):
            start = time.perf_counter()
            results = pull_round(engine, config)
            rounds.append((time.perf_counter() - start) * 1000)
            failures += sum(1 for r in results if r.summary is None)
        pull = summarise(rounds[1:])
        client = app.server.test_client()
        tick, draw = _bodies()
        tick_timing = time_calls(lambda: _callback(client, tick), args.runs)
        redraw = time_calls(lambda: _callback(client, draw), args.runs, before=lambda: pull_round(engine, config))
        stand_in.close()
    write(args.out, args.members, pull, failures, tick_timing, redraw)
    print(args.out.read_text(), flush=True)
    return 0


def write(out: Path, members: int, pull: Timing, failures: int, tick: Timing, redraw: Timing) -> None:
    machine = f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.platform()}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        f"# Federation benchmark: a national room over {members} member rooms\n\n"
        f"Machine: {machine}; load average at the end {psutil.getloadavg()[0]:.1f}. SQLite store; members are a\n"
        "stand-in replaying a recorded summary, signed per request. Median / p95 in milliseconds.\n\n"
        "| what | median / p95 | target |\n|---|---|---|\n"
        f"| full pull round ({members} members asked, verified, stored; {pull.runs} rounds) | {pull.cell()} "
        "| < 10 s |\n"
        f"| failed member pulls over all rounds | {failures} | 0 |\n"
        f"| wall tick (anything changed?), in process | {tick.cell()} | p95 < 150 ms |\n"
        f"| wall redraw after new summaries (map, rankings, cards), in process | {redraw.cell()} | p95 < 150 ms |\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
