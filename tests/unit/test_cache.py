"""The version-keyed cache: one computation per data version, a write invalidates at once, bounded memory."""

import time
import uuid

import pytest

from callbacks.cache import VersionedCache, cache_for
from data.memo import Unkeyed
from data.store import bump_data_version
from tests.conftest import service_available


def _bump(engine, *domains):
    with engine.begin() as conn:
        bump_data_version(conn, *domains)


class Counter:
    """Records how often `counted` really ran (passed `Unkeyed`, so it is no part of the key)."""

    def __init__(self):
        self.calls = 0


def counted(counter: Counter, *_args: object) -> dict:
    counter.calls += 1
    return {"value": counter.calls}


def test_same_data_version_computes_once_for_many_screens(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0)
    compute = Counter()
    values = [cache.get_or_compute(("complaints",), counted, Unkeyed(compute), "city") for _ in range(40)]
    assert compute.calls == 1
    assert all(v == {"value": 1} for v in values)
    assert (cache.hits, cache.misses) == (39, 1)


def test_write_to_a_read_domain_invalidates_but_other_domains_do_not(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0)
    compute = Counter()
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute))
    _bump(sqlite_engine, "observations")
    assert cache.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 1}
    _bump(sqlite_engine, "complaints")
    assert cache.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 2}
    assert compute.calls == 2


def test_arguments_are_part_of_the_key(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0)
    compute = Counter()
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute), "3671010")
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute), "3671020")
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute), "3671010")
    assert compute.calls == 2


def test_value_expires_after_its_ttl_so_time_dependent_figures_refresh(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=0.05, version_check_s=0)
    compute = Counter()
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute))
    time.sleep(0.08)
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute))
    assert compute.calls == 2


def test_versions_are_read_at_most_once_per_check_interval(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=30)
    compute = Counter()
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute))
    _bump(sqlite_engine, "complaints")
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute))
    assert compute.calls == 1  # the write is not seen until the next check ...
    cache.forget_versions()
    cache.get_or_compute(("complaints",), counted, Unkeyed(compute))
    assert compute.calls == 2  # ... or until a writer in this process says so


def test_memory_stays_bounded_over_weeks_of_distinct_keys(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0, max_entries=10)
    for i in range(100):
        cache.get_or_compute(("complaints",), counted, Unkeyed(Counter()), i)
    assert len(cache._local) == 10


def test_values_of_past_data_versions_leave_memory_when_their_ttl_passes(sqlite_engine, monkeypatch):
    import callbacks.cache

    monkeypatch.setattr(callbacks.cache, "SWEEP_EVERY_S", 0.0)
    cache = VersionedCache(sqlite_engine, ttl_s=0.05, version_check_s=0, recent_s=0.05)
    for _ in range(20):  # a wall refreshing while data arrives: each version's figures, never asked again
        cache.get_or_compute(("complaints",), counted, Unkeyed(Counter()), "city")
        _bump(sqlite_engine, "complaints")
    time.sleep(0.08)
    cache.get_or_compute(("complaints",), counted, Unkeyed(Counter()), "district")
    assert len(cache._local) == 2  # the newest value and its latest, not forty


def test_cache_for_keeps_one_cache_per_running_app(sqlite_engine):
    extras: dict = {}
    first = cache_for(extras, sqlite_engine, ttl_s=10)
    assert cache_for(extras, sqlite_engine, ttl_s=10) is first
    assert cache_for({}, sqlite_engine, ttl_s=10) is not first


def test_unreachable_redis_falls_back_to_memory_without_failing(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0, redis_url="redis://127.0.0.1:1/0")
    compute = Counter()
    assert cache.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 1}
    assert cache.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 1}
    assert compute.calls == 1


@pytest.mark.integration
def test_workers_share_values_and_versions_through_redis(sqlite_engine):
    service_available("127.0.0.1", 6379, "Redis")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    url = "redis://127.0.0.1:6379/0"
    worker_a = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0, redis_url=url, prefix=prefix)
    worker_b = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0, redis_url=url, prefix=prefix)
    compute = Counter()
    try:
        assert worker_a.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 1}
        assert worker_b.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 1}
        assert compute.calls == 1  # worker B used what worker A computed
        _bump(sqlite_engine, "complaints")
        worker_a.forget_versions()  # drops the shared version map too, so B sees the write now
        assert worker_b.get_or_compute(("complaints",), counted, Unkeyed(compute)) == {"value": 2}
    finally:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def slow_counted(counter: Counter, seconds: float) -> dict:
    time.sleep(seconds)
    return counted(counter)


def test_a_refreshing_screen_gets_the_last_figures_at_once_while_the_new_ones_compute_once(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0)
    compute = Counter()
    assert cache.get_recent(("complaints",), slow_counted, Unkeyed(compute), 0.3) == {"value": 1}  # nothing older
    _bump(sqlite_engine, "complaints")
    started = time.monotonic()
    answers = [cache.get_recent(("complaints",), slow_counted, Unkeyed(compute), 0.3) for _ in range(40)]
    assert time.monotonic() - started < 0.25, "no screen waited on the recomputation"
    assert all(a == {"value": 1} for a in answers)
    deadline = time.monotonic() + 5
    while cache.get_recent(("complaints",), slow_counted, Unkeyed(compute), 0.3) != {"value": 2}:
        assert time.monotonic() < deadline, "the background refresh never landed"
        time.sleep(0.05)
    assert compute.calls == 2, "forty screens after one write: one recomputation"
    assert cache.get_or_compute(("complaints",), slow_counted, Unkeyed(compute), 0.3) == {"value": 2}


def test_figures_older_than_recent_are_never_shown_and_a_new_filter_computes_in_the_foreground(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0, recent_s=0.2)
    compute = Counter()
    cache.get_recent(("complaints",), counted, Unkeyed(compute), "city")
    assert cache.get_recent(("complaints",), counted, Unkeyed(compute), "36.71.01") == {"value": 2}  # other args
    _bump(sqlite_engine, "complaints")
    time.sleep(0.3)
    assert cache.get_recent(("complaints",), counted, Unkeyed(compute), "city") == {"value": 3}
    assert cache.recent_hits == 0


def failing(counter: Counter) -> dict:
    counter.calls += 1
    if counter.calls > 1:
        raise RuntimeError("database restarting")
    return {"value": counter.calls}


def test_a_failed_background_refresh_keeps_the_last_figures_and_the_next_asking_tries_again(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0)
    compute = Counter()
    cache.get_recent(("complaints",), failing, Unkeyed(compute))
    _bump(sqlite_engine, "complaints")
    assert cache.get_recent(("complaints",), failing, Unkeyed(compute)) == {"value": 1}
    deadline = time.monotonic() + 5
    while compute.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    assert cache.get_recent(("complaints",), failing, Unkeyed(compute)) == {"value": 1}
    while compute.calls < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert compute.calls == 3, "the refresh is queued again by the next asking"


def test_a_heavy_figure_is_refreshed_in_the_background_at_most_once_per_five_times_its_cost(sqlite_engine):
    cache = VersionedCache(sqlite_engine, ttl_s=60, version_check_s=0)
    compute = Counter()
    cache.get_recent(("complaints",), slow_counted, Unkeyed(compute), 0.2)
    computed_at = time.monotonic()
    for _ in range(5):  # data keeps arriving while the last value is younger than 5 x 0.2 s
        _bump(sqlite_engine, "complaints")
        assert cache.get_recent(("complaints",), slow_counted, Unkeyed(compute), 0.2) == {"value": 1}
        time.sleep(0.1)
    assert time.monotonic() - computed_at < 0.95 and compute.calls == 1
    time.sleep(max(0.0, 1.05 - (time.monotonic() - computed_at)))
    _bump(sqlite_engine, "complaints")
    cache.get_recent(("complaints",), slow_counted, Unkeyed(compute), 0.2)
    deadline = time.monotonic() + 5
    while compute.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert compute.calls == 2
