"""Pull every member room's summary in parallel: timeouts, retries with backoff, signatures checked, stored.

A round never waits on a slow or absent member longer than its own deadline; a member that keeps failing is
asked less often (backoff across rounds, capped), and is shown stale with its last summary, never as zero.
A summary whose signature does not match, or that speaks for another member's code, is refused and logged.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import Engine, delete, select

from data.auth.events import record_event
from data.federation.config import FederationConfig, Member
from data.federation.models import FederationDay, FederationMember
from data.federation.summary import RoomSummary
from data.signing import verify
from data.store import bump_data_version, upsert_statement, utcnow

LOG = logging.getLogger(__name__)
MAX_SUMMARY_BYTES = 2 * 1024 * 1024
TIMESTAMP_HEADER = "X-CityOps-Timestamp"
SIGNATURE_HEADER = "X-CityOps-Signature"
SIGNATURE_TOLERANCE_S = 600  # rooms' clocks may drift; a replay older than this is refused


class RefusedSummary(Exception):  # noqa: N818 - reads as what happened
    """The member answered, but what it sent cannot be trusted (bad signature, wrong code, malformed)."""


@dataclass(frozen=True)
class PullResult:
    code: str
    summary: RoomSummary | None
    error: str | None
    refused: bool
    latency_ms: float | None


Fetcher = Callable[[Member, float], tuple[bytes, dict[str, str]]]


def http_fetch(member: Member, timeout: float) -> tuple[bytes, dict[str, str]]:
    """GET the member's summary with its token; the body (bounded) and the response headers."""
    request = urllib.request.Request(  # noqa: S310 - the URL is validated as http(s) by the pack
        member.summary_url, headers={"Authorization": f"Bearer {member.token}", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body = response.read(MAX_SUMMARY_BYTES + 1)
        return body, dict(response.headers.items())


def _trusted(member: Member, body: bytes, headers: dict[str, str], now: float) -> RoomSummary:
    if len(body) > MAX_SUMMARY_BYTES:
        raise RefusedSummary(f"summary larger than {MAX_SUMMARY_BYTES // 1024} KiB")
    lower = {k.lower(): v for k, v in headers.items()}
    stamp, signature = lower.get(TIMESTAMP_HEADER.lower(), ""), lower.get(SIGNATURE_HEADER.lower(), "")
    if not verify(member.key, stamp, body, signature, now=now, tolerance_s=SIGNATURE_TOLERANCE_S):
        raise RefusedSummary("signature does not match the member's key (or its timestamp is too old)")
    try:
        summary = RoomSummary.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RefusedSummary(f"not a room summary: {first['msg']} at {'.'.join(map(str, first['loc']))}") from None
    if summary.room.code != member.code:
        raise RefusedSummary(f"speaks for {summary.room.code}, not for member {member.code}")
    return summary


def fetch_member(member: Member, config: FederationConfig, fetch: Fetcher = http_fetch) -> PullResult:
    """One member, with retries and exponential backoff for what may pass (timeouts, 5xx, 429)."""
    start = time.monotonic()
    error = "not attempted"
    for attempt in range(config.retries + 1):
        if attempt:
            time.sleep(min(0.25 * 2**attempt, 2.0))
        try:
            body, headers = fetch(member, config.timeout_seconds)
            summary = _trusted(member, body, headers, time.time())
            return PullResult(member.code, summary, None, False, (time.monotonic() - start) * 1000)
        except RefusedSummary as exc:
            return PullResult(member.code, None, str(exc), True, None)
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                break  # a wrong token or address does not heal by asking again
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            error = f"unreachable: {reason}"
    return PullResult(member.code, None, error, False, None)


def pull_round(
    engine: Engine, config: FederationConfig, now: datetime | None = None, fetch: Fetcher = http_fetch
) -> list[PullResult]:
    """Ask every member that is due, in parallel; store what came back; return each member's outcome."""
    now = now or utcnow()
    states = sync_members(engine, config)
    due = [m for m in config.members if states.get(m.code) is None or states[m.code] <= now]
    if not due:
        return []
    per_member = config.timeout_seconds * (config.retries + 1) + 2.5
    results: list[PullResult] = []
    pool = ThreadPoolExecutor(max_workers=min(config.parallel, len(due)), thread_name_prefix="federate")
    try:
        futures = {pool.submit(fetch_member, m, config, fetch): m for m in due}
        done, late = wait(futures, timeout=per_member + 1.0)
        results = [f.result() for f in done]
        results += [PullResult(futures[f].code, None, "no answer within the round", False, None) for f in late]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    store_results(engine, config, results, now)
    return results


def sync_members(engine: Engine, config: FederationConfig) -> dict[str, datetime | None]:
    """Make the members table hold exactly the configured members; each one's next due time."""
    with engine.begin() as conn:
        rows = {r.code: r for r in conn.execute(select(FederationMember)).all()}
        gone = set(rows) - {m.code for m in config.members}
        if gone:
            conn.execute(delete(FederationMember).where(FederationMember.code.in_(gone)))
        for m in config.members:
            values = {"name": m.name, "url": m.url, "zone": m.zone}
            if m.code in rows:
                conn.execute(FederationMember.__table__.update().where(FederationMember.code == m.code).values(values))
            else:
                conn.execute(FederationMember.__table__.insert().values(code=m.code, failures=0, **values))
    return {code: row.next_attempt_at for code, row in rows.items() if code not in gone}


def store_results(engine: Engine, config: FederationConfig, results: list[PullResult], now: datetime) -> None:
    """Each member's outcome in one transaction: a good summary replaces the newest and its local day."""
    table = FederationMember.__table__
    with engine.begin() as conn:
        failures = dict(conn.execute(select(FederationMember.code, FederationMember.failures)).all())
        for r in results:
            if r.summary is not None:
                body = r.summary.to_json().decode()
                conn.execute(
                    table.update().where(table.c.code == r.code).values(
                        last_attempt_at=now, last_ok_at=now, last_error=None, failures=0, next_attempt_at=None,
                        latency_ms=r.latency_ms, generated_at=r.summary.generated_at, summary=body,
                    )
                )  # fmt: skip
                _keep_day(conn, r.code, r.summary, body, now)
                continue
            count = int(failures.get(r.code) or 0) + 1
            wait_s = min(config.every_seconds * 2 ** (count - 1), max(config.max_backoff_seconds, config.every_seconds))
            conn.execute(
                table.update().where(table.c.code == r.code).values(
                    last_attempt_at=now, last_error=r.error, failures=count,
                    next_attempt_at=now + timedelta(seconds=wait_s - config.every_seconds),
                )
            )  # fmt: skip
            if r.refused:
                LOG.warning("federation: refused the summary of member %s: %s", r.code, r.error)
                record_event(conn, "federation_refused", actor=f"member:{r.code}", subject=r.code, ok=False,
                             detail=(r.error or "")[:300])  # fmt: skip
        bump_data_version(conn, "federation")


def _keep_day(conn, code: str, summary: RoomSummary, body: str, now: datetime) -> None:  # noqa: ANN001
    """The member's last summary of its own local day (a later pull the same day replaces it)."""
    values = {"received_at": now, "score": summary.score, "summary": body}
    stmt = upsert_statement(conn.engine, FederationDay.__table__).values(
        member_code=code, local_date=summary.local_date.isoformat(), **values
    )
    conn.execute(stmt.on_conflict_do_update(index_elements=["member_code", "local_date"], set_=values))


def run_forever(engine: Engine, config: FederationConfig, stop: threading.Event | None = None) -> None:
    """Pull rounds every `every_seconds` until `stop` is set; a failing round is logged, never fatal."""
    stop = stop or threading.Event()
    while not stop.is_set():
        started = time.monotonic()
        try:
            results = pull_round(engine, config)
            failed = [r.code for r in results if r.summary is None]
            LOG.info("federation round: %d asked, %d failed %s", len(results), len(failed), failed or "")
        except Exception:  # noqa: BLE001 - the next round tries again; the pages show members stale meanwhile
            LOG.exception("federation round failed")
        stop.wait(max(1.0, config.every_seconds - (time.monotonic() - started)))
