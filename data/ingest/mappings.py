"""Column mappings: how another complaint system's CSV headers, statuses and channels become ours.

A mapping is YAML (see data/config/mappings/*.yaml); `--mapping NAME` picks one shipped with the product,
`--mapping PATH` a user's own file. Headers are matched ignoring case, spaces and underscores; columns a
mapping does not name are ignored.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from data.city import catalogue
from data.ingest.readers import FileUnreadableError, header_key
from data.models import COMPLAINT_STATUSES

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "config" / "mappings"
FIELDS = (
    "source_id", "requested_at", "updated_at", "closed_at", "expected_at", "status", "status_notes", "category",
    "service_code", "description", "agency", "address", "lat", "lon", "channel", "media_url", "reporter_name",
    "reporter_phone",
)  # fmt: skip
REQUIRED = ("source_id", "requested_at")


@dataclass(frozen=True)
class Mapping:
    name: str
    source: str
    columns: dict[str, tuple[str, ...]]  # our field -> their header(s), first present wins
    statuses: dict[str, str] = field(default_factory=dict)  # their status (header_key form) -> ours
    channels: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    timezone: tzinfo | None = None  # None: the city's own zone (its pack's)
    date_formats: tuple[str, ...] = ()
    default_status: str | None = None
    default_channel: str = "other"
    # our field -> templates over their headers ("{Intersection Street 1} and {Intersection Street 2}"), tried
    # in order for a row whose mapped column is empty; a template applies when every header it names has a value
    compose: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def composed(self, name: str, record: dict) -> str | None:
        """The first of `name`'s templates this row can fill, or None."""
        if name not in self.compose:
            return None
        values = {header_key(k): str(v).strip() for k, v in record.items() if isinstance(k, str) and v is not None}
        for template in self.compose[name]:
            names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
            if names and all(values.get(header_key(n)) for n in names):
                return template.format_map({n: values[header_key(n)] for n in names})
        return None

    def locate(self, header: list[str], path: Path) -> dict[str, int]:
        """Which column of this file holds each of our fields; missing required ones stop the load."""
        keys = [header_key(h) for h in header]
        found: dict[str, int] = {}
        for ours, theirs in self.columns.items():
            for name in theirs:
                if header_key(name) in keys:
                    found[ours] = keys.index(header_key(name))
                    break
        missing = [f"{ours} ({' or '.join(self.columns[ours])})" for ours in REQUIRED if ours not in found]
        if missing:
            raise FileUnreadableError(
                f"{path}: mapping {self.name!r} needs column(s) {', '.join(missing)}; "
                f"the file's columns are: {', '.join(header)}"
            )
        return found

    def status(self, value: str | None) -> str | None:
        if value is None or not value.strip():
            return self.default_status
        key = header_key(value)
        return self.statuses.get(key) or (key if key in COMPLAINT_STATUSES else None)

    def channel(self, value: str | None) -> str:
        key = header_key(value or "")
        return self.channels.get(key) or (key if key in catalogue().complaint_channels else self.default_channel)

    def category(self, value: str) -> str:
        return self.categories.get(header_key(value), value)


def available_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(name_or_path: str) -> Mapping:
    """A shipped mapping by name, or a user's YAML file by path; a broken mapping says what is wrong."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = MAPPINGS_DIR / f"{name_or_path}.yaml"
        if not path.exists():
            raise FileUnreadableError(
                f"no mapping named {name_or_path!r}; shipped: {', '.join(available_mappings())} (or give a path)"
            )
    if not path.is_file():
        raise FileUnreadableError(f"mapping file {path} does not exist")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FileUnreadableError(f"mapping {path}: not valid YAML ({exc})") from exc
    return parse_mapping(spec, path.stem)


def parse_mapping(spec: object, name: str) -> Mapping:
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
        raise FileUnreadableError(f"mapping {name}: needs a 'columns' table of our field: their header")
    unknown = sorted(set(spec["columns"]) - set(FIELDS))
    if unknown:
        raise FileUnreadableError(
            f"mapping {name}: unknown field(s) {', '.join(unknown)}; ours are {', '.join(FIELDS)}"
        )
    columns = {k: tuple(v) if isinstance(v, list) else (str(v),) for k, v in spec["columns"].items()}
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise FileUnreadableError(f"mapping {name}: must map {', '.join(missing)}")
    statuses = {header_key(str(k)): str(v) for k, v in (spec.get("statuses") or {}).items()}
    bad = sorted({v for v in statuses.values() if v not in COMPLAINT_STATUSES})
    if bad:
        raise FileUnreadableError(
            f"mapping {name}: status(es) {', '.join(bad)} are not ours ({', '.join(COMPLAINT_STATUSES)})"
        )
    channels = {header_key(str(k)): str(v) for k, v in (spec.get("channels") or {}).items()}
    known = catalogue().complaint_channels
    bad = sorted({v for v in channels.values() if v not in known})
    if bad:
        raise FileUnreadableError(
            f"mapping {name}: channel(s) {', '.join(bad)} are not this city's ({', '.join(known)}); "
            "add them to the pack's catalogue (channels) or map them to one of these"
        )
    try:
        zone = ZoneInfo(spec["timezone"]) if spec.get("timezone") else None
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FileUnreadableError(f"mapping {name}: unknown timezone {spec['timezone']!r}") from exc
    compose = spec.get("compose") or {}
    if not isinstance(compose, dict) or set(compose) - set(FIELDS):
        raise FileUnreadableError(f"mapping {name}: 'compose' is a table of our field: [templates over headers]")
    default_status = spec.get("default_status")
    if default_status is not None and default_status not in COMPLAINT_STATUSES:
        raise FileUnreadableError(f"mapping {name}: default_status {default_status!r} is not ours")
    return Mapping(
        name=name,
        source=str(spec.get("source") or name),
        columns=columns,
        statuses=statuses,
        channels=channels,
        categories={header_key(str(k)): str(v) for k, v in (spec.get("categories") or {}).items()},
        timezone=zone,
        date_formats=tuple(spec.get("date_formats") or ()),
        default_status=default_status,
        default_channel=str(spec.get("default_channel") or "other"),
        compose={k: tuple(v) if isinstance(v, list) else (str(v),) for k, v in compose.items()},
    )
