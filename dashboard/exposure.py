"""Who can reach this app: the addresses it is bound to, the client behind any proxies, the start-up check.

The open demo (no users, no login, admin rights) is safe only when nobody else can reach the app: the server
listens on loopback alone and the request came from this machine. `HOST` says nothing about that: gunicorn
binds whatever `-b` names. So each way of serving declares the addresses it actually listens on:
`python -m dashboard serve` its `--host`; gunicorn (with gunicorn.conf.py) its listeners, in `when_ready`
(master, before any worker) and `post_fork` (each worker); any other WSGI server is an unknown bind, which
counts as the network. Until a bind is declared the open demo is never granted.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Iterable, Sequence

from flask import Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.runtime import Runtime
from dashboard.settings import Settings
from data.auth import users

BIND_KEY = "bind"
PENDING: tuple[str, ...] = ()  # the server declares its listeners later (gunicorn.conf.py's hooks)
UNKNOWN = ("an address only the WSGI server knows",)  # counts as the network
DECLARED_BY_ENV = "CITY_BIND_DECLARED_BY"  # set by gunicorn.conf.py: its hooks declare the listeners
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
WEAK_SECRETS = frozenset({"secret", "changeme", "change-me", "dev", "development", "default", "test", "password"})
MIN_SECRET_BITS = 128
CHARACTER_CLASSES = (
    (frozenset("abcdefghijklmnopqrstuvwxyz"), 26),
    (frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 26),
    (frozenset("0123456789"), 10),
)
OTHER_CHARACTERS = 33  # printable ASCII punctuation and space


class StartupRefusedError(ValueError):
    """The app would be open to a network it must not be open to; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress_of(host).is_loopback
    except ValueError:
        return False


def ipaddress_of(host: str):  # noqa: ANN201 - an IPv4Address or IPv6Address
    import ipaddress

    return ipaddress.ip_address(host.strip().strip("[]"))


def bind_host(address: str) -> str:
    """'0.0.0.0:8065' -> '0.0.0.0'; '[::1]:8050' -> '::1'; '127.0.0.1' -> itself; 'unix:/x' stays."""
    address = address.strip()
    if address.startswith("[") and "]" in address:
        return address[1 : address.index("]")]
    if address.count(":") == 1 and not address.startswith("unix:"):
        return address.rsplit(":", 1)[0]
    return address


def bound_to_loopback_only(addresses: Sequence[str] | None) -> bool:
    """True only for a known, non-empty bind whose every address is loopback (a unix socket is not: a proxy
    usually fronts it)."""
    return bool(addresses) and all(is_loopback(bind_host(a)) for a in addresses or ())


def listener_addresses(sockets: Iterable[object]) -> list[str]:
    """'host:port' (or 'unix:path') for each of gunicorn's listeners or raw sockets."""
    found = []
    for item in sockets:
        sock = getattr(item, "sock", item)
        name = sock.getsockname()
        if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
            found.append(f"unix:{name}")
        elif sock.family == socket.AF_INET6:
            found.append(f"[{name[0]}]:{name[1]}")
        else:
            found.append(f"{name[0]}:{name[1]}")
    return found


def client_is_local(request: Request, trust_proxy: int) -> bool:
    """The request came from this machine: after the trusted proxies (ProxyFix already put the first untrusted
    X-Forwarded-For address in remote_addr), the client is loopback. Forwarding headers with no proxy trusted,
    or fewer forwarded addresses than trusted proxies, mean the client is unknown: not local."""
    forwarded = [a for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    if trust_proxy == 0 and any(h in request.headers for h in FORWARDING_HEADERS):
        return False
    if trust_proxy > 0 and len(forwarded) < trust_proxy:
        return False
    return is_loopback(request.remote_addr or "")


def secret_bits(secret: str) -> float:
    """A conservative estimate of a key's entropy in bits: each new character costs log2 of the alphabet its
    character classes span; a repeat of earlier text costs only a back-reference, and a character continuing
    a run (abc, 123, aaa) one bit. 'passwordpassword...1234' is long but weak; a random token is strong."""
    alphabet = sum(size for chars, size in CHARACTER_CLASSES if any(c in chars for c in secret))
    if any(not any(c in chars for chars, _ in CHARACTER_CLASSES) for c in secret):
        alphabet += OTHER_CHARACTERS
    per_char = math.log2(max(alphabet, 2))
    bits, i = 0.0, 0
    while i < len(secret):
        length = _longest_repeat(secret, i)
        if length >= 3:
            bits += math.log2(i + 1) + math.log2(length + 1)
            i += length
            continue
        step = ord(secret[i]) - ord(secret[i - 1]) if i else None
        continues_run = i >= 2 and step in (-1, 0, 1) and step == ord(secret[i - 1]) - ord(secret[i - 2])
        bits += 1.0 if continues_run else per_char
        i += 1
    return bits


def _longest_repeat(text: str, i: int) -> int:
    """The longest match of text[i:] starting earlier in text (it may overlap i, as in LZ77)."""
    best = 0
    for start in range(i):
        n = 0
        while i + n < len(text) and text[start + n] == text[i + n]:
            n += 1
        best = max(best, n)
    return best


def secret_problem(secret: str) -> str | None:
    """Why SECRET_KEY cannot protect sessions, or None."""
    if not secret:
        return "SECRET_KEY is not set"
    if secret.lower() in WEAK_SECRETS:
        return "SECRET_KEY is a well-known default"
    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        return f"SECRET_KEY is guessable (about {bits:.0f} bits of entropy, {MIN_SECRET_BITS} needed)"
    return None


def _active_users(engine: Engine) -> int:
    try:
        return users.active_user_count(engine)
    except SQLAlchemyError:
        return 0  # an unreadable user table counts as none: refuse rather than open


def startup_problems(settings: Settings, engine: Engine, addresses: Sequence[str]) -> list[str]:
    """Why the app must not serve on `addresses`: reachable from the network without users or without a
    strong SECRET_KEY, or (anywhere) with a SECRET_KEY that is set but guessable. On loopback alone an
    empty key is fine: a random one per process is made."""
    exposed = not bound_to_loopback_only(addresses)
    problems = []
    if exposed and _active_users(engine) == 0:
        problems.append(
            f"no users are configured and it is reachable from the network ({', '.join(addresses)}), so anyone "
            "there would have full access: add one with `python -m dashboard users add NAME --role admin`, or "
            "bind to 127.0.0.1 only"
        )
    weak = secret_problem(settings.secret_key) if exposed or settings.secret_key else None
    if weak:
        problems.append(f"{weak}: sessions could be forged; make one with `python -m dashboard secret`")
    return problems


def declare_bind(runtime: Runtime, addresses: Sequence[str]) -> None:
    """Record where this process serves, after the start-up check; refuses (StartupRefusedError) when unsafe."""
    problems = startup_problems(runtime.settings, runtime.engine, addresses)
    if problems:
        raise StartupRefusedError("refusing to start: " + "; ".join(problems))
    runtime.extras[BIND_KEY] = tuple(addresses)


def open_demo_reachable(runtime: Runtime, request: Request) -> bool:
    """The open demo may answer this request: bound to loopback alone, and the client is this machine."""
    bind: Sequence[str] | None = runtime.extras.get(BIND_KEY)  # type: ignore[assignment]
    return bound_to_loopback_only(bind) and client_is_local(request, runtime.settings.trust_proxy)


def check_listeners(listeners: Iterable[object]) -> None:
    """gunicorn's master, before any worker: the start-up check for the addresses it really listens on."""
    from data.store import make_engine

    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:
        problems = startup_problems(settings, engine, listener_addresses(listeners))
    finally:
        engine.dispose()
    if problems:
        raise StartupRefusedError("refusing to start: " + "; ".join(problems))


def access_mode(settings: Settings, engine: Engine, addresses: Sequence[str]) -> str:
    """One line for the start-up log: who can get in."""
    count = users.active_user_count(engine)
    if count == 0:
        return f"access: open demo without login (no users; bound to {', '.join(addresses)} only)"
    return f"access: login required ({count} active users); wall screens use device tokens"
