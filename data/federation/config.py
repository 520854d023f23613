"""Which rooms a provincial or national room watches, and how it asks them: the `federation:` part of its pack.

    federation:
      every_seconds: 60          # a pull round per minute
      timeout_seconds: 5         # per request; a slow member never holds up the others
      members:
        - code: "36.71"
          name: Kota Tangerang
          url: https://room.tangerangkota.go.id
          token: ${TANGERANG_SUMMARY_TOKEN}   # a summary-scoped ingest token of the member's room
          key: ${TANGERANG_SUMMARY_KEY}       # the member's SUMMARY_SIGNING_KEY

`${NAME}` is read from the environment when the pack is loaded, so secrets need not live in the file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from data.city.model import CityZone, Label, RegionalHoliday, zone_from_name

ENV_REF = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _from_env(value: str) -> str:
    match = ENV_REF.match(value.strip())
    if not match:
        return value
    found = os.environ.get(match.group(1), "")
    if not found:
        raise ValueError(f"environment variable {match.group(1)} is not set")
    return found


class Member(_Strict):
    """One member room: its Kemendagri code, where its summary is, and the secrets to read and trust it."""

    code: str = Field(pattern=r"^[0-9]{2}(\.[0-9]{2})?$", description="e.g. 36.71 (kota) or 35 (a province room)")
    name: str = Field(min_length=3, max_length=120)
    url: str = Field(max_length=300)
    token: str = Field(min_length=16, repr=False)
    key: str = Field(min_length=16, repr=False)
    zone: Literal["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"] = "Asia/Jakarta"

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be the member room's http:// or https:// address")
        return value.rstrip("/")

    @field_validator("token", "key", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        return _from_env(value) if isinstance(value, str) else value

    @property
    def summary_url(self) -> str:
        return f"{self.url}/api/v1/summary"


class FederationConfig(_Strict):
    """How the room pulls its members: round interval, per-request timeout, retries and parallelism."""

    every_seconds: int = Field(default=60, ge=5, le=3600)
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=5)
    parallel: int = Field(default=16, ge=1, le=64)
    stale_after_seconds: int = Field(default=600, ge=10, description="a member unheard for this long is stale")
    max_backoff_seconds: int = Field(default=1800, ge=5, description="a failing member is asked at least this often")
    members: tuple[Member, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> FederationConfig:
        codes = [m.code for m in self.members]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"members: code {', '.join(twice)} appears twice")
        return self

    def member(self, code: str) -> Member | None:
        return next((m for m in self.members if m.code == code), None)


class FederationPack(_Strict):
    """A provincial or national room: `city.yaml` of kind provinsi or nasional with a `federation:` part.

    It has no boundaries or catalogue of its own: its members are rooms, drawn from the national outlines."""

    name: str = Field(min_length=3, description="e.g. Provinsi Banten")
    short_name: str = Field(min_length=2)
    kind: Literal["provinsi", "nasional"]
    code: str = Field(pattern=r"^[0-9]{2}$", description="the province's Kemendagri code; 00 for the national room")
    zone: CityZone = CityZone()
    default_language: Literal["id", "en"] = "id"
    title: Label | None = None
    federation: FederationConfig
    regional_holidays: tuple[RegionalHoliday, ...] = ()  # the room's own days off; members keep their own
    folder: Path = Field(exclude=True)

    @field_validator("zone", mode="before")
    @classmethod
    def _zone_from_name(cls, value: object) -> object:
        return zone_from_name(value)

    def __hash__(self) -> int:
        return hash((str(self.folder), self.code))

    def whole_area(self, lang: str) -> str:
        """'Seluruh provinsi' / 'Whole province': the scope of a figure over every member."""
        if self.kind == "provinsi":
            return "Whole province" if lang == "en" else "Seluruh provinsi"
        return "Whole country" if lang == "en" else "Seluruh negeri"

    @property
    def subdistrict_word(self) -> str:
        """Shared page texts may name the fourth level; a room over rooms speaks of its members' desa/kelurahan."""
        return "desa/kelurahan"

    def room_title(self, lang: str) -> str:
        """'Ruang Kendali Provinsi Banten' / 'Provinsi Banten Operations Room'."""
        if self.title is not None:
            return self.title.text(lang)
        return f"Ruang Kendali {self.name}" if lang != "en" else f"{self.name} Operations Room"
