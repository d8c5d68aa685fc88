"""RFC 9421 Signature-Input parsing and signature bases, against the RFC and hostile input."""

import pytest

from hub.activitypub.errors import SignatureMalformed
from hub.activitypub.message_signatures import (
    RequestParts,
    build_signature_base,
    parse_message_signature,
    read_message_signature,
)
from hub.activitypub.signature_results import Rejected
from tests.activitypub.rfc9421_vectors import (
    PROXY_SIGNATURE,
    PROXY_SIGNATURE_INPUT,
    RFC_EXAMPLES,
    TEST_REQUEST,
)


@pytest.mark.parametrize("example", list(RFC_EXAMPLES))
def test_signature_base_matches_the_rfc(example: str) -> None:
    signature_input, signature, base = RFC_EXAMPLES[example]
    params = parse_message_signature(signature_input, signature)
    assert build_signature_base(params, TEST_REQUEST) == base


def test_two_signatures_without_a_label_are_malformed() -> None:
    # Mastodon accepts exactly one signature.
    with pytest.raises(SignatureMalformed, match="exactly one"):
        parse_message_signature(PROXY_SIGNATURE_INPUT, PROXY_SIGNATURE)


def test_query_params_are_encoded_as_the_rfc_shows() -> None:
    # §2.2.8
    names = ("var", "bar", "fa%C3%A7ade%22%3A%20")
    components = " ".join(f'"@query-param";name="{name}"' for name in names)
    params = parse_message_signature(f'sig=({components});keyid="k"', "sig=:AAAA:")
    request = RequestParts(
        method="GET",
        target_uri="https://www.example.com/parameters",
        authority="www.example.com",
        path="/parameters",
        query="var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace"
        "&fa%C3%A7ade%22%3A%20=something",
        headers={},
    )
    lines = build_signature_base(params, request).split("\n")[:3]
    assert lines == [
        '"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value',
        '"@query-param";name="bar": with%20plus%20whitespace',
        '"@query-param";name="fa%C3%A7ade%22%3A%20": something',
    ]


HOSTILE_INPUTS = {
    "empty": ("", "sig=:AAAA:"),
    "not-a-dictionary": ("garbage garbage", "sig=:AAAA:"),
    "item-not-inner-list": ('sig="@method";keyid="k"', "sig=:AAAA:"),
    "unterminated": ('sig=("@method";keyid="k"', "sig=:AAAA:"),
    "no-keyid": ('sig=("@method");created=1', "sig=:AAAA:"),
    "keyid-not-string": ('sig=("@method");keyid=1', "sig=:AAAA:"),
    "created-not-integer": ('sig=("@method");keyid="k";created="now"', "sig=:AAAA:"),
    "created-boolean": ('sig=("@method");keyid="k";created', "sig=:AAAA:"),
    "token-component": ('sig=(method);keyid="k"', "sig=:AAAA:"),
    "unknown-derived": ('sig=("@status");keyid="k"', "sig=:AAAA:"),
    "uppercase-field": ('sig=("Date");keyid="k"', "sig=:AAAA:"),
    "component-parameter": ('sig=("example-dict";key="a");keyid="k"', "sig=:AAAA:"),
    "duplicate-component": ('sig=("@method" "@method");keyid="k"', "sig=:AAAA:"),
    "signature-params-covered": ('sig=("@signature-params");keyid="k"', "sig=:AAAA:"),
    "label-mismatch": ('sig=("@method");keyid="k"', "other=:AAAA:"),
    "signature-not-bytes": ('sig=("@method");keyid="k"', 'sig="AAAA"'),
    "signature-empty": ('sig=("@method");keyid="k"', "sig=::"),
    "signature-bad-base64": ('sig=("@method");keyid="k"', "sig=:A*A:"),
    "two-signatures": ('a=("@method");keyid="k", b=("@method");keyid="k"', "a=:AA==:, b=:AA==:"),
    "100-kb": ('sig=("@method");keyid="' + "k" * 100_000 + '"', "sig=:AAAA:"),
    "nul-bytes": ('sig=("@method\x00");keyid="k"', "sig=:AAAA:"),
    "unicode": ('sig=("@method");keyid="ключ"', "sig=:AAAA:"),
    "deep-nesting": ("sig=" + "(" * 5000, "sig=:AAAA:"),
}


@pytest.mark.parametrize(
    ("signature_input", "signature"), list(HOSTILE_INPUTS.values()), ids=list(HOSTILE_INPUTS)
)
def test_hostile_message_signatures_are_malformed(signature_input: str, signature: str) -> None:
    with pytest.raises(SignatureMalformed):
        parse_message_signature(signature_input, signature)
    result = read_message_signature({"signature-input": signature_input, "signature": signature})
    assert isinstance(result, Rejected)
    assert result.reason == "malformed"
