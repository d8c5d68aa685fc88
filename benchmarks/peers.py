"""Many remote servers on loopback: actor documents with keys, and inboxes that verify and count.

Each remote server is a distinct loopback address (127.x.y.z) on one shared port, so the Hub
sees distinct hosts and its fan-out makes one delivery per inbox. All of them are served by
one asyncio server in the benchmark process.
"""

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from benchmarks import http1
from hub.activitypub.jsonld import ACTIVITY_JSON, ACTOR_CONTEXT, AS_CONTEXT, PUBLIC
from hub.activitypub.keys import load_public_key
from hub.activitypub.signature_results import Verified
from hub.activitypub.signatures import sign_request, verify_request


def loopback_hosts(network: int, count: int) -> list[str]:
    """Return `count` distinct addresses 127.network.y.z (z from 1 to 250)."""
    return [f"127.{network}.{index // 250}.{index % 250 + 1}" for index in range(count)]


@dataclass(frozen=True)
class RemoteActor:
    """An account on one of the played servers, signing with a key from a small pool."""

    authority: str
    name: str
    private_key: rsa.RSAPrivateKey
    public_pem: str
    uses_shared_inbox: bool = False

    @property
    def ap_id(self) -> str:
        """Return the actor's id."""
        return f"http://{self.authority}/users/{self.name}"

    @property
    def key_id(self) -> str:
        """Return the id of the actor's key."""
        return f"{self.ap_id}#main-key"

    @property
    def inbox_url(self) -> str:
        """Return the actor's own inbox."""
        return f"{self.ap_id}/inbox"

    @property
    def shared_inbox_url(self) -> str:
        """Return the server's shared inbox."""
        return f"http://{self.authority}/inbox"

    def document(self) -> dict[str, Any]:
        """Return the actor document the server publishes."""
        document: dict[str, Any] = {
            "@context": ACTOR_CONTEXT,
            "id": self.ap_id,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name,
            "inbox": self.inbox_url,
            "outbox": f"{self.ap_id}/outbox",
            "followers": f"{self.ap_id}/followers",
            "following": f"{self.ap_id}/following",
            "url": f"http://{self.authority}/@{self.name}",
            "publicKey": {"id": self.key_id, "owner": self.ap_id, "publicKeyPem": self.public_pem},
        }
        if self.uses_shared_inbox:
            document["endpoints"] = {"sharedInbox": self.shared_inbox_url}
        return document

    def signed_post(self, hub_authority: str, path: str, activity: dict[str, Any]) -> bytes:
        """Return a POST of `activity` to the Hub, signed now as Mastodon signs it."""
        body = json.dumps(activity, separators=(",", ":")).encode()
        signed = sign_request(
            method="POST",
            url_path_with_query=path,
            host=hub_authority,
            headers={"content-type": ACTIVITY_JSON},
            body=body,
            private_key=self.private_key,
            key_id=self.key_id,
            now=datetime.now(UTC),
        )
        headers = {"Content-Type": ACTIVITY_JSON}
        headers |= {name.title(): value for name, value in signed.items() if name != "host"}
        return http1.build_request("POST", path, hub_authority, headers, body)

    def create_note(self, followers_of: str) -> dict[str, Any]:
        """Return a new public Create(Note) by this actor."""
        note_id = f"{self.ap_id}/statuses/{uuid.uuid4().hex}"
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        note = {
            "id": note_id,
            "type": "Note",
            "attributedTo": self.ap_id,
            "content": "<p>Swifts are back over the allotments this morning.</p>",
            "published": now,
            "to": [PUBLIC],
            "cc": [f"{self.ap_id}/followers"],
            "url": note_id,
        }
        return {
            "@context": AS_CONTEXT,
            "id": f"{note_id}/activity",
            "type": "Create",
            "actor": self.ap_id,
            "published": now,
            "to": [PUBLIC],
            "cc": [f"{self.ap_id}/followers", followers_of],
            "object": note,
        }

    def follow(self, target: str) -> dict[str, Any]:
        """Return a new Follow of `target` by this actor."""
        return {
            "@context": AS_CONTEXT,
            "id": f"{self.ap_id}/follows/{uuid.uuid4().hex}",
            "type": "Follow",
            "actor": self.ap_id,
            "object": target,
        }


@dataclass
class Received:
    """What the played inboxes received."""

    by_delivery: Counter[tuple[str, str]] = field(default_factory=Counter)
    rejected: int = 0
    first_at: float | None = None
    last_at: float | None = None

    def deliveries_of(self, activity_id: str) -> Counter[str]:
        """Return how many times each inbox received `activity_id`."""
        return Counter(
            {
                inbox: n
                for (inbox, activity), n in self.by_delivery.items()
                if activity == activity_id
            }
        )


class Fediverse:
    """The played remote servers: their actors, and every delivery they received."""

    def __init__(self, port: int, hub_address: tuple[str, int]) -> None:
        self.port = port
        self.hub_address = hub_address
        self.actors: dict[str, RemoteActor] = {}
        self.received = Received()
        self._hub_keys: dict[str, PublicKeyTypes] = {}
        self._servers: list[asyncio.Server] = []
        self.expected: int | None = None
        self.all_arrived = asyncio.Event()
        self._milestone: tuple[int, asyncio.Event] | None = None

    def authority(self, address: str) -> str:
        """Return `address:port`, a played server's host as the Hub sees it."""
        return f"{address}:{self.port}"

    def add(self, actor: RemoteActor) -> None:
        """Publish an actor on its server."""
        self.actors[actor.ap_id] = actor

    async def listen(self, addresses: list[str]) -> None:
        """Start answering on these loopback addresses."""
        for start in range(0, len(addresses), 1000):
            server = await asyncio.start_server(
                self._connected, host=addresses[start : start + 1000], port=self.port,
                reuse_address=True, backlog=256,
            )  # fmt: skip
            self._servers.append(server)

    async def close(self) -> None:
        """Stop every server."""
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    def expect(self, count: int) -> None:
        """Start counting anew; `all_arrived` is set once `count` deliveries came in."""
        self.received = Received()
        self.expected = count
        self.all_arrived = asyncio.Event()

    async def wait_for_deliveries(self, count: int) -> None:
        """Return once `count` deliveries have arrived since `expect`."""
        event = asyncio.Event()
        self._milestone = (count, event)
        if self.received.by_delivery.total() < count:
            await event.wait()
        self._milestone = None

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await http1.serve_connection(reader, writer, self._handle)

    async def _handle(self, request: http1.Request) -> http1.Response:
        authority = request.headers.get("host", "")
        url = f"http://{authority}{request.path}"
        if request.method == "GET":
            actor = self.actors.get(url)
            if actor is None:
                return http1.Response(404, b"{}")
            return http1.Response(200, json.dumps(actor.document()).encode())
        if request.method == "POST" and request.path.endswith("/inbox"):
            return await self._receive(url, request)
        return http1.Response(404, b"{}")

    async def _receive(self, inbox_url: str, request: http1.Request) -> http1.Response:
        key_id = request.headers.get("signature", "").partition('keyId="')[2].partition('"')[0]
        key = self._hub_keys.get(key_id) or await self._fetch_hub_key(key_id)
        verdict = verify_request(
            method="POST", path=request.path, query=request.query, headers=request.headers,
            body=request.body, public_key=key, now=datetime.now(UTC),
        )  # fmt: skip
        if not isinstance(verdict, Verified):
            self.received.rejected += 1
            return http1.Response(401, b'{"error":"signature"}')
        activity_id = str(json.loads(request.body).get("id"))
        now = time.time()
        received = self.received
        received.by_delivery[(inbox_url, activity_id)] += 1
        received.first_at = received.first_at or now
        received.last_at = now
        total = received.by_delivery.total()
        if self.expected is not None and total >= self.expected:
            self.all_arrived.set()
        if self._milestone is not None and total >= self._milestone[0]:
            self._milestone[1].set()
        return http1.Response(202)

    async def _fetch_hub_key(self, key_id: str) -> PublicKeyTypes:
        host, port = self.hub_address
        path = key_id.split("#", 1)[0].split(f"{host}:{port}", 1)[1]
        request = http1.build_request("GET", path, f"{host}:{port}", {"Accept": ACTIVITY_JSON})
        status, body = await http1.fetch(host, port, request)
        if status != 200:
            raise RuntimeError(f"cannot fetch the Hub's key {key_id}: {status}")
        key = load_public_key(json.loads(body)["publicKey"]["publicKeyPem"])
        self._hub_keys[key_id] = key
        return key
