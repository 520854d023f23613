"""How a figure built from several queries lets its caller keep the parts whose data did not change.

`data/` knows nothing of the web app's cache. A composite figure (the wall's KPI board, the city
snapshot) takes a `memo` and hands it each part as a function, its arguments and the data domains
it reads (the domains `bump_data_version` counts): `memo(("complaints",), complaint_kpis, engine, flt)`.
The key is derived from the function and every argument (`call_key`), never listed by hand, so two
calls that differ in anything get two keys. The web app passes its version-keyed cache, scripts and
tests `no_memo`, which checks the call is keyable and simply computes.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine

T = TypeVar("T")
# How long a figure of a period that has ended (past days, a moment a day ago) is remembered: such data
# changes only when history arrives late, which then shows within ten minutes.
SETTLED_TTL_S = 600.0


class Unkeyed:
    """An argument passed to the function but left out of its key, on purpose and in plain sight.

    Two uses: the moment of asking (`Unkeyed(now)`: the value computed at the first asking serves every
    caller until its TTL, about one refresh, ends, which is what lets forty screens share a figure "as of
    now"), and the memo a composite passes on (it changes where parts come from, never what they are).
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class Memo(Protocol):
    """`memo(domains, fn, *args, ttl_s=None, **kwargs)`: `fn(*args, **kwargs)`, remembered while none of
    `domains` changed and `ttl_s` (or the caller's default) has not passed."""

    def __call__(
        self, domains: Sequence[str], fn: Callable[..., T], *args: object, ttl_s: float | None = None, **kwargs: object
    ) -> T: ...


def no_memo(
    _domains: Sequence[str], fn: Callable[..., T], *args: object, ttl_s: float | None = None, **kwargs: object
) -> T:
    """Compute every time: what a script, a test or a one-off report wants. The call must still be keyable,
    so a test without a cache fails on an argument the web app's cache could not key."""
    call_key(fn, args, kwargs)
    return call(fn, args, kwargs)


def call(fn: Callable[..., T], args: Sequence[object], kwargs: Mapping[str, object]) -> T:
    """`fn` on the arguments as it takes them (`Unkeyed` markers removed)."""
    return fn(*(_plain(a) for a in args), **{name: _plain(value) for name, value in kwargs.items()})


def _plain(value: object) -> object:
    return value.value if isinstance(value, Unkeyed) else value


def function_name(fn: Callable) -> str:
    """`module.qualname` of a module-level function; TypeError for a lambda, a local function or any other
    callable (a lambda's captured variables would be invisible to the key)."""
    qualname = getattr(fn, "__qualname__", "")
    if not inspect.isfunction(fn) or "<" in qualname:
        raise TypeError(f"memo needs a module-level function, not {fn!r}: its arguments must carry everything it reads")
    return f"{fn.__module__}.{qualname}"


def call_key(fn: Callable, args: Sequence[object], kwargs: Mapping[str, object], stamp: str = "") -> str:
    """`module.qualname:digest` of the function, every argument (positional and keyword) and `stamp` (the data
    versions). The same call gives the same key in every process: no id(), no hash() (PYTHONHASHSEED differs)."""
    parts = [_arg_text(a) for a in args]
    parts += [f"{name}={_arg_text(kwargs[name])}" for name in sorted(kwargs)]
    text = "\x1f".join([*parts, stamp])
    return f"{function_name(fn)}:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def _arg_text(value: object) -> str:
    return "<unkeyed>" if isinstance(value, Unkeyed) else value_text(value)


_SCALARS = frozenset({str, int, float})


def value_text(value: object) -> str:  # noqa: C901, PLR0911 - one branch per kind of value, in one place
    """A text that stands for `value` by value, the same in every process; TypeError for anything without one
    (an object whose repr has a memory address, a DataFrame, a function)."""
    kind = type(value)
    if kind in _SCALARS:  # the common arguments first: a cache hit pays for this on every call
        return f"{kind.__name__}:{value!r}"
    if kind is datetime:
        return f"datetime:{value.isoformat()}"
    if kind is tuple:
        return f"tuple({','.join(map(value_text, value))})"
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, enum.Enum):
        return f"{_type_name(value)}.{value.name}"
    if isinstance(value, int | float | str | bytes | Decimal):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, datetime | date | time):
        return f"{type(value).__name__}:{value.isoformat()}"
    if isinstance(value, timedelta):
        return f"timedelta:{value.total_seconds()!r}"
    if isinstance(value, PurePath):
        return f"path:{value.as_posix()!r}"
    if isinstance(value, Engine):
        return f"engine:{value.url.render_as_string(hide_password=True)!r}"
    if isinstance(value, tuple | list):
        return f"{type(value).__name__}({','.join(value_text(v) for v in value)})"
    if isinstance(value, frozenset | set):
        return f"set({','.join(sorted(value_text(v) for v in value))})"
    if isinstance(value, dict):
        items = sorted(f"{value_text(k)}:{value_text(v)}" for k, v in value.items())
        return f"dict({','.join(items)})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (f"{f.name}={value_text(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{_type_name(value)}({','.join(fields)})"
    if isinstance(value, BaseModel):
        return f"{_type_name(value)}{value_text(value.model_dump())}"
    raise TypeError(
        f"cannot key a {type(value).__module__}.{type(value).__qualname__} argument by value: pass plain values "
        "(str, numbers, dates, tuples, dicts, dataclasses, pydantic models), or Unkeyed(...) on purpose"
    )


def _type_name(value: object) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


__all__ = ["SETTLED_TTL_S", "Memo", "Unkeyed", "call", "call_key", "function_name", "no_memo", "value_text"]
