"""Cache keys come from the function and every argument by value: calls that differ in anything never share a
key, the same call has the same key in every process, and an argument without a stable value is refused."""

from __future__ import annotations

import enum
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pydantic import BaseModel

from callbacks.cache import VersionedCache, cache_prefix
from data.memo import Unkeyed, call_key, no_memo
from data.queries.filters import ComplaintFilter
from data.store import bump_data_version, make_engine

MOMENT = datetime(2026, 3, 2, 9, 30, 0)


class Lang(enum.Enum):
    ID = "id"
    EN = "en"


@dataclass(frozen=True)
class Window:
    start: datetime
    districts: tuple[str, ...] = ()


class Options(BaseModel):
    lang: str
    size: tuple[int, int]


def figure(*args: object, **kwargs: object) -> tuple:
    """A stand-in for a query: returns what it was given."""
    return args, kwargs


def other_figure(*args: object, **kwargs: object) -> tuple:
    return args, kwargs


def key(*args: object, **kwargs: object) -> str:
    return call_key(figure, args, kwargs)


DIFFERENT_CALLS = {
    "positional": [("36.71.01",), ("36.71.02",)],
    "keyword": [((), {"district": "36.71.01"}), ((), {"district": "36.71.02"})],
    "keyword name": [((), {"district": "x"}), ((), {"agency": "x"})],
    "positional or keyword": [(("x",), {}), ((), {"district": "x"})],
    "a second apart": [(MOMENT,), (MOMENT + timedelta(seconds=1),)],
    "a microsecond apart": [(MOMENT,), (MOMENT + timedelta(microseconds=1),)],
    "date or datetime": [(date(2026, 3, 2),), (datetime(2026, 3, 2),)],
    "two districts in a filter": [
        (ComplaintFilter.for_district("36.71.01"),),
        (ComplaintFilter.for_district("36.71.02"),),
    ],
    "nested": [((("a", ("b", 1)),),), ((("a", ("b", 2)),),)],
    "list or tuple": [(["a"],), (("a",),)],
    "dict values": [({"lang": "id"},), ({"lang": "en"},)],
    "two languages": [("id",), ("en",)],
    "enum": [(Lang.ID,), (Lang.EN,)],
    "dataclass": [(Window(MOMENT),), (Window(MOMENT, ("36.71.01",)),)],
    "pydantic": [(Options(lang="id", size=(1, 2)),), (Options(lang="en", size=(1, 2)),)],
    "frozenset": [(frozenset({"a"}),), (frozenset({"a", "b"}),)],
    "bool or int": [(True,), (1,)],
    "int or float": [(1,), (1.0,)],
    "int or str": [(1,), ("1",)],
    "None or 'None'": [(None,), ("None",)],
    "path": [(Path("a/targets.yaml"),), (Path("b/targets.yaml"),)],
    "two engines": [(make_engine("sqlite:///one.db"),), (make_engine("sqlite:///two.db"),)],
    "separator inside a string": [(("a", "b"),), (("a,str:'b'",),)],
}


def _call(spec: tuple) -> str:
    if len(spec) == 2 and isinstance(spec[0], tuple) and isinstance(spec[1], dict):
        return key(*spec[0], **spec[1])
    return key(*spec)


@pytest.mark.parametrize("calls", DIFFERENT_CALLS.values(), ids=DIFFERENT_CALLS.keys())
def test_calls_with_different_arguments_never_share_a_key(calls):
    first, second = (_call(c) for c in calls)
    assert first != second
    assert _call(calls[0]) == first  # and the same call is the same key


def test_two_functions_with_the_same_arguments_have_two_keys():
    assert call_key(figure, ("x",), {}) != call_key(other_figure, ("x",), {})
    assert call_key(figure, ("x",), {}).startswith(f"{__name__}.figure:")


def test_the_same_call_has_the_same_key_in_another_process():
    script = (
        "from datetime import datetime; from data.memo import call_key; from data.queries.filters import "
        "ComplaintFilter; from data.queries.kpi_board import figures_at; from data.store import make_engine; "
        "print(call_key(figures_at, (make_engine('sqlite:///x.db'), datetime(2026, 3, 2, 9, 30), "
        "ComplaintFilter.for_district('36.71.01'), {'b': 1, 'a': frozenset({'x', 'y', 'z'})}), {}))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1 and keys.pop().startswith("data.queries.kpi_board.figures_at:")


class Opaque:
    pass


@pytest.mark.parametrize(
    "argument",
    [Opaque(), pd.DataFrame({"a": [1]}), lambda: 1, [Opaque()], {"k": Opaque()}, object()],
    ids=["object", "dataframe", "lambda", "nested object", "dict value", "bare object"],
)
def test_an_argument_without_a_stable_value_is_refused_at_the_call(argument):
    with pytest.raises(TypeError, match="cannot key"):
        key(argument)
    with pytest.raises(TypeError):
        no_memo((), figure, argument)  # scripts and tests fail the same way as the web app


def test_a_lambda_or_local_function_is_refused():
    def local() -> int:
        return 1

    for fn in (lambda: 1, local):
        with pytest.raises(TypeError, match="module-level function"):
            call_key(fn, (), {})


def test_unkeyed_arguments_are_passed_but_left_out_of_the_key():
    assert key("36.71.01", Unkeyed(MOMENT)) == key("36.71.01", Unkeyed(MOMENT + timedelta(hours=1)))
    assert key("36.71.01", Unkeyed(MOMENT)) != key("36.71.02", Unkeyed(MOMENT))
    assert no_memo((), figure, "x", Unkeyed(MOMENT), at=Unkeyed(MOMENT)) == (("x", MOMENT), {"at": MOMENT})


def test_a_domain_version_bump_gives_a_new_key_and_other_domains_do_not(sqlite_engine):
    cache = VersionedCache(sqlite_engine, version_check_s=0)
    before = cache.key(("complaints",), figure, ("x",), {})
    with sqlite_engine.begin() as conn:
        bump_data_version(conn, "observations")
    assert cache.key(("complaints",), figure, ("x",), {}) == before
    with sqlite_engine.begin() as conn:
        bump_data_version(conn, "complaints")
    assert cache.key(("complaints",), figure, ("x",), {}) != before


def test_a_cache_gives_what_the_function_gives_for_each_call(sqlite_engine):
    cache = VersionedCache(sqlite_engine, version_check_s=0)
    first = cache.get_or_compute((), figure, "36.71.01", at=MOMENT)
    second = cache.get_or_compute((), figure, "36.71.02", at=MOMENT)
    assert first == (("36.71.01",), {"at": MOMENT}) and second == (("36.71.02",), {"at": MOMENT})
    with pytest.raises(TypeError):
        cache.get_or_compute((), figure, Opaque())


def test_two_cities_or_two_databases_sharing_one_redis_have_their_own_prefix(tmp_path):
    one, two = make_engine(f"sqlite:///{tmp_path / 'one.db'}"), make_engine(f"sqlite:///{tmp_path / 'two.db'}")
    prefixes = {cache_prefix(one, "36.71"), cache_prefix(one, "35.08"), cache_prefix(two, "36.71")}
    assert len(prefixes) == 3
    secret = make_engine("postgresql+psycopg://room:hunter2@127.0.0.1/test")
    assert "hunter2" not in cache_prefix(secret, "36.71")
