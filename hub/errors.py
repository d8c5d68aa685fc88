"""The root of Hub's error tree and the few bases shared across layers.

HubError
├── ConfigError                  a setting is missing or malformed (exit code 2)
├── activitypub.errors.ProtocolError
│   ├── InvalidActivity          untrusted JSON does not have the shape we need
│   └── SignatureError           an HTTP signature cannot be parsed or verified
├── federation.errors.RemoteError   a remote server failed or refused
└── services.errors.ServiceError    a person asked for something impossible
    ├── NotFound, Conflict, PermissionDenied
    ├── TooManyAttempts(message, retry_after_seconds)
    └── InvalidInput(field, message)
"""


class HubError(Exception):
    """Root of every error Hub raises on purpose."""


class ConfigError(HubError):
    """A setting is missing or has a value Hub cannot use."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message
