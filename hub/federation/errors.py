"""Errors of talking to remote servers, with structured fields for logs and job rows."""

from hub.errors import HubError


class RemoteError(HubError):
    """A remote server failed, refused, or sent something we cannot use."""

    retryable = True

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class RemoteGone(RemoteError):
    """410: the resource was deleted for good."""

    retryable = False


class RemoteNotFound(RemoteError):
    """404: no such resource."""

    retryable = False


class RemoteRefused(RemoteError):
    """401 or 403: the server would not let us in (may be transient for 401)."""


class RemoteBusy(RemoteError):
    """429 or 503: try again later, after `retry_after_seconds` when the server said so."""

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, retry_after_seconds: float | None
    ) -> None:
        super().__init__(url, reason, status=status)
        self.retry_after_seconds = retry_after_seconds


class RemoteRejected(RemoteError):
    """Any other 4xx: the request itself was refused; retrying will not help."""

    retryable = False


class RemoteUnavailable(RemoteError):
    """5xx, a timeout or a connection failure."""


class UnsafeUrl(RemoteError):
    """The URL points at an address we refuse to reach (SSRF guard) or is not http(s)."""

    retryable = False


class ResponseTooLarge(RemoteError):
    """The response body was larger than the cap."""

    retryable = False


class InvalidRemoteDocument(RemoteError):
    """The response was not the JSON document we asked for."""

    retryable = False


class FetchBudgetExceeded(RemoteError):
    """One request or job tried to fetch more documents than it may."""

    retryable = False
