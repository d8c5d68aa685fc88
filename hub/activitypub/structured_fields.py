"""A typed wrapper around http_sfv for the RFC 8941 Dictionaries that signature headers use."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from http_sfv.dictionary import Dictionary as SfvDictionary
from http_sfv.item import InnerList as SfvInnerList
from http_sfv.item import Item as SfvItem
from http_sfv.types import DisplayString as SfvDisplayString
from http_sfv.types import Token as SfvToken

# A structured header longer than this is not a signature anyone sends; refusing it early keeps
# the quadratic slicing inside http_sfv away from hostile input.
MAX_FIELD_LENGTH = 8192


class Token(str):
    """An sf-token, kept apart from sf-string because RFC 9421 wants strings only."""


class DisplayString(str):
    """An sf-displaystring, kept apart from sf-string for the same reason."""


BareValue = bool | int | Decimal | str | bytes | datetime


@dataclass(frozen=True)
class Item:
    """A bare value with its parameters."""

    value: BareValue
    params: Mapping[str, BareValue]


@dataclass(frozen=True)
class InnerList:
    """A parenthesised list of items with its own parameters, and its strict serialisation."""

    items: tuple[Item, ...]
    params: Mapping[str, BareValue]
    serialized: str


def parse_dictionary(text: str) -> dict[str, Item | InnerList]:
    """Parse an RFC 8941 Dictionary; a repeated key keeps its last value, as §4.2.2 says.

    Raises:
        ValueError: the text is too long, not ASCII, or not a Dictionary.
    """
    if len(text) > MAX_FIELD_LENGTH:
        raise ValueError("the field is too long")
    if not text.isascii():
        raise ValueError("the field is not ASCII")
    parsed = SfvDictionary()
    try:
        parsed.parse(text.encode("ascii"))
        return {str(key): _member(member) for key, member in parsed.items()}
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError) as error:
        # http_sfv reports problems as ValueError; the rest are caught defensively, since this
        # parses hostile input and callers only need to know that it does not parse.
        raise ValueError(f"not a structured Dictionary: {error}") from None


def serialize_inner_list(
    items: Sequence[tuple[str, Mapping[str, BareValue]]], params: Mapping[str, BareValue]
) -> str:
    """Serialise strings with parameters as a parameterised Inner List (RFC 8941 §4.1.1.1).

    Raises:
        ValueError: a string or parameter cannot be serialised.
    """
    inner = SfvInnerList()
    for value, item_params in items:
        item = SfvItem(value)
        for name, param in item_params.items():
            item.params[name] = _to_sfv(param)
        inner.append(item)
    for name, param in params.items():
        inner.params[name] = _to_sfv(param)
    return str(inner)


def serialize_byte_sequence(value: bytes) -> str:
    """Serialise bytes as an sf-binary: `:<base64>:`."""
    return str(SfvItem(value))


def _member(member: object) -> Item | InnerList:
    if isinstance(member, SfvInnerList):
        items = tuple(_item(item) for item in member)
        return InnerList(items=items, params=_params(member.params), serialized=str(member))
    return _item(member)


def _item(item: object) -> Item:
    if not isinstance(item, SfvItem):
        raise TypeError(f"unexpected structured value {type(item).__name__}")
    return Item(value=_bare(item.value), params=_params(item.params))


def _params(params: object) -> dict[str, BareValue]:
    if not isinstance(params, dict):
        raise TypeError("parameters are not a mapping")
    return {str(name): _bare(value) for name, value in params.items()}


def _bare(value: object) -> BareValue:
    if isinstance(value, SfvToken):
        return Token(value)
    if isinstance(value, SfvDisplayString):
        return DisplayString(value)
    if isinstance(value, bool | int | Decimal | str | bytes | datetime):
        return value
    raise TypeError(f"unexpected bare value {type(value).__name__}")


def _to_sfv(value: BareValue) -> object:
    if isinstance(value, Token):
        return SfvToken(value)
    if isinstance(value, DisplayString):
        return SfvDisplayString(value)
    return value
