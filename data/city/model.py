"""What a city pack says, as typed pydantic models: the city, its zone, its boundary files and its catalogue.

A pack is a folder with `city.yaml` and its boundary files; `data.city.load` reads it and names the file,
field and reason of anything wrong. Everything here is plain, frozen data the rest of the app reads.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

CODE_PATTERN = r"^[0-9]{2}(\.[0-9]{2}){0,2}$"  # province 35, regency 35.08 (Kemendagri, with dots)

# Indonesia's three zones have had no daylight saving since 1964, so a fixed offset is exact.
GENERIC_CHANNELS = ("phone", "other")
ZONES: dict[str, tuple[str, int]] = {
    "Asia/Jakarta": ("WIB", 7),
    "Asia/Pontianak": ("WIB", 7),
    "Asia/Makassar": ("WITA", 8),
    "Asia/Jayapura": ("WIT", 9),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """A phrase in Indonesian and English (English falls back to Indonesian)."""

    id: str = Field(min_length=1)
    en: str = ""

    def text(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.id


def zone_from_name(value: object) -> object:
    """`zone: Asia/Makassar` in city.yaml: a zone name stands for the whole CityZone; a name that is not an
    Indonesian zone is an error naming the three."""
    if isinstance(value, str):
        if value not in ZONES:
            raise ValueError(f"{value!r} is not an Indonesian zone; use one of {', '.join(ZONES)}")
        return {"name": value}
    return value


class CityZone(_Strict):
    """The city's time zone: stored times are UTC; days, hours and clocks are read in this zone."""

    name: str = "Asia/Jakarta"

    @property
    def label(self) -> str:
        """WIB, WITA or WIT."""
        return ZONES[self.name][0]

    @property
    def offset_hours(self) -> int:
        return ZONES[self.name][1]

    @property
    def offset(self) -> timedelta:
        return timedelta(hours=self.offset_hours)

    @property
    def described(self) -> str:
        """'WITA (UTC+8)', as ingest reports say how zone-less times were read."""
        return f"{self.label} (UTC+{self.offset_hours})"

    @property
    def tzinfo(self) -> timezone:
        """A fixed-offset tzinfo named WIB/WITA/WIT (what `strftime('%Z')` shows)."""
        return timezone(self.offset, self.label)


class BoundaryLayer(_Strict):
    """One boundary GeoJSON of the pack and which feature properties hold code, name and parent code."""

    file: str
    code_field: str = "code"
    name_field: str = "name"
    parent_field: str | None = None


class Populations(_Strict):
    """Where a kecamatan's population comes from: the CSV's figure, else area x density scaled to the total.

    The CSV (columns `code`, and `population` and/or `density_per_km2`) gives known census figures; any
    kecamatan without a population is estimated from its area and flagged as an estimate.
    """

    file: str | None = None
    total: int | None = Field(default=None, gt=0)
    year: int = 2020
    density_per_km2: float | None = Field(default=None, gt=0)
    source: str = ""

    @model_validator(mode="after")
    def _can_estimate(self) -> Populations:
        if self.total is None and self.density_per_km2 is None:
            raise ValueError("give `total` (the census figure) or `density_per_km2` so areas can be estimated")
        return self


class Category(_Strict):
    """A kind of complaint: its labels, the agency that owns it, its SLA and (for the demo) how common it is."""

    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: Label
    agency: str
    sla_working_days: int = Field(ge=1, le=90)
    icon: str = Field(default="bi-chat-left-text", pattern=r"^bi-[a-z0-9-]+$", description="a Bootstrap icon")
    # Only the generated demo reads these: share of non-weather complaints, median hours to close, rain-driven.
    share: float = Field(default=0.0, ge=0, le=1, validation_alias=AliasChoices("demo_share", "share"))
    median_close_hours: float = Field(
        default=48.0, gt=0, validation_alias=AliasChoices("demo_median_close_hours", "median_close_hours")
    )
    rain_driven: bool = False

    @property
    def label_id(self) -> str:
        return self.label.id

    @property
    def label_en(self) -> str:
        return self.label.text("en")


class Agency(_Strict):
    code: str
    name: str


class Channel(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: Label
    share: float = Field(default=0.0, ge=0, le=1, validation_alias=AliasChoices("demo_share", "share"))


class SensorKind(_Strict):
    """A kind of sensor: unit, the values it can physically give, which way is bad and its usual thresholds.

    `bad` says which direction is worse (`high`: a rising river; `low`: a falling reservoir; `none`: no
    thresholds, e.g. a camera's online flag). `alert_rules` names the alert rules that apply to it.
    """

    code: str = Field(pattern=r"^[a-z0-9_]{1,16}$")
    label: Label
    unit: str = Field(max_length=16)
    physical_min: float
    physical_max: float
    bad: Literal["high", "low", "none"] = "high"
    warning: float | None = None
    danger: float | None = None
    network: str = ""
    display: Literal["line", "bar", "status"] = "line"
    decimals: int = Field(default=1, ge=0, le=4)
    alert_rules: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> SensorKind:
        if self.physical_min >= self.physical_max:
            raise ValueError("physical_min must be below physical_max")
        if self.bad == "none" and (self.warning is not None or self.danger is not None):
            raise ValueError("a kind with bad: none has no warning/danger thresholds")
        if self.warning is not None and self.danger is not None:
            past = self.warning > self.danger if self.bad == "high" else self.warning < self.danger
            if past:
                raise ValueError(f"warning {self.warning} is past danger {self.danger} for bad: {self.bad}")
        return self


class Catalogue(_Strict):
    """The city's complaint categories, agencies, channels and sensor kinds, plus its rules and targets files."""

    categories: tuple[Category, ...] = Field(min_length=1)
    agencies: tuple[Agency, ...] = ()
    channels: tuple[Channel, ...] = Field(min_length=1)
    sensor_kinds: tuple[SensorKind, ...] = Field(min_length=1)
    targets_file: str | None = None
    alert_rules_file: str | None = None

    @model_validator(mode="after")
    def _unique_and_known(self) -> Catalogue:
        for what, items in (
            ("categories", self.categories),
            ("channels", self.channels),
            ("sensor_kinds", self.sensor_kinds),
            ("agencies", self.agencies),
        ):
            codes = [i.code for i in items]
            twice = sorted({c for c in codes if codes.count(c) > 1})
            if twice:
                raise ValueError(f"{what}: code {', '.join(twice)} appears twice")
        if self.agencies:
            known = {a.code for a in self.agencies}
            unknown = sorted({c.agency for c in self.categories} - known)
            if unknown:
                raise ValueError(f"categories name agencies not in `agencies`: {', '.join(unknown)}")
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def sensor_kind(self, code: str) -> SensorKind | None:
        return next((k for k in self.sensor_kinds if k.code == code), None)

    @property
    def category_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    @property
    def channel_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.channels)

    @property
    def complaint_channels(self) -> tuple[str, ...]:
        """Every channel a complaint may carry here: the pack's own, then the generic 'phone' (a call to a
        number other than 112) and 'other' (a sender said nothing we know), which every city accepts."""
        return tuple(dict.fromkeys((*self.channel_codes, *GENERIC_CHANNELS)))

    @property
    def sensor_kind_codes(self) -> tuple[str, ...]:
        return tuple(k.code for k in self.sensor_kinds)

    @property
    def low_is_bad(self) -> frozenset[str]:
        """The kinds whose thresholds are crossed downwards (a falling reservoir, a dropping barometer)."""
        return frozenset(k.code for k in self.sensor_kinds if k.bad == "low")


class Site(_Strict):
    """A named place for a demo device (a river gauge, a junction)."""

    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class DemoSites(_Strict):
    """Where the generated demo puts its river gauges and traffic counters; generated from the boundaries
    (gauges along a line through the area, counters in the most populous kecamatan) where a list is empty."""

    river_gauges: tuple[Site, ...] = ()
    traffic_sites: tuple[Site, ...] = ()


class RegionalHoliday(_Strict):
    day: date
    name: str = ""


class CityPack(_Strict):
    """A city or regency as configuration: `city.yaml` plus the folder it was read from."""

    name: str = Field(min_length=3, description="e.g. Kabupaten Lumajang")
    short_name: str = Field(min_length=2, description="e.g. Lumajang")
    kind: Literal["kota", "kabupaten", "provinsi", "nasional"]
    title: Label | None = Field(default=None, description="the room's title; 'Ruang Kendali <name>' when omitted")
    code: str = Field(pattern=CODE_PATTERN, description="Kemendagri code with dots, e.g. 35.08")
    zone: CityZone = CityZone()
    default_language: Literal["id", "en"] = "id"
    subdistrict_word: Literal["kelurahan", "desa", "kampung", "nagari", "gampong"] = "kelurahan"
    districts: BoundaryLayer
    subdistricts: BoundaryLayer
    populations: Populations
    catalogue: Catalogue
    regional_holidays: tuple[RegionalHoliday, ...] = ()
    demo_sites: DemoSites = DemoSites()
    folder: Path = Field(exclude=True)

    @field_validator("zone", mode="before")
    @classmethod
    def _zone_from_name(cls, value: object) -> object:
        return zone_from_name(value)

    @model_validator(mode="after")
    def _parent_field(self) -> CityPack:
        if not self.subdistricts.parent_field:
            raise ValueError("subdistricts.parent_field must name the property holding the kecamatan code")
        return self

    def __hash__(self) -> int:  # packs key caches (boundaries, locators); the folder identifies one
        return hash((str(self.folder), self.code))

    def whole_area(self, lang: str) -> str:
        """'Seluruh kabupaten' / 'Whole regency': the scope of a figure over the whole city."""
        words = {"kota": ("kota", "city"), "kabupaten": ("kabupaten", "regency"),
                 "provinsi": ("provinsi", "province"), "nasional": ("negeri", "country")}  # fmt: skip
        word_id, word_en = words[self.kind]
        return f"Whole {word_en}" if lang == "en" else f"Seluruh {word_id}"

    def path(self, relative: str) -> Path:
        """A file named in city.yaml, relative to the pack's folder."""
        return (self.folder / relative).resolve()

    def room_title(self, lang: str) -> str:
        """The room's title: 'Ruang Kendali Kabupaten Lumajang' / 'Kabupaten Lumajang Operations Room'."""
        if self.title is not None:
            return self.title.text(lang)
        return f"Ruang Kendali {self.name}" if lang != "en" else f"{self.name} Operations Room"
