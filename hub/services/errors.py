"""Errors a person's request can meet: missing things, conflicts, bad input."""

from hub.errors import HubError


class ServiceError(HubError):
    """Base of the errors services raise for a person to read."""


class NotFound(ServiceError):
    """The thing asked for does not exist."""


class Conflict(ServiceError):
    """The request clashes with what exists, such as a name already taken."""


class PermissionDenied(ServiceError):
    """The account may not do this."""


class InvalidInput(ServiceError):
    """A field of the request has a value we cannot use."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TooManyAttempts(ServiceError):
    """Too many failed attempts in a short time; the caller should wait and try again."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_seconds = retry_after_seconds
