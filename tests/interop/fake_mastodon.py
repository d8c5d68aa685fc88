"""A fake Mastodon server for in-process tests: serves actors, signs what it sends, records inboxes.

It answers WebFinger and GETs of the documents it was given (actors, posts), keeps each
actor's RSA key, signs its deliveries the way Mastodon does, and records every request Hub
makes to it (deliveries and fetches) with the verdict of its own signature check.
"""

import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from hub.activitypub.keys import load_private_key, public_pem_of
from hub.clock import Clock
from tests.interop.mastodon_signatures import (
    Verdict,
    mastodon_signed_headers,
    rfc9421_signed_headers,
    verify_request,
)
from tests.support.keys import KeyPool

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mastodon"
# The one id the fixtures use for "a post on the receiving server"; tests put a real one in.
FIXTURE_POST = "https://example.com/users/org/posts/380590"
AP_HEADERS = {"content-type": "application/activity+json; charset=utf-8"}


def load_fixture(name: str, replacements: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return a captured Mastodon document, with whole-string id replacements applied."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in (replacements or {}).items():
        text = text.replace(json.dumps(old), json.dumps(new))
    document: dict[str, Any] = json.loads(text)
    return document


def load_payload(name: str, post_id: str = FIXTURE_POST) -> dict[str, Any]:
    """Return a fixture activity with the receiving server's post id replaced by `post_id`."""
    return load_fixture(name, {FIXTURE_POST: post_id})


@dataclass(frozen=True)
class Received:
    """One request Hub made to the fake server, and what the fake made of its signature."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    verdict: Verdict

    def json(self) -> dict[str, Any]:
        """Return the JSON body of a delivery."""
        document: dict[str, Any] = json.loads(self.body)
        return document


@dataclass
class FakeActor:
    """An actor the fake serves, with the private key it signs with."""

    ap_id: str
    private_key: rsa.RSAPrivateKey
    document: dict[str, Any]

    @property
    def key_id(self) -> str:
        """Return the id of the actor's (first) public key."""
        return str(self.document["publicKey"]["id"])

    @property
    def inbox(self) -> str:
        """Return the actor's personal inbox."""
        return str(self.document["inbox"])


@dataclass
class FakeMastodon:
    """The fake server; attach it to one or more hosts of a FakeInternet."""

    transport: httpx.AsyncBaseTransport
    clock: Clock
    key_pool: KeyPool
    actors: dict[str, FakeActor] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    inbox_answers: dict[str, deque[int]] = field(default_factory=dict)
    _hub_keys: dict[str, str] = field(default_factory=dict)

    # --- what it serves ------------------------------------------------------------------

    def add_actor(self, document: dict[str, Any]) -> FakeActor:
        """Serve an actor document with a fresh key of ours in place of the captured one."""
        private_pem = self.key_pool().private_pem
        private_key = load_private_key(private_pem)
        served = json.loads(json.dumps(document))
        if "publicKey" in served:
            served["publicKey"]["publicKeyPem"] = public_pem_of(private_key)
        actor = FakeActor(ap_id=served["id"], private_key=private_key, document=served)
        self.actors[actor.ap_id] = actor
        self.documents[actor.ap_id] = served
        return actor

    def replace_actor(self, document: dict[str, Any]) -> FakeActor:
        """Serve a new version of a known actor (same key unless the document changes it)."""
        actor = self.actors[document["id"]]
        served = json.loads(json.dumps(document))
        served["publicKey"]["publicKeyPem"] = actor.document["publicKey"]["publicKeyPem"]
        actor.document = served
        self.documents[actor.ap_id] = served
        return actor

    def rotate_key(self, actor: FakeActor) -> None:
        """Give an actor a new key pair and publish it (Hub's cached key is now stale)."""
        actor.private_key = load_private_key(self.key_pool().private_pem)
        actor.document["publicKey"]["publicKeyPem"] = public_pem_of(actor.private_key)

    def serve(self, document: dict[str, Any]) -> None:
        """Serve any document (a post, a collection) at its id."""
        self.documents[document["id"]] = document

    def forget(self, url: str) -> None:
        """Stop serving a document: it answers 404 from now on."""
        self.documents.pop(url, None)

    def answer_inbox(self, inbox_url: str, *statuses: int) -> None:
        """Answer POSTs to an inbox with these statuses in turn; the last one repeats."""
        self.inbox_answers[inbox_url] = deque(statuses)

    # --- what it sends -------------------------------------------------------------------

    async def post(
        self,
        activity: dict[str, Any] | bytes,
        *,
        inbox: str,
        signer: FakeActor,
        key_id: str | None = None,
        signed_at: datetime | None = None,
        unsigned: bool = False,
        **variant: Any,
    ) -> httpx.Response:
        """Deliver an activity to an inbox, signed as Mastodon signs (or a checklist variant).

        `variant` goes to `mastodon_signed_headers` (header order, algorithm, digest…);
        `signed_at` backdates the signature; `unsigned` sends it with no signature at all.
        """
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        headers = mastodon_signed_headers(
            method="POST",
            url=inbox,
            body=body,
            key_id=key_id or signer.key_id,
            private_key=signer.private_key,
            now=signed_at or self.clock(),
            **variant,
        )
        if unsigned:
            del headers["signature"]
        async with httpx.AsyncClient(transport=self.transport) as http:
            return await http.post(inbox, content=body, headers=headers)

    async def post_rfc9421(
        self, activity: dict[str, Any], *, inbox: str, signer: FakeActor
    ) -> httpx.Response:
        """Deliver an activity signed with an RFC 9421 message signature."""
        body = json.dumps(activity).encode()
        headers = rfc9421_signed_headers(
            url=inbox, body=body, key_id=signer.key_id, private_key=signer.private_key,
            now=self.clock(),
        )  # fmt: skip
        async with httpx.AsyncClient(transport=self.transport) as http:
            return await http.post(inbox, content=body, headers=headers)

    async def get(
        self, url: str, *, accept: str = "application/activity+json", signer: FakeActor | None
    ) -> httpx.Response:
        """GET a URL as Mastodon fetches: signed by `signer` (its instance actor) or unsigned."""
        headers = {"accept": accept}
        if signer is not None:
            headers = mastodon_signed_headers(
                method="GET", url=url, body=None, key_id=signer.key_id,
                private_key=signer.private_key, now=self.clock(),
                extra_headers={"accept": accept},
            )  # fmt: skip
        async with httpx.AsyncClient(transport=self.transport) as http:
            return await http.get(url, headers=headers)

    # --- what it received ----------------------------------------------------------------

    def deliveries(self, kind: str | None = None, *, inbox: str | None = None) -> list[Received]:
        """Return the POSTs received (of one activity type, to one inbox), oldest first."""
        found = [r for r in self.received if r.method == "POST"]
        if inbox is not None:
            found = [r for r in found if r.url == inbox]
        if kind is not None:
            found = [r for r in found if r.json().get("type") == kind]
        return found

    def fetches(self) -> list[Received]:
        """Return the GETs Hub made to the fake server."""
        return [r for r in self.received if r.method == "GET"]

    # --- the ASGI app --------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        body = await request.body()
        url = str(request.url)
        headers = {name.lower(): value for name, value in request.headers.items()}
        verdict = await self._verify(request.method, request.url.path, request, headers, body)
        self.received.append(Received(request.method, url, headers, body, verdict))
        if request.method == "POST":
            answers = self.inbox_answers.get(url)
            status = 202
            if answers:
                status = answers.popleft() if len(answers) > 1 else answers[0]
            return Response(status_code=status)
        if request.url.path == "/.well-known/webfinger":
            return self._webfinger(request)
        document = self.documents.get(url.split("#", 1)[0])
        if document is None:
            return JSONResponse({"error": "Record not found"}, status_code=404)
        return Response(json.dumps(document), headers=AP_HEADERS)

    def _webfinger(self, request: Request) -> Response:
        resource = request.query_params.get("resource", "").removeprefix("acct:")
        for actor in self.actors.values():
            username = actor.document.get("preferredUsername")
            if f"{username}@{urlsplit(actor.ap_id).netloc}" == resource:
                return JSONResponse(
                    {
                        "subject": f"acct:{resource}",
                        "aliases": [actor.ap_id],
                        "links": [
                            {
                                "rel": "self",
                                "type": "application/activity+json",
                                "href": actor.ap_id,
                            }
                        ],
                    },
                    media_type="application/jrd+json",
                )
        return Response(status_code=404)

    async def _verify(
        self, method: str, path: str, request: Request, headers: dict[str, str], body: bytes
    ) -> Verdict:
        target = path + (f"?{request.url.query}" if request.url.query else "")
        key_id = _key_id(headers)
        pem = await self._hub_key(key_id) if key_id else None
        return verify_request(
            method=method, target=target, headers=headers, body=body, public_key_pem=pem,
            now=self.clock(),
        )  # fmt: skip

    async def _hub_key(self, key_id: str) -> str | None:
        """Fetch the signer's key from its actor document, as Mastodon does (cached)."""
        if key_id in self._hub_keys:
            return self._hub_keys[key_id]
        async with httpx.AsyncClient(transport=self.transport) as http:
            response = await http.get(
                key_id.split("#", 1)[0], headers={"accept": "application/activity+json"}
            )
        if response.status_code != 200:
            return None
        key = response.json().get("publicKey", {})
        if key.get("id") != key_id:
            return None
        self._hub_keys[key_id] = str(key["publicKeyPem"])
        return self._hub_keys[key_id]


def _key_id(headers: Mapping[str, str]) -> str | None:
    signature = headers.get("signature", "")
    marker = 'keyId="'
    if marker not in signature:
        return None
    return signature.split(marker, 1)[1].split('"', 1)[0]


def types_of(received: Iterable[Received]) -> list[str]:
    """Return the activity types of some deliveries, in order."""
    return [str(item.json().get("type")) for item in received]


def parse_http_date(value: str) -> datetime:
    """Parse a Date header (for assertions on what Hub sent)."""
    return parsedate_to_datetime(value)
