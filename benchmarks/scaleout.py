"""Scale-out on PostgreSQL: several web processes and `hub worker` processes share the queues."""

from pathlib import Path

from benchmarks.bench import KeyPool, Scale
from benchmarks.report import Results


async def run(
    database_url: str,
    folder: Path,
    *,
    scale: Scale,
    results: Results,
    keys: KeyPool,
    peer_port: int,
) -> None:
    """Placeholder until the scale-out run is written."""
    results.notes.append("scale-out: not run yet")
