"""A throwaway PostgreSQL cluster made with initdb/pg_ctl in a temporary folder."""

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")


def postgres_available() -> bool:
    """Return whether the PostgreSQL server binaries are on PATH."""
    return all(shutil.which(binary) for binary in SERVER_BINARIES)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresCluster:
    """One cluster on a loopback port, run as the `postgres` user when we are root."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="hub-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root; the Debian package leaves a postgres user behind.
            shutil.chown(self.folder, user="postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self._as_user, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.folder,
        )

    def start(self) -> None:
        """Create the cluster and start the server; trust auth on loopback only."""
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.folder / "server.log"), "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server and remove the folder."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        """Return the SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement in the `postgres` database (CREATE DATABASE cannot be in a tx)."""

        async def run() -> None:
            connection = await asyncpg.connect(
                host="127.0.0.1", port=self.port, user="postgres", database="postgres"
            )
            try:
                await connection.execute(sql)
            finally:
                await connection.close()

        asyncio.run(run())


@contextlib.contextmanager
def running_cluster() -> Iterator[PostgresCluster]:
    """Start a cluster for the duration of the block."""
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
