"""A cache keyed by data version, so forty open screens asking the same figure cost one query.

`cached(domains, fn, *args, **kwargs)` is `fn(*args, **kwargs)`, stored under a key derived from the
function (module and name), every argument by value (`data.memo.call_key`: an argument it cannot key
is a TypeError at the call, never a shared key) and the version of every data domain it reads
(`data_versions`, bumped by every write in `data/ingest/sink.py`). A write therefore makes the old
key unreachable at once, and a TTL near the refresh interval keeps time-dependent figures (ages,
"late" counts, anything given `Unkeyed(now)`) from outliving one refresh. In process by default;
with `REDIS_URL` every worker shares values, under a prefix naming the city and its database, so two
cities sharing one Redis never collide; the versions themselves are read from the database at most
once a second by the whole cluster (the first worker to look writes them to Redis for the others).

`recent(...)` is the same call for screens that refresh by themselves (the wall, the leaders' pages): after
new data they get the figures last computed, at most RECENT_S old, at once, while one background thread per
process computes the new ones for their next refresh, so no screen waits on a recomputation however busy
the city.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import partial
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import Engine

from data.memo import call, call_key
from data.store import data_versions

T = TypeVar("T")
LOG = logging.getLogger(__name__)
EXTRAS_KEY = "versioned_cache"
SWEEP_EVERY_S = 1.0  # how often values past their TTL are dropped from a process's memory
DEFAULT_MAX_ENTRIES = 8192  # the leader's score points alone are 14 a place and an hour; each value also its latest
REDIS_RETRY_S = 30.0
RECENT_S = 60.0  # how old a figure a refreshing screen may show while its successor computes
# A figure is recomputed in the background at most once per this many times what it cost to compute, so a
# heavy figure on a busy city (the leaders' agency ranking, seconds) takes at most a fifth of a core, however
# often data arrives; a light one (the KPI board's parts, a fraction of a second) refreshes every tick.
REFRESH_COST_FACTOR = 5.0


class VersionedCache:
    """Values keyed by (function, arguments, versions of the domains read), each living at most `ttl_s`."""

    def __init__(
        self,
        engine: Engine,
        *,
        ttl_s: float = 10.0,
        version_check_s: float = 1.0,
        redis_url: str = "",
        prefix: str | None = None,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        recent_s: float = RECENT_S,
        refresh_context: Callable[[], AbstractContextManager] = nullcontext,
    ) -> None:
        self.engine = engine
        self.recent_s = recent_s
        self.refresh_context = refresh_context  # entered around a background refresh (the app and its city)
        self.ttl_s = ttl_s
        self.version_check_s = version_check_s
        self.prefix = prefix or cache_prefix(engine)
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self.recent_hits = 0
        self._refreshing: set[str] = set()
        self._refresher: tuple[int, ThreadPoolExecutor] | None = None
        self._local: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._next_sweep = 0.0
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._versions: tuple[float, dict[str, int]] = (0.0, {})
        self._redis_url = redis_url
        self._redis = None
        self._redis_pid: int | None = None
        self._redis_retry_at = 0.0

    # ------------------------------------------------------------------ versions

    def versions(self) -> dict[str, int]:
        """Every domain's version, read from the database (or Redis) at most once per `version_check_s`."""
        checked_at, known = self._versions
        if time.monotonic() - checked_at < self.version_check_s:
            return known
        fresh = self._shared_versions()
        if fresh is None:
            fresh = data_versions(self.engine)
            self._publish_versions(fresh)
        self._versions = (time.monotonic(), fresh)
        return fresh

    def forget_versions(self) -> None:
        """Read versions again on the next call (a writer in this process just changed data)."""
        self._versions = (0.0, {})
        client = self._client()
        if client is not None:
            try:
                client.delete(self._versions_key())
            except Exception as exc:  # noqa: BLE001 - the cache never takes the wall down
                self._redis_failed(exc)

    # ------------------------------------------------------------------ values

    def key(self, domains: Sequence[str], fn: Callable, args: Sequence[object], kwargs: Mapping[str, object]) -> str:
        """The storage key: the prefix, the function's name, then a digest of the arguments and the domains'
        versions (TypeError for an argument without a stable value)."""
        versions = self.versions()
        stamp = ",".join(f"{d}={versions.get(d, 0)}" for d in sorted(domains))
        return f"{self.prefix}:{call_key(fn, args, kwargs, stamp)}"

    def get_or_compute(
        self, domains: Sequence[str], fn: Callable[..., T], *args: object, ttl_s: float | None = None, **kwargs: object
    ) -> T:
        """`fn(*args, **kwargs)` for these arguments and data versions, computed once when missing (a `Memo`)."""
        key = self.key(domains, fn, args, kwargs)
        found, value = self._get(key)
        if found:
            self.hits += 1
            return value
        return self._compute(key, fn, args, kwargs, self.ttl_s if ttl_s is None else ttl_s)

    def get_recent(
        self, domains: Sequence[str], fn: Callable[..., T], *args: object, ttl_s: float | None = None, **kwargs: object
    ) -> T:
        """As `get_or_compute`, except when the data changed or the TTL passed: then the value last computed for
        these arguments, if at most `recent_s` old, is returned at once and its successor computed once in the
        background (unless the value is younger than REFRESH_COST_FACTOR times its cost). What a screen that
        refreshes by itself wants: it never waits on a recomputation, and shows the new figures at a later
        refresh (a `Memo`)."""
        key = self.key(domains, fn, args, kwargs)
        found, value = self._get(key)
        if found:
            self.hits += 1
            return value
        ttl = self.ttl_s if ttl_s is None else ttl_s
        found, latest = self._get(self._latest_key(fn, args, kwargs))
        if not found:
            return self._compute(key, fn, args, kwargs, ttl)
        self.recent_hits += 1
        value, computed_at, cost_s = latest
        if time.time() - computed_at >= REFRESH_COST_FACTOR * cost_s:
            self._refresh_later(key, fn, args, kwargs, ttl)
        return value

    def _compute(
        self, key: str, fn: Callable[..., T], args: Sequence[object], kwargs: Mapping[str, object], ttl: float
    ) -> T:
        with self._lock_for(key):  # one computation per key per process, however many screens ask
            found, value = self._get(key)
            if found:
                self.hits += 1
                return value
            self.misses += 1
            started = time.perf_counter()
            value = call(fn, args, kwargs)
            self._set(key, value, ttl)
            latest = (value, time.time(), time.perf_counter() - started)
            self._set(self._latest_key(fn, args, kwargs), latest, self.recent_s)
            return value

    def _latest_key(self, fn: Callable, args: Sequence[object], kwargs: Mapping[str, object]) -> str:
        """The key of the newest value of a call, whatever the data versions: (value, when it was computed
        (epoch seconds, comparable across workers), seconds it took)."""
        return f"{self.prefix}:latest:{call_key(fn, args, kwargs)}"

    def _refresh_later(
        self, key: str, fn: Callable, args: Sequence[object], kwargs: Mapping[str, object], ttl: float
    ) -> None:
        """Compute `key` in this process's one refresh thread, unless it is already queued there."""
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def refresh() -> None:
            try:
                with self.refresh_context():
                    self._compute(key, fn, args, kwargs, ttl)
            except Exception as exc:  # noqa: BLE001 - the next asking computes it in the foreground
                LOG.warning("background refresh of %s failed: %s: %s", key, type(exc).__name__, exc)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        self._executor().submit(refresh)

    def _executor(self) -> ThreadPoolExecutor:
        """One refresh thread per process (a forked worker starts its own): refreshes queue rather than
        compete for the two cores the screens' requests need."""
        with self._lock:
            if self._refresher is None or self._refresher[0] != os.getpid():
                self._refresher = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="cache-refresh"))
            return self._refresher[1]

    def clear(self) -> None:
        with self._lock:
            self._local.clear()
        self._versions = (0.0, {})

    # ------------------------------------------------------------------ storage

    def _get(self, key: str) -> tuple[bool, Any]:
        now = time.monotonic()
        with self._lock:
            entry = self._local.get(key)
            if entry is not None:
                if entry[0] > now:
                    self._local.move_to_end(key)
                    return True, entry[1]
                del self._local[key]
        client = self._client()
        if client is None:
            return False, None
        try:
            raw, left_ms = client.pipeline().get(key).pttl(key).execute()
        except Exception as exc:  # noqa: BLE001
            self._redis_failed(exc)
            return False, None
        if raw is None:
            return False, None
        value = pickle.loads(raw)  # noqa: S301 - written by this app's own workers to its own Redis
        self._remember(key, value, max(0.0, (left_ms or 0) / 1000))
        return True, value

    def _set(self, key: str, value: Any, ttl: float) -> None:  # noqa: ANN401 - any picklable value
        self._remember(key, value, ttl)
        client = self._client()
        if client is None:
            return
        try:
            client.set(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), px=max(1, int(ttl * 1000)))
        except Exception as exc:  # noqa: BLE001
            self._redis_failed(exc)

    def _remember(self, key: str, value: Any, ttl: float) -> None:  # noqa: ANN401
        """Keep a value here until `ttl` passes. Expired values are swept at most once a second: every data
        version makes new keys, and values nobody will ask again (a figure at a past version) would otherwise
        stay until `max_entries` newer ones pushed them out."""
        now = time.monotonic()
        with self._lock:
            self._local[key] = (now + ttl, value)
            self._local.move_to_end(key)
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_EVERY_S
                for expired in [k for k, (until, _) in self._local.items() if until <= now]:
                    del self._local[expired]
            while len(self._local) > self.max_entries:  # weeks on the wall: never grow without bound
                self._local.popitem(last=False)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._lock:
            if len(self._key_locks) > 4 * self.max_entries:
                self._key_locks = {k: v for k, v in self._key_locks.items() if v.locked()}
            return self._key_locks.setdefault(key, threading.Lock())

    # ------------------------------------------------------------------ redis

    def _client(self):  # noqa: ANN202 - redis.Redis or None
        """The Redis client of this process (a forked worker opens its own connection)."""
        if not self._redis_url or time.monotonic() < self._redis_retry_at:
            return None
        if self._redis is None or self._redis_pid != os.getpid():
            import redis

            self._redis = redis.Redis.from_url(self._redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
            self._redis_pid = os.getpid()
        return self._redis

    def _versions_key(self) -> str:
        return f"{self.prefix}:data_versions"

    def _shared_versions(self) -> dict[str, int] | None:
        client = self._client()
        if client is None:
            return None
        try:
            raw = client.hgetall(self._versions_key())
        except Exception as exc:  # noqa: BLE001
            self._redis_failed(exc)
            return None
        if not raw:
            return None
        return {k.decode(): int(v) for k, v in raw.items() if k != b"_"}

    def _publish_versions(self, versions: dict[str, int]) -> None:
        client = self._client()
        if client is None:
            return
        try:
            pipe = client.pipeline()
            pipe.hset(self._versions_key(), mapping={"_": 1, **versions})
            pipe.pexpire(self._versions_key(), max(1, int(self.version_check_s * 1000)))
            pipe.execute()
        except Exception as exc:  # noqa: BLE001
            self._redis_failed(exc)

    def _redis_failed(self, exc: Exception) -> None:
        """Fall back to this process's memory; the figures stay right, only sharing is lost."""
        LOG.warning("redis cache unavailable (%s: %s); in-process cache for 30 s", type(exc).__name__, exc)
        self._redis = None
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_S


def cache_prefix(engine: Engine, city: str = "") -> str:
    """`cityops:<city>:<digest of the database URL>`: what keeps two cities (or two databases) apart in one
    shared Redis, versions included. The URL is digested with its password hidden."""
    url = engine.url.render_as_string(hide_password=True)
    return f"cityops:{city or '-'}:{hashlib.blake2b(url.encode(), digest_size=6).hexdigest()}"


def cache_for(
    extras: dict[str, object],
    engine: Engine,
    *,
    ttl_s: float,
    redis_url: str = "",
    city: str = "",
    refresh_context: Callable[[], AbstractContextManager] = nullcontext,
) -> VersionedCache:
    """The cache kept in a running app's extras (created on first use, so each worker has its own)."""
    cache = extras.get(EXTRAS_KEY)
    if not isinstance(cache, VersionedCache):
        prefix = cache_prefix(engine, city)
        cache = VersionedCache(engine, ttl_s=ttl_s, redis_url=redis_url, prefix=prefix, refresh_context=refresh_context)
        extras[EXTRAS_KEY] = cache
    return cache


def cached(
    domains: Sequence[str], fn: Callable[..., T], *args: object, ttl_s: float | None = None, **kwargs: object
) -> T:
    """Inside a callback: the running app's `fn(*args, **kwargs)` for the current data versions.

    Example: `cached(("complaints",), known_values, engine)`; `Unkeyed(now)` for the moment of asking.
    It is also the `memo` that composite figures of `data/` take (`data.memo.Memo`).
    """
    return _app_cache().get_or_compute(domains, fn, *args, ttl_s=ttl_s, **kwargs)


def recent(
    domains: Sequence[str], fn: Callable[..., T], *args: object, ttl_s: float | None = None, **kwargs: object
) -> T:
    """Inside a refreshing screen's callback: as `cached`, but after new data the figures last computed (at most
    RECENT_S old) come at once and the new ones compute in the background for the next refresh
    (`VersionedCache.get_recent`). The wall's screens and the leaders' pages use it; a filter an analyst
    just changed has no earlier value and computes in the foreground as with `cached`."""
    return _app_cache().get_recent(domains, fn, *args, ttl_s=ttl_s, **kwargs)


def current_versions() -> dict[str, int]:
    """Inside a callback: every data domain's version (read at most once a second), to tell what changed."""
    return _app_cache().versions()


def _app_cache() -> VersionedCache:
    from callbacks.context import runtime

    rt = runtime()
    return cache_for(
        rt.extras,
        rt.engine,
        ttl_s=float(rt.settings.refresh_seconds),
        redis_url=rt.settings.redis_url,
        city=rt.city.code if rt.city else "",
        refresh_context=partial(_serving, current_app._get_current_object()),
    )


@contextmanager
def _serving(app: Flask) -> Iterator[None]:
    """A background refresh runs as a request of `app` would: its app context, city and rules."""
    from callbacks.context import runtime

    with app.app_context(), runtime().serving():
        yield


__all__ = ["VersionedCache", "cache_for", "cache_prefix", "cached", "current_versions", "recent"]
