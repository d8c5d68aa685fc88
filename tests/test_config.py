"""Settings come from hub.toml, then HUB_* variables; a bad one names itself."""

from pathlib import Path

import pytest

from hub.config import load_settings, settings_from_values
from hub.errors import ConfigError


def test_defaults_give_a_local_sqlite_hub() -> None:
    settings = load_settings({}, config_path=None)
    assert settings.base_url == "http://localhost:8000"
    assert settings.database_url == "sqlite+aiosqlite:///data/hub.db"
    assert settings.allow_private_addresses is True
    assert settings.host == "localhost:8000"


def test_upload_limit_defaults_to_10_mib_and_reads_the_environment() -> None:
    assert load_settings({}, config_path=None).max_upload_bytes == 10 * 1024 * 1024
    settings = load_settings({"HUB_MAX_UPLOAD_BYTES": "2097152"}, config_path=None)
    assert settings.max_upload_bytes == 2 * 1024 * 1024


def test_replies_from_strangers_are_held_unless_turned_off(tmp_path: Path) -> None:
    assert load_settings({}, config_path=None).hold_replies_from_strangers is True
    config = tmp_path / "hub.toml"
    config.write_text("hold_replies_from_strangers = false\n")
    assert load_settings({}, config_path=str(config)).hold_replies_from_strangers is False
    environment = {"HUB_HOLD_REPLIES_FROM_STRANGERS": "no"}
    assert load_settings(environment, config_path=None).hold_replies_from_strangers is False


def test_environment_overrides_config_file(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('base_url = "https://hub.example.org"\ndata_dir = "store"\n')
    settings = load_settings(
        {"HUB_BASE_URL": "https://other.example.org/"}, config_path=str(config)
    )
    assert settings.base_url == "https://other.example.org"
    assert settings.data_dir == tmp_path / "store"
    assert settings.allow_private_addresses is False


def test_config_file_from_hub_config_variable(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('base_url = "https://hub.example.org:8443"\n')
    settings = load_settings({"HUB_CONFIG": str(config)})
    assert settings.host == "hub.example.org:8443"
    assert settings.hostname == "hub.example.org"


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({"base_url": "ftp://hub.example.org"}, "base_url"),
        ({"base_url": "https://"}, "base_url"),
        ({"base_url": "https://hub.example.org/path"}, "base_url"),
        ({"base_url": "https://hub.example.org:99999"}, "base_url"),
        ({"database_url": "mysql://db"}, "database_url"),
        ({"secret_key": "short"}, "secret_key"),
        ({"allow_private_addresses": "maybe"}, "allow_private_addresses"),
        ({"hold_replies_from_strangers": "sometimes"}, "hold_replies_from_strangers"),
        ({"log_level": "CHATTY"}, "log_level"),
        ({"colour": "blue"}, "colour"),
        ({"max_upload_bytes": "10MB"}, "max_upload_bytes"),
        ({"max_upload_bytes": "100"}, "max_upload_bytes"),
        ({"max_upload_bytes": str(64 * 1024 * 1024)}, "max_upload_bytes"),
    ],
    ids=[
        "scheme",
        "no-host",
        "path",
        "port",
        "database",
        "secret",
        "bool",
        "hold-bool",
        "log-level",
        "unknown",
        "upload-unit",
        "upload-tiny",
        "upload-huge",
    ],
)
def test_bad_setting_names_itself(values: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_values(values)
    assert raised.value.setting == setting
    assert str(raised.value).startswith(setting)


def test_unreadable_config_file_is_a_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "hub.toml"
    broken.write_text("base_url = \n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings({}, config_path=str(broken))
    with pytest.raises(ConfigError, match="no config file"):
        load_settings({}, config_path=str(tmp_path / "missing.toml"))


@pytest.mark.parametrize(
    ("base_url", "allowed"),
    [
        ("http://localhost:8000", True),
        ("http://127.0.0.1:8000", True),
        ("http://192.168.1.10", True),
        ("https://hub.test", True),
        ("https://hub.example.org", False),
        ("https://93.184.216.34", False),
    ],
)
def test_private_addresses_allowed_by_default_only_for_private_hubs(
    base_url: str, allowed: bool
) -> None:
    assert settings_from_values({"base_url": base_url}).allow_private_addresses is allowed


def test_explicit_allow_private_wins() -> None:
    settings = settings_from_values(
        {"base_url": "https://hub.example.org", "allow_private_addresses": "true"}
    )
    assert settings.allow_private_addresses is True


def test_default_port_is_dropped_from_the_base_url() -> None:
    assert settings_from_values({"base_url": "https://Hub.Example.org:443"}).base_url == (
        "https://hub.example.org"
    )


def test_delivery_lease_defaults_to_two_minutes_and_has_a_floor() -> None:
    assert settings_from_values({}).delivery_lease_seconds == 120
    assert settings_from_values({"delivery_lease_seconds": "90"}).delivery_lease_seconds == 90
    with pytest.raises(ConfigError, match="at least 60"):
        settings_from_values({"delivery_lease_seconds": "30"})
    with pytest.raises(ConfigError, match="whole number"):
        settings_from_values({"delivery_lease_seconds": "soon"})
