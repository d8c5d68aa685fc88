"""Errors of the pure protocol layer: invalid documents and signature failures.

ProtocolError
├── InvalidActivity          untrusted JSON does not have the shape we need
└── SignatureError           an HTTP signature cannot be parsed or verified
    └── SignatureMalformed   a Signature, Signature-Input or digest header does not parse
"""

from hub.errors import HubError


class ProtocolError(HubError):
    """Base of the protocol layer's errors."""


class InvalidActivity(ProtocolError):
    """Untrusted JSON does not have the shape an activity or object needs."""


class SignatureError(ProtocolError):
    """An HTTP signature header cannot be parsed or does not verify."""


class SignatureMalformed(SignatureError):
    """A signature header is not well-formed; the message is safe to show the sender."""
