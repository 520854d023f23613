"""Reading another SensorThings server: GET with a timeout, retries with backoff on the faults that pass
(timeouts, refused connections, 429 and 5xx), clear errors for those that do not, and `@iot.nextLink`
paging. Standard library only, so a room without extra packages can still pull.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit, urlunsplit
from urllib.request import Request, urlopen

RETRYABLE = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 64 << 20
MAX_WAIT_S = 60.0
VERSION_PATH = re.compile(r"/v1\.[01]/(.*)$")
URL_SAFE = "$(),'/:="


class PullError(RuntimeError):
    """The server cannot be read as asked; the message names the URL and what went wrong."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when the server answered


@dataclass
class SensorThingsClient:
    """One server, addressed by its service root (`https://host/FROST-Server/v1.1`); credentials in the URL
    (`https://user:password@host/...`) are sent as HTTP Basic."""

    base_url: str
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    notes: list[str] = field(default_factory=list)
    _auth: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{self.base_url!r} is not an http(s) URL of a SensorThings service root")
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(pair.encode()).decode()
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6
        netloc = host + (f":{parts.port}" if parts.port else "")
        self.base_url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))

    def url(self, path: str, params: dict[str, object] | None = None) -> str:
        query = urlencode(params or {}, safe=URL_SAFE, quote_via=quote)
        return f"{self.base_url}/{path}" + (f"?{query}" if query else "")

    def get(self, url: str) -> object:
        """The JSON at `url`, after up to `retries` more tries for faults that may pass."""
        headers = {"Accept": "application/json", "User-Agent": "ruang-kendali-kota sensorthings-pull"}
        if self._auth:
            headers["Authorization"] = self._auth
        for attempt in range(self.retries + 1):
            wait = self.backoff * 2**attempt
            try:
                with urlopen(Request(url, headers=headers), timeout=self.timeout) as response:  # noqa: S310
                    body = response.read(MAX_BODY_BYTES + 1)
            except HTTPError as exc:
                if exc.code not in RETRYABLE or attempt == self.retries:
                    raise PullError(f"{url}: HTTP {exc.code} {_server_message(exc)}", exc.code) from None
                wait = _retry_after(exc) or wait
            except (URLError, TimeoutError, ConnectionError, HTTPException) as exc:
                if attempt == self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise PullError(f"{url}: {reason or 'no answer'} (tried {attempt + 1} times)") from None
            else:
                return _json(url, body)
            self.sleep(min(wait, MAX_WAIT_S))
        raise AssertionError("unreachable")  # the loop returns or raises

    def pages(self, url: str) -> Iterator[dict]:
        """Each page of a collection, following `@iot.nextLink` until the server gives none."""
        seen: set[str] = set()
        while url:
            if url in seen:
                raise PullError(f"{url}: the server's @iot.nextLink points back to a page already read")
            seen.add(url)
            page = self.get(url)
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise PullError(f"{url}: not a SensorThings collection (no 'value' array)")
            yield page
            link = page.get("@iot.nextLink")
            url = self.on_this_server(link) if isinstance(link, str) and link else ""

    def on_this_server(self, link: str) -> str:
        """A link as this client reaches the server: a server behind a proxy often writes its internal
        address in links (FROST without serviceRootUrl says http://localhost:8080/...), so the part after
        the version is put on our base URL."""
        absolute = urljoin(self.base_url + "/", link)
        if absolute.startswith(self.base_url + "/"):
            return absolute
        parts = urlsplit(absolute)
        match = VERSION_PATH.search(parts.path)
        if not match:
            raise PullError(f"@iot.nextLink {link!r} does not lead to a resource of {self.base_url}")
        note = f"the server writes links with {parts.scheme}://{parts.netloc}; followed on {self.base_url} instead"
        if note not in self.notes:
            self.notes.append(note)
        return f"{self.base_url}/{match.group(1)}" + (f"?{parts.query}" if parts.query else "")


def _json(url: str, body: bytes) -> object:
    if len(body) > MAX_BODY_BYTES:
        raise PullError(f"{url}: the answer is over {MAX_BODY_BYTES >> 20} MB; ask for smaller pages")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PullError(
            f"{url}: the answer is not JSON (is the base URL the service root, e.g. https://host/FROST-Server/v1.1?)"
        ) from None


def _server_message(exc: HTTPError) -> str:
    try:
        text = exc.read(4096).decode("utf-8", "replace")
    except OSError:
        return exc.reason or ""
    try:
        doc = json.loads(text)
        text = doc.get("message") or doc.get("error") or text if isinstance(doc, dict) else text
    except ValueError:
        pass
    return f"{exc.reason}: {str(text).strip()[:300]}" if text else str(exc.reason or "")


def _retry_after(exc: HTTPError) -> float | None:
    value = (exc.headers or {}).get("Retry-After", "")
    return float(value) if str(value).strip().isdigit() else None
