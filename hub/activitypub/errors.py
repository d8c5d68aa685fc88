"""Errors of the pure protocol layer: invalid documents and signature failures."""

from hub.errors import HubError


class ProtocolError(HubError):
    """Base of the protocol layer's errors."""


class InvalidActivity(ProtocolError):
    """Untrusted JSON does not have the shape an activity or object needs."""


class SignatureError(ProtocolError):
    """An HTTP signature header cannot be parsed or does not verify."""
