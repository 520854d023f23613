"""Timing helpers: p50/p95 over repeated runs, and a process's resident memory."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import psutil


@dataclass(frozen=True)
class Timing:
    """Milliseconds over `runs` repetitions (first call excluded as warm-up)."""

    p50: float
    p95: float
    runs: int

    def cell(self) -> str:
        return f"{fmt_ms(self.p50)} / {fmt_ms(self.p95)}"


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "n/a"
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def summarise(samples_ms: list[float]) -> Timing:
    arr = np.asarray(samples_ms, dtype=float)
    return Timing(float(np.percentile(arr, 50)), float(np.percentile(arr, 95)), len(arr))


def time_calls(
    fn: Callable[[], object],
    runs: int,
    warmup: int = 1,
    budget_s: float = 45.0,
    before: Callable[[], object] | None = None,
) -> Timing:
    """Call `fn` `warmup` times unmeasured, then `runs` times measured (fewer, at least 3, when one call
    is so slow that `runs` would exceed `budget_s`: a 50 s callback is reported, not waited on all day).
    `before`, when given, runs ahead of every call, untimed (new data arriving between two refreshes)."""
    slowest = 0.0
    for _ in range(warmup):
        if before:
            before()
        start = time.perf_counter()
        fn()
        slowest = max(slowest, time.perf_counter() - start)
    if slowest > 0:
        runs = max(3, min(runs, int(budget_s / slowest)))
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return summarise(samples)


def memory_mb(pid: int, children: bool = True) -> tuple[float, float, float]:
    """(RSS, USS, anonymous) memory of a process and, for gunicorn, its workers, in MB.

    RSS counts every page mapped, the SQLite file's included; USS (private, unique to the process) still counts
    the file's pages that only this process maps (`mmap_size`: clean page cache the kernel takes back under
    pressure, 0.9 GB of a 1M-complaint city after a few queries); anonymous memory is what the processes
    allocated themselves (heap, SQLite's page cache, Python objects), the figure the 600 MB target is about.
    """
    proc = psutil.Process(pid)
    procs = [proc, *(proc.children(recursive=True) if children else [])]
    rss = uss = anon = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            anon += _anonymous_bytes(p.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError, ProcessLookupError):
            continue
        rss += info.rss
        uss += info.uss
    return rss / 1e6, uss / 1e6, anon / 1e6


def _anonymous_bytes(pid: int) -> int:
    """A process's share of anonymous (not file-backed) memory, swapped-out pages included, from the kernel's
    rollup: proportional, so gunicorn workers' pages still shared with the master after the fork count once
    over the whole group, not once per worker."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith(("Pss_Anon:", "SwapPss:")):
                total += int(line.split()[1]) * 1024
    return total


class PeakRss:
    """Samples a process tree's RSS in a thread; `.peak` holds the maximum seen (MB). `children=False`
    counts the process alone (`serve`: its simulator and alert clock are processes of their own)."""

    def __init__(self, pid: int, every_s: float = 0.2, children: bool = True) -> None:
        import threading

        self.pid = pid
        self.children = children
        self.every_s = every_s
        self.peak = 0.0
        self.peak_private = 0.0
        self.peak_anonymous = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss, private, anonymous = memory_mb(self.pid, self.children)
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, rss)
            self.peak_private = max(self.peak_private, private)
            self.peak_anonymous = max(self.peak_anonymous, anonymous)
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
