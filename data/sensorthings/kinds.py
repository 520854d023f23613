"""The one table between SensorThings ObservedProperties (with their units) and the room's sensor kinds.

Pulling, a Datastream becomes a sensor of the kind whose words its ObservedProperty (or, failing that, the
Datastream's name) contains, and its unit must be one that kind reads (with the factor to the room's unit,
so a gauge in metres is stored in centimetres). Serving, each kind is one ObservedProperty and one Sensor
(the instrument type). Kinds not listed here are served with their own name and never matched when pulling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data.ingest.values import BadValueError


@dataclass(frozen=True)
class KindEntry:
    kind: str
    name: str  # the ObservedProperty's name when serving
    definition: str  # a vocabulary URI for it
    words: tuple[str, ...]  # normalised fragments of ObservedProperty names that mean this kind
    units: dict[str, float]  # normalised unit symbol or name -> factor to the room's unit of the kind


KINDS: tuple[KindEntry, ...] = (
    KindEntry(
        "water_level", "Water level", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0720/",
        ("waterlevel", "riverlevel", "gaugeheight", "waterheight", "waterstage", "tinggimukaair", "ketinggianair",
         "mukaair"),
        {"cm": 1.0, "centimeter": 1.0, "centimetre": 1.0, "m": 100.0, "meter": 100.0, "metre": 100.0,
         "mm": 0.1, "millimeter": 0.1, "millimetre": 0.1},
    ),
    KindEntry(
        "rainfall", "Rainfall intensity", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0403/",
        ("rainfall", "precipitation", "rainrate", "rainintensity", "curahhujan", "intensitashujan"),
        {"mm/h": 1.0, "mm/hr": 1.0, "mmh-1": 1.0, "mm/jam": 1.0, "millimeterperhour": 1.0,
         "millimetreperhour": 1.0},
    ),
    KindEntry(
        "pm25", "PM2.5 mass concentration", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0687/",
        ("pm25", "particulatematter25", "fineparticulatematter", "partikulat25"),
        {"ug/m3": 1.0, "microgrampercubicmeter": 1.0, "microgrampercubicmetre": 1.0, "mg/m3": 1000.0},
    ),
    KindEntry(
        "traffic_flow", "Traffic flow", "https://w3id.org/def/traffic#TrafficFlow",
        ("trafficflow", "trafficvolume", "trafficcount", "vehiclecount", "vehicleflow", "aruslalulintas",
         "volumekendaraan", "volumelalulintas"),
        {"veh/h": 1.0, "vehicles/h": 1.0, "vehicle/h": 1.0, "veh/hr": 1.0, "kend/jam": 1.0, "vehiclesperhour": 1.0,
         "1/h": 1.0},
    ),
    KindEntry(
        "noise", "Sound pressure level", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0665/",
        ("noise", "soundlevel", "soundpressurelevel", "kebisingan", "laeq"),
        {"db": 1.0, "db(a)": 1.0, "dba": 1.0, "decibel": 1.0},
    ),
    KindEntry(
        "cctv", "Camera online", "https://schema.org/OnlineStatus", ("cameraonline", "cctvstatus", "camerastatus"),
        {"online": 1.0, "1": 1.0, "boolean": 1.0},
    ),
)  # fmt: skip
BY_KIND = {k.kind: k for k in KINDS}
# the room's unit symbols -> (name, definition) for a served Datastream's unitOfMeasurement
UNITS: dict[str, tuple[str, str]] = {
    "cm": ("centimetre", "http://qudt.org/vocab/unit/CentiM"),
    "mm/h": ("millimetre per hour", "http://qudt.org/vocab/unit/MilliM-PER-HR"),
    "µg/m³": ("microgram per cubic metre", "http://qudt.org/vocab/unit/MicroGM-PER-M3"),
    "kend/jam": ("vehicles per hour", "http://qudt.org/vocab/unit/PER-HR"),
    "dB(A)": ("decibel, A-weighted", "http://qudt.org/vocab/unit/DeciB"),
    "online": ("online (1) or offline (0)", "http://qudt.org/vocab/unit/UNITLESS"),
}


def _words(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower().replace("2.5", "25"))


def _unit_key(text: object) -> str:
    text = str(text or "").strip().lower().replace("µ", "u").replace("μ", "u").replace("³", "3")
    return re.sub(r"\s+", "", text.replace("per ", "per"))


def known_kinds() -> tuple[str, ...]:
    """Kinds a pulled Datastream can become (the city pack's catalogue must also list the kind)."""
    return tuple(k.kind for k in KINDS)


def kind_for(observed_property: dict | None, unit: dict | None, datastream_name: object = "") -> tuple[str, float]:
    """(kind, factor to the room's unit) of a Datastream, or BadValueError naming what the room knows."""
    prop = observed_property or {}
    said = prop.get("name") or prop.get("definition") or datastream_name or "(none)"
    texts = [_words(prop.get("name")), _words(prop.get("definition")), _words(datastream_name)]
    entry = next((k for text in texts if text for k in KINDS if any(w in text for w in k.words)), None)
    if entry is None:
        raise BadValueError(
            f"observed property {str(said)[:80]!r} is none of the sensor kinds this room reads "
            f"({', '.join(known_kinds())}): add its name to data/sensorthings/kinds.py, or pull only other "
            "datastreams (--datastream)"
        )
    unit = unit or {}
    for key in (_unit_key(unit.get("symbol")), _unit_key(unit.get("name"))):
        if key in entry.units:
            return entry.kind, entry.units[key]
    shown = unit.get("symbol") or unit.get("name") or "(none)"
    readable = sorted({u for u in entry.units if not u.isalpha() or len(u) <= 4})
    raise BadValueError(f"unit {str(shown)[:40]!r} is not one the room reads as {entry.kind} ({', '.join(readable)})")
