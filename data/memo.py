"""How a figure built from several queries lets its caller keep the parts whose data did not change.

`data/` knows nothing of the web app's cache. A composite figure (the wall's KPI board, the city
snapshot) takes a `memo` and names each part with the data domains it reads (the domains
`bump_data_version` counts); the web app passes its version-keyed cache, scripts and tests the
default, which simply computes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")
# How long a figure of a period that has ended (past days, a moment a day ago) is remembered: such data
# changes only when history arrives late, which then shows within ten minutes.
SETTLED_TTL_S = 600.0


class Memo(Protocol):
    """`memo(name, domains, compute, *args, ttl_s=None)`: the value for (name, args) while none of
    `domains` changed and `ttl_s` (or the caller's default) has not passed; `compute()` otherwise."""

    def __call__(
        self,
        name: str,
        domains: Sequence[str],
        compute: Callable[[], T],
        *args: Hashable,
        ttl_s: float | None = None,
    ) -> T: ...


def no_memo(
    _name: str, _domains: Sequence[str], compute: Callable[[], T], *_args: Hashable, ttl_s: float | None = None
) -> T:
    """Compute every time: what a script, a test or a one-off report wants."""
    return compute()
