"""What every scenario shares: the Hub under test, the played fediverse, counts and results."""

import asyncio
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.hubproc import HubServer, pin
from benchmarks.peers import Fediverse, RemoteActor
from benchmarks.report import Results
from hub.activitypub.keys import public_pem_of
from hub.config import Settings, load_settings
from hub.context import HubContext
from hub.federation.jobs import JobModel
from hub.services.runtime import build_context

KEY_POOL_SIZE = 4


@dataclass(frozen=True)
class Scale:
    """How much work each scenario does: the targets' counts unless a smaller scale is asked."""

    inbox_notes: int = 5000
    inbox_actors: int = 100
    inbox_concurrency: int = 16
    inbox_repeats: int = 3
    first_contacts: int = 1000
    fanout_small: int = 1000
    fanout_large: int = 10000
    shared_followers: int = 10000
    shared_inboxes: int = 100
    read_requests: int = 1000
    growth_sizes: tuple[int, ...] = (1_000, 100_000, 1_000_000)
    growth_samples: int = 100
    repeats: int = 3
    large_repeats: int = 1
    scaleout_deliveries: int = 10000
    scaleout_inbox_notes: int = 3000
    scaleout_repeats: int = 2

    @classmethod
    def standard(cls) -> "Scale":
        """Return the scale of `make bench`: every scenario, the whole run within 10 minutes.

        The counts are what fits on a 2-core machine; the 1,000-inbox fan-out and the
        shared-inbox fan-out keep the full counts.
        """
        return cls(
            inbox_notes=500, inbox_repeats=2, first_contacts=100, fanout_large=2000,
            read_requests=500, growth_sizes=(1_000, 100_000), growth_samples=50,
            scaleout_deliveries=2000, scaleout_inbox_notes=500, scaleout_repeats=1,
        )  # fmt: skip

    @classmethod
    def quick(cls) -> "Scale":
        """Return a scale for a run of a minute or two while developing."""
        return cls(
            inbox_notes=1000, inbox_actors=20, inbox_repeats=2, first_contacts=200,
            fanout_small=200, fanout_large=1000, shared_followers=1000, shared_inboxes=20,
            read_requests=500, growth_sizes=(1_000, 20_000), growth_samples=50, repeats=2,
            scaleout_deliveries=1000, scaleout_inbox_notes=1000, scaleout_repeats=1,
        )  # fmt: skip


@dataclass
class KeyPool:
    """A few RSA-2048 keys shared by the played actors: key generation is slow."""

    keys: list[rsa.RSAPrivateKey] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keys = [
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            for _ in range(KEY_POOL_SIZE)
        ]
        self.pems = [public_pem_of(key) for key in self.keys]

    def actor(self, authority: str, name: str, index: int, *, shared: bool = False) -> RemoteActor:
        """Return a played actor signing with one of the pool's keys."""
        slot = index % len(self.keys)
        return RemoteActor(authority, name, self.keys[slot], self.pems[slot], shared)


@dataclass
class Bench:
    """One backend's run: the Hub, its database, the played fediverse and the results."""

    backend: str
    hub: HubServer
    fediverse: Fediverse
    scale: Scale
    results: Results
    keys: KeyPool
    load_cores: Collection[int] | None
    server_cores: Collection[int] | None
    settings: Settings = field(init=False)
    ctx: HubContext = field(init=False)

    def __post_init__(self) -> None:
        self.settings = load_settings(
            {"HUB_LOG_LEVEL": "WARNING"}, config_path=str(self.hub.config)
        )
        self.ctx = build_context(self.settings)

    @property
    def engine(self) -> AsyncEngine:
        """Return the benchmark's own engine on the Hub's database."""
        return self.ctx.engine

    def add(self, section: str, measure: str, value: str, **kwargs: object) -> None:
        """Record a result for this backend."""
        self.results.add(section, measure, self.backend, value, **kwargs)  # type: ignore[arg-type]  # target/met keywords

    async def scalar(self, sql: str, **parameters: object) -> object:
        """Return the first column of the first row of a query on the Hub's database."""
        async with self.engine.connect() as connection:
            return (await connection.execute(sa.text(sql), parameters)).scalar()

    async def wait_until_idle(self, model: JobModel, limit_seconds: float = 300.0) -> float:
        """Wait until no job of `model` is due and unfinished; return when (time.time()).

        Jobs put off for a later retry do not count: the wait is for the work at hand.
        """
        table = sa.inspect(model).local_table
        assert isinstance(table, sa.Table)
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            statement = sa.select(sa.func.count()).where(
                table.c.state.in_(("queued", "running")),
                table.c.next_attempt_at <= self.ctx.clock(),
            )
            async with self.engine.connect() as connection:
                pending = (await connection.execute(statement)).scalar_one()
            if pending == 0:
                return time.time()
            await asyncio.sleep(0.05)
        raise TimeoutError(f"{table.name} still busy after {limit_seconds} s")

    def signing_floor(self, signatures: int, sample: int = 500) -> float:
        """Return the time for `signatures` RSA-2048 signatures on the server's cores."""
        key = self.keys.keys[0]
        message = b"(request-target): post /inbox\nhost: 127.0.0.1\ndate: x\ndigest: y" * 2
        pin(self.server_cores)
        try:
            started = time.perf_counter()
            for _ in range(sample):
                key.sign(message, padding.PKCS1v15(), hashes.SHA256())
            per_signature = (time.perf_counter() - started) / sample
        finally:
            pin(self.load_cores)
        return per_signature * signatures

    async def close(self) -> None:
        """Release the benchmark's connections."""
        await self.ctx.close()


def load_average() -> str:
    """Return the 1-minute load average, to print next to every run."""
    return f"{os.getloadavg()[0]:.2f}"
