"""Send only what changed: a wall panel keeps the signature of what it last sent beside it in the page, and a
refresh whose signatures did not move sends nothing (forty screens, every few seconds, mostly unchanged)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def signature(*parts: object) -> str:
    """A short digest of what a panel shows (components, plain values or text): equal digests, nothing to send."""
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


def changed_parts(signatures: Sequence[str], previous: Sequence[str] | None) -> list[int]:
    """The indexes of the parts to send: all of them when the page holds nothing comparable (first render,
    another number of parts), else those whose signature moved; empty when nothing did."""
    if not previous or len(previous) != len(signatures):
        return list(range(len(signatures)))
    return [i for i, (now, before) in enumerate(zip(signatures, previous, strict=True)) if now != before]
