"""Which city the running code serves, for the few places too deep to be handed one (SQL day buckets, labels).

An entry point (`create_app`, a CLI command) loads the pack named by `CITY` and calls `activate(pack)`; the
app also sets it per request from its Runtime (`using`), so two apps of different cities in one process
each see their own. Code that has the pack at hand should pass it; `current()` is the fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from data.city.load import DEFAULT_CITY, cached_pack
from data.city.model import Catalogue, CityPack, CityZone

_context: ContextVar[CityPack | None] = ContextVar("city_pack", default=None)
_process: list[CityPack] = []  # at most one: the pack this process was started for


def activate(pack: CityPack) -> None:
    """Make `pack` the city of this process (threads included), as its entry point was configured."""
    _process[:] = [pack]


def current() -> CityPack:
    """The city of this request or task, else of this process, else the default (Kota Tangerang)."""
    pack = _context.get()
    if pack is not None:
        return pack
    return _process[0] if _process else cached_pack(DEFAULT_CITY)


def enter(pack: CityPack) -> Token:
    """Serve `pack` in this context until `leave(token)` (a web request's start and end)."""
    return _context.set(pack)


def leave(token: Token) -> None:
    _context.reset(token)


@contextmanager
def using(pack: CityPack) -> Iterator[CityPack]:
    """Serve `pack` within this block (this thread/context only)."""
    token = enter(pack)
    try:
        yield pack
    finally:
        leave(token)


def zone() -> CityZone:
    return current().zone


def catalogue() -> Catalogue:
    return current().catalogue
