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
