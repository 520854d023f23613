"""A small SensorThings server for tests, on a free loopback port: it answers from entities recorded in FROST's
format (tests/fixtures/sensorthings/frost/) the way FROST pages them: $top capped by its maxTop, $skip,
$filter on phenomenonTime, $orderby phenomenonTime, absolute @iot.nextLink, FROST's error bodies. Faults on
demand: answers of a given status first, slow answers, links written with an internal address."""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "sensorthings" / "frost"
PREFIX = "/FROST-Server/v1.1"
TIME_FILTER = re.compile(r"^phenomenonTime (ge|gt) (\S+)$")


class FrostLike:
    def __init__(self, max_top: int = 10) -> None:
        self.max_top = max_top
        self.datastreams = json.loads((RECORDED / "datastreams.json").read_text())["value"]
        self.observations = {
            ds["@iot.id"]: json.loads((RECORDED / f"observations_{ds['@iot.id']}.json").read_text())
            for ds in self.datastreams
        }
        self.fail_with: list[int] = []  # statuses to answer before answering properly
        self.delay = 0.0
        self.internal_links = False  # write links as http://localhost:8080/FROST-Server/v1.1 (no serviceRootUrl)
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}{PREFIX}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_observation(self, ds_id: int, at: str, result: object) -> None:
        entity = copy.deepcopy(self.observations[ds_id][-1])
        entity.update({"phenomenonTime": at, "resultTime": at, "result": result, "@iot.id": entity["@iot.id"] + 1000})
        self.observations[ds_id].append(entity)

    def _handler(self):  # noqa: ANN202
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                if server.fail_with:
                    return self._send(server.fail_with.pop(0), {"code": 503, "type": "error", "message": "busy"})
                parts = urlsplit(self.path)
                args = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, body = server.answer(parts.path, args)
                self._send(status, body)

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, path: str, args: dict[str, str]) -> tuple[int, object]:
        if not path.startswith(PREFIX):
            return 404, {"code": 404, "type": "error", "message": "Not a valid path."}
        rest = path[len(PREFIX) :].strip("/")
        if rest == "":
            return 200, {"value": [{"name": n, "url": f"{self.root}/{n}"} for n in ("Datastreams", "Observations")]}
        if rest == "Datastreams":
            return 200, self._page(rest, self.datastreams, args)
        m = re.fullmatch(r"Datastreams\((\d+)\)(/Observations)?", rest)
        found = [d for d in self.datastreams if m and d["@iot.id"] == int(m.group(1))]
        if not found:
            return 404, {"code": 404, "type": "error", "message": "Nothing found."}
        if not m.group(2):
            return 200, found[0]
        items = self.observations[found[0]["@iot.id"]]
        if "$filter" in args:
            f = TIME_FILTER.match(args["$filter"])
            if not f:
                return 400, {"code": 400, "type": "error", "message": f"Failed to parse {args['$filter']}"}
            since = datetime.fromisoformat(f.group(2).replace("Z", "+00:00"))
            keep = (lambda t: t >= since) if f.group(1) == "ge" else (lambda t: t > since)
            items = [o for o in items if keep(datetime.fromisoformat(o["phenomenonTime"].replace("Z", "+00:00")))]
        if args.get("$orderby", "").startswith("phenomenonTime"):
            items = sorted(items, key=lambda o: o["phenomenonTime"], reverse=args["$orderby"].endswith("desc"))
        return 200, self._page(rest, items, args)

    def _page(self, rest: str, items: list, args: dict[str, str]) -> dict:
        top = min(int(args.get("$top", 100)), self.max_top)
        skip = int(args.get("$skip", 0))
        page: dict = {}
        if skip + top < len(items):
            root = "http://localhost:8080" + PREFIX if self.internal_links else self.root
            following = {k: v for k, v in args.items() if k != "$skip"} | {"$top": str(top), "$skip": str(skip + top)}
            page["@iot.nextLink"] = f"{root}/{rest}?{urlencode(following, quote_via=quote, safe='$(),/:')}"
        page["value"] = items[skip : skip + top]
        return page
