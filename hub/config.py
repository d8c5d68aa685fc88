"""Settings: HUB_* environment variables and an optional hub.toml, read once at the edge."""

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from hub.errors import ConfigError

WorkerMode = Literal["inprocess", "manual", "off"]
LogFormat = Literal["text", "json"]

# Setting name -> environment variable. The same names (lowercase) are the keys of hub.toml.
ENVIRONMENT_NAMES = {
    "base_url": "HUB_BASE_URL",
    "database_url": "HUB_DATABASE_URL",
    "data_dir": "HUB_DATA_DIR",
    "secret_key": "HUB_SECRET_KEY",
    "allow_private_addresses": "HUB_ALLOW_PRIVATE_ADDRESSES",
    "log_level": "HUB_LOG_LEVEL",
    "log_format": "HUB_LOG_FORMAT",
    "instance_name": "HUB_INSTANCE_NAME",
    "max_upload_bytes": "HUB_MAX_UPLOAD_BYTES",
    "hold_replies_from_strangers": "HUB_HOLD_REPLIES_FROM_STRANGERS",
    "delivery_lease_seconds": "HUB_DELIVERY_LEASE_SECONDS",
}

DEFAULT_BASE_URL = "http://localhost:8000"
DEFAULT_DATA_DIR = "data"
CONFIG_FILE_NAME = "hub.toml"
MIN_SECRET_KEY_LENGTH = 16
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Mastodon fetches remote images of at most 16 MB; a larger upload could not federate anyway.
MAX_UPLOAD_BYTES_CEILING = 16 * 1024 * 1024
DEFAULT_DELIVERY_LEASE_SECONDS = 120
# A delivery is capped at 30 s; its lease must outlast that with room to record the outcome.
MIN_DELIVERY_LEASE_SECONDS = 60


@dataclass(frozen=True)
class Settings:
    """Every setting Hub reads, validated and typed; derived URLs live here too."""

    base_url: str
    database_url: str
    data_dir: Path
    secret_key: str
    allow_private_addresses: bool
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    instance_name: str = "Hub"
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # Replies to our posts from actors none of ours follow wait for a person's approval.
    hold_replies_from_strangers: bool = True
    worker_mode: WorkerMode = "inprocess"
    delivery_lease_seconds: int = DEFAULT_DELIVERY_LEASE_SECONDS
    source: str = field(default="defaults", compare=False)

    @property
    def scheme(self) -> str:
        """Return `http` or `https`."""
        return urlsplit(self.base_url).scheme

    @property
    def host(self) -> str:
        """Return the authority of the base URL: host, plus `:port` when not the default."""
        return urlsplit(self.base_url).netloc

    @property
    def hostname(self) -> str:
        """Return the host name of the base URL without any port."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def is_sqlite(self) -> bool:
        """Return whether the database is SQLite."""
        return self.database_url.startswith("sqlite")

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this Hub."""
        return self.base_url + path


def load_settings(
    environ: Mapping[str, str],
    *,
    config_path: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read settings from a hub.toml (if any), then the environment, then explicit overrides.

    The file is `config_path`, else `HUB_CONFIG`, else `./hub.toml` when it exists.

    Raises:
        ConfigError: a setting is malformed or the config file cannot be read.
    """
    values: dict[str, Any] = {}
    path = config_path or environ.get("HUB_CONFIG")
    if path is None and Path(CONFIG_FILE_NAME).is_file():
        path = CONFIG_FILE_NAME
    source = "defaults"
    if path is not None:
        values.update(_read_config_file(Path(path)))
        source = str(path)
    for name, variable in ENVIRONMENT_NAMES.items():
        if variable in environ:
            values[name] = environ[variable]
    values.update(overrides or {})
    return settings_from_values(values, source=source)


def settings_from_values(values: Mapping[str, Any], *, source: str = "values") -> Settings:
    """Validate raw setting values (strings or TOML types) into Settings."""
    unknown = set(values) - set(ENVIRONMENT_NAMES) - {"worker_mode"}
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(name, "unknown setting")
    base_url = _parse_base_url(str(values.get("base_url", DEFAULT_BASE_URL)))
    data_dir = Path(str(values.get("data_dir", DEFAULT_DATA_DIR)))
    database_url = str(
        values.get("database_url") or f"sqlite+aiosqlite:///{(data_dir / 'hub.db').as_posix()}"
    )
    _check_database_url(database_url)
    secret_key = str(values.get("secret_key", ""))
    if secret_key and len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError("secret_key", f"must be at least {MIN_SECRET_KEY_LENGTH} characters long")
    allow_private_raw = values.get("allow_private_addresses")
    allow_private = (
        _is_private_host(urlsplit(base_url).hostname or "")
        if allow_private_raw in (None, "")
        else _parse_bool("allow_private_addresses", allow_private_raw)
    )
    log_level = str(values.get("log_level", "INFO")).upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("log_level", "must be one of DEBUG, INFO, WARNING, ERROR")
    log_format = str(values.get("log_format", "text"))
    if log_format not in ("text", "json"):
        raise ConfigError("log_format", "must be text or json")
    worker_mode = str(values.get("worker_mode", "inprocess"))
    if worker_mode not in ("inprocess", "manual", "off"):
        raise ConfigError("worker_mode", "must be inprocess, manual or off")
    max_upload_bytes = _parse_byte_count(
        "max_upload_bytes", values.get("max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES)
    )
    hold_replies_raw = values.get("hold_replies_from_strangers")
    hold_replies = (
        True
        if hold_replies_raw in (None, "")
        else _parse_bool("hold_replies_from_strangers", hold_replies_raw)
    )
    delivery_lease = _parse_int(
        "delivery_lease_seconds",
        values.get("delivery_lease_seconds", DEFAULT_DELIVERY_LEASE_SECONDS),
        minimum=MIN_DELIVERY_LEASE_SECONDS,
    )
    return Settings(
        base_url=base_url,
        database_url=database_url,
        data_dir=data_dir,
        secret_key=secret_key,
        allow_private_addresses=allow_private,
        log_level=log_level,
        log_format=log_format,  # type: ignore[arg-type]  # checked against the Literal above
        instance_name=str(values.get("instance_name", "Hub")),
        max_upload_bytes=max_upload_bytes,
        hold_replies_from_strangers=hold_replies,
        worker_mode=worker_mode,  # type: ignore[arg-type]  # checked against the Literal above
        delivery_lease_seconds=delivery_lease,
        source=source,
    )


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as config_file:
            values = tomllib.load(config_file)
    except FileNotFoundError:
        raise ConfigError("HUB_CONFIG", f"no config file at {path}") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError("HUB_CONFIG", f"cannot read {path}: {error}") from None
    # A relative data folder in a config file means relative to that file, not to the cwd.
    data_dir = values.get("data_dir")
    if isinstance(data_dir, str) and not Path(data_dir).is_absolute():
        values["data_dir"] = str(path.parent / data_dir)
    return values


def _parse_base_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https"):
        raise ConfigError("base_url", "must start with http:// or https://")
    if not parts.hostname:
        raise ConfigError("base_url", "must name a host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError("base_url", "must be scheme, host and port only, with no path")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("base_url", "has an invalid port") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    authority = host if port in (None, default_port) else f"{host}:{port}"
    return f"{parts.scheme}://{authority}"


def _check_database_url(url: str) -> None:
    if url.startswith("sqlite+aiosqlite://"):
        return
    if url.startswith("postgresql+asyncpg://"):
        return
    raise ConfigError(
        "database_url", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
    )


def _parse_int(name: str, raw: object, *, minimum: int) -> int:
    if isinstance(raw, bool) or not str(raw).strip().isdigit():
        raise ConfigError(name, "must be a whole number")
    value = int(str(raw).strip())
    if value < minimum:
        raise ConfigError(name, f"must be at least {minimum}")
    return value


def _parse_bool(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(name, "must be true or false")


def _is_private_host(hostname: str) -> bool:
    if hostname == "localhost" or hostname.endswith((".localhost", ".test", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def process_environment() -> Mapping[str, str]:
    """Return the process environment; the one place that reads it (called by the CLI)."""
    return os.environ


def _parse_byte_count(name: str, raw: object) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit():
        raise ConfigError(name, "must be a whole number of bytes")
    value = int(text)
    if not 1024 <= value <= MAX_UPLOAD_BYTES_CEILING:
        raise ConfigError(name, f"must be between 1024 and {MAX_UPLOAD_BYTES_CEILING} bytes")
    return value
