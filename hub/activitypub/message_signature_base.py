"""RFC 9421: parse Signature-Input and Signature, and build the signature base of a request."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from hub.activitypub.errors import SignatureMalformed
from hub.activitypub.structured_fields import InnerList, Item, parse_dictionary

# Derived components of a request (RFC 9421 §2.2); @status is for responses only.
DERIVED_COMPONENTS = frozenset(
    {
        "@method",
        "@target-uri",
        "@authority",
        "@scheme",
        "@request-target",
        "@path",
        "@query",
        "@query-param",
    }
)
DEFAULT_PORTS = {"http": "80", "https": "443"}
# WHATWG application/x-www-form-urlencoded leaves these bytes alone; RFC 9421 §2.2.8 then
# writes a space as %20, not +.
_FORM_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-._")


@dataclass(frozen=True)
class Component:
    """A covered component: a field name or derived name, with @query-param's `name`."""

    name: str
    query_name: str | None = None

    @property
    def identifier(self) -> str:
        """The component identifier as serialised in the signature base."""
        if self.query_name is None:
            return f'"{self.name}"'
        return f'"{self.name}";name="{_escape(self.query_name)}"'


@dataclass(frozen=True)
class MessageSignatureParams:
    """One signature from Signature-Input and Signature; `signature_params` is its base line."""

    label: str
    components: tuple[Component, ...]
    signature_params: str
    signature: bytes
    key_id: str
    created: int | None = None
    expires: int | None = None
    algorithm: str | None = None
    nonce: str | None = None
    tag: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def covers(self, name: str) -> bool:
        """Return whether a component of that name is covered."""
        return any(component.name == name for component in self.components)


@dataclass(frozen=True)
class RequestParts:
    """What a request's components derive from; `query` has no `?`, header names are lowercase."""

    method: str
    target_uri: str
    authority: str
    path: str
    query: str
    headers: Mapping[str, str]


def parse_message_signature(
    signature_input: str, signature: str, *, label: str | None = None
) -> MessageSignatureParams:
    """Parse the Signature-Input and Signature fields (RFC 9421 §4).

    Without `label`, exactly one signature must be present, which is Mastodon's rule.

    Raises:
        SignatureMalformed: the fields do not parse, disagree, or use parameters or
            components this module does not understand.
    """
    try:
        inputs = parse_dictionary(signature_input)
        values = parse_dictionary(signature)
    except ValueError as error:
        raise SignatureMalformed(str(error)) from None
    if label is None:
        if len(inputs) != 1 or len(values) != 1:
            raise SignatureMalformed("exactly one signature is required")
        label = next(iter(inputs))
    member = inputs.get(label)
    value = values.get(label)
    if not isinstance(member, InnerList):
        raise SignatureMalformed(f"Signature-Input has no inner list labelled {label}")
    if not isinstance(value, Item) or not isinstance(value.value, bytes) or not value.value:
        raise SignatureMalformed(f"Signature has no byte sequence labelled {label}")
    components = tuple(_component(item) for item in member.items)
    if len(set(components)) != len(components):
        raise SignatureMalformed("a component is covered twice")
    params = dict(member.params)
    key_id = _optional_str(params.pop("keyid", None), "keyid")
    if not key_id:
        raise SignatureMalformed("keyid is required")
    return MessageSignatureParams(
        label=label,
        components=components,
        signature_params=member.serialized,
        signature=value.value,
        key_id=key_id,
        created=_optional_int(params.pop("created", None), "created"),
        expires=_optional_int(params.pop("expires", None), "expires"),
        algorithm=_optional_str(params.pop("alg", None), "alg"),
        nonce=_optional_str(params.pop("nonce", None), "nonce"),
        tag=_optional_str(params.pop("tag", None), "tag"),
        extra=params,
    )


def build_signature_base(params: MessageSignatureParams, request: RequestParts) -> str:
    """Return the signature base (RFC 9421 §2.5): one line per component, then the params.

    Raises:
        SignatureMalformed: a component cannot be derived or a covered field is missing.
    """
    lines = []
    for component in params.components:
        value = component_value(component, request)
        if "\n" in value or "\r" in value:
            raise SignatureMalformed(f"{component.name} contains a line break")
        lines.append(f"{component.identifier}: {value}")
    lines.append(f'"@signature-params": {params.signature_params}')
    return "\n".join(lines)


def component_value(component: Component, request: RequestParts) -> str:
    """Return a component's value in a request (RFC 9421 §2.1, §2.2).

    Raises:
        SignatureMalformed: the value cannot be derived or the field is missing.
    """
    name = component.name
    if not name.startswith("@"):
        if name not in request.headers:
            raise SignatureMalformed(f"covered field {name} is missing from the request")
        return request.headers[name].strip(" \t")
    scheme = urlsplit(request.target_uri).scheme.lower()
    path = request.path or "/"
    if name == "@method":
        return request.method
    if name == "@target-uri":
        return request.target_uri
    if name == "@authority":
        return _normalise_authority(request.authority, scheme)
    if name == "@scheme":
        return scheme
    if name == "@request-target":
        return f"{path}?{request.query}" if request.query else path
    if name == "@path":
        return path
    if name == "@query":
        return f"?{request.query}"
    if name == "@query-param" and component.query_name is not None:
        return _query_param(request.query, component.query_name)
    raise SignatureMalformed(f"cannot derive {name}")


def _component(item: Item) -> Component:
    name = item.value
    if type(name) is not str or not name:
        raise SignatureMalformed("covered components must be strings")
    if name.startswith("@"):
        if name not in DERIVED_COMPONENTS:
            raise SignatureMalformed(f"unsupported derived component {name}")
    elif name != name.lower():
        raise SignatureMalformed(f"field name {name} must be lowercase")
    if name == "@query-param":
        query_name = item.params.get("name")
        if type(query_name) is not str or set(item.params) != {"name"}:
            raise SignatureMalformed('@query-param needs exactly one string parameter "name"')
        return Component(name, query_name)
    if item.params:
        raise SignatureMalformed(f"unsupported parameters on component {name}")
    return Component(name)


def _optional_int(value: object, name: str) -> int | None:
    # bool is an int subclass in Python but a distinct type in RFC 8941.
    if value is None:
        return None
    if type(value) is not int:
        raise SignatureMalformed(f"{name} must be an integer")
    return value


def _optional_str(value: object, name: str) -> str | None:
    if value is None:
        return None
    if type(value) is not str:
        raise SignatureMalformed(f"{name} must be a string")
    return value


def _normalise_authority(authority: str, scheme: str) -> str:
    lowered = authority.lower()
    host, colon, port = lowered.rpartition(":")
    if colon and "]" not in port and DEFAULT_PORTS.get(scheme) == port:
        return host
    return lowered


def _query_param(query: str, name: str) -> str:
    # §2.2.8: decode as a form, then re-encode; a parameter given twice must not be signed.
    matches = [
        _form_encode(value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if _form_encode(key) == name
    ]
    if len(matches) != 1:
        raise SignatureMalformed(f"query parameter {name} must occur exactly once")
    return matches[0]


def _form_encode(text: str) -> str:
    return "".join(
        chr(byte) if byte in _FORM_SAFE else f"%{byte:02X}" for byte in text.encode("utf-8")
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
