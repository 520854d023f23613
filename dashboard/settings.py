"""Every setting the app reads, in one place, from the environment with defaults that run a demo offline."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from data.city import DEFAULT_CITY, CityPack
from data.city.load import cached_pack

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "city.db"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _env_urls(name: str) -> tuple[str, ...]:
    """A comma- or space-separated list of http(s) URLs; anything else is a clear start-up error."""
    urls = tuple(u for u in os.environ.get(name, "").replace(",", " ").split() if u)
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise ValueError(f"{name} must list http:// or https:// URLs, got {', '.join(bad)}")
    return urls


@dataclass(frozen=True)
class Settings:
    """The app's configuration; build it with `Settings.from_env()` or directly in tests."""

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    city: str = DEFAULT_CITY  # a shipped pack's name (packs/<name>/) or a folder holding city.yaml
    host: str = "127.0.0.1"
    port: int = 8050
    refresh_seconds: int = 10
    tile_url: str = "none"
    tile_attribution: str = ""
    default_lang: str = "id"
    redis_url: str = ""
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    ingest_token: str = ""
    secret_key: str = ""
    targets_path: Path = field(default=PROJECT_ROOT / "data" / "config" / "targets.yaml")
    alert_rules_path: Path = field(default=PROJECT_ROOT / "data" / "config" / "alert_rules.yaml")
    holidays_path: Path | None = None  # the city's regional holidays (YAML or CSV), on top of the national ones
    demo_on_empty: bool = True
    max_request_bytes: int = 10 * 1024 * 1024
    session_hours: int = 12
    device_session_days: int = 30
    personal_data_retention_days: int = 365
    cookie_secure: str = "auto"
    trust_proxy: int = 0
    csp_extra_sources: str = ""
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str = ""
    summary_signing_key: str = ""
    alert_eval_seconds: int = 30

    @classmethod
    def from_env(cls) -> Settings:
        base = cls()
        city = _env_str("CITY", base.city)
        pack = cached_pack(city)  # a bad pack stops the start here, naming its file, field and reason
        rules = getattr(pack, "catalogue", None)  # a federation room (provinsi, nasional) has none of its own
        targets_file = rules.targets_file if rules is not None else None
        rules_file = rules.alert_rules_file if rules is not None else None
        return cls(
            database_url=_env_str("DATABASE_URL", base.database_url),
            city=city,
            host=_env_str("HOST", base.host),
            port=_env_int("PORT", base.port),
            refresh_seconds=max(1, _env_int("REFRESH_SECONDS", base.refresh_seconds)),
            tile_url=_env_str("CITY_TILE_URL", base.tile_url),
            tile_attribution=_env_str("CITY_TILE_ATTRIBUTION", base.tile_attribution),
            default_lang=_env_str("DEFAULT_LANG", base.default_lang),
            redis_url=_env_str("REDIS_URL", base.redis_url),
            mqtt_url=_env_str("MQTT_URL", base.mqtt_url),
            ingest_token=_env_str("INGEST_TOKEN", base.ingest_token),
            secret_key=_env_str("SECRET_KEY", base.secret_key),
            targets_path=Path(_env_str("TARGETS_FILE", str(_pack_file(pack, targets_file, base.targets_path)))),
            alert_rules_path=Path(
                _env_str("ALERT_RULES_FILE", str(_pack_file(pack, rules_file, base.alert_rules_path)))
            ),
            holidays_path=Path(_env_str("HOLIDAYS_FILE", "")) if _env_str("HOLIDAYS_FILE", "") else None,
            demo_on_empty=_env_str("DEMO_ON_EMPTY", "1") not in ("0", "false", "no"),
            max_request_bytes=_env_int("MAX_REQUEST_BYTES", base.max_request_bytes),
            session_hours=max(1, _env_int("SESSION_HOURS", base.session_hours)),
            device_session_days=max(1, _env_int("DEVICE_SESSION_DAYS", base.device_session_days)),
            personal_data_retention_days=max(
                0, _env_int("PERSONAL_DATA_RETENTION_DAYS", base.personal_data_retention_days)
            ),
            cookie_secure=_env_str("COOKIE_SECURE", base.cookie_secure).lower(),
            trust_proxy=max(0, _env_int("TRUST_PROXY", base.trust_proxy)),
            csp_extra_sources=_env_str("CSP_EXTRA_SOURCES", base.csp_extra_sources),
            webhook_urls=_env_urls("WEBHOOK_URLS"),
            webhook_secret=_env_str("WEBHOOK_SECRET", base.webhook_secret),
            summary_signing_key=_env_str("SUMMARY_SIGNING_KEY", base.summary_signing_key),
            alert_eval_seconds=max(5, _env_int("ALERT_EVAL_SECONDS", base.alert_eval_seconds)),
        )

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)

    def pack(self) -> CityPack:
        """The city this configuration serves (read once per process and `CITY` value)."""
        return cached_pack(self.city)


def _pack_file(pack: CityPack, name: str | None, default: Path) -> Path:
    """A file the pack names (its own targets or alert rules), else the shared default."""
    return pack.path(name) if name else default
