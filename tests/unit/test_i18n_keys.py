"""Text keys of the pages never overwrite each other, and each page keeps its own words."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from layouts import i18n, texts


def test_no_text_key_is_defined_by_two_page_modules():
    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.iter_modules(texts.__path__):
        module = importlib.import_module(f"{texts.__name__}.{info.name}")
        for key in getattr(module, "TEXT", {}):
            if key in seen:
                clashes.append(f"{key}: {seen[key]} and {info.name}")
            seen[key] = info.name
    assert clashes == []


def test_merging_two_modules_with_one_key_fails_and_names_both():
    with pytest.raises(i18n.DuplicateTextKeyError, match=r"'kind_noise' in analyst and wall"):
        i18n.merge_texts({"analyst": {"kind_noise": {"id": "a"}}, "wall": {"kind_noise": {"id": "b"}}})


def test_every_entry_has_indonesian_and_english():
    missing = [key for key, entry in i18n.TEXT.items() if "id" not in entry or "en" not in entry]
    assert missing == []


def test_each_page_shows_its_own_sensor_and_sla_words():
    assert i18n.t("an_kind_water_level", "en") == "River level (peak, cm)"
    assert i18n.t("ops_gauges_water_level", "en") == "river gauges"
    assert i18n.t("kind_water_level", "en") == "Water level"
    assert i18n.t("on_time", "en") == "On time"
    assert i18n.t("stream_on_time", "id") == "sesuai SLA"
