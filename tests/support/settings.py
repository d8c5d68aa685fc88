"""Settings for test Hubs."""

from pathlib import Path
from typing import Any

from hub.config import Settings, settings_from_values


def make_settings(
    database_url: str, data_dir: Path, *, base_url: str = "https://hub.test", **extra: Any
) -> Settings:
    """Return settings of a Hub at `base_url` whose worker runs only when a test drives it."""
    values: dict[str, Any] = {
        "base_url": base_url,
        "database_url": database_url,
        "data_dir": str(data_dir),
        "secret_key": "test-secret-key-0123456789",
        "worker_mode": "manual",
    }
    values.update(extra)
    return settings_from_values(values)
