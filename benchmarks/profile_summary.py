"""Summarise a py-spy raw profile: where the samples are, by function, self and inclusive.

python -m benchmarks.profile_summary PROFILE.txt [--top N]
"""

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

# Threads that only wait (aiosqlite's worker, the thread pool) are left out.
IDLE_FRAMES = ("_connection_worker_thread (aiosqlite/core.py:59)", "_worker (concurrent")


def summarise(path: Path, top: int) -> str:
    """Return the top functions by self and by inclusive samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")
        if not count_text.isdigit() or any(f.startswith(IDLE_FRAMES) for f in frames[-1:]):
            continue
        count = int(count_text)
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples (waiting threads left out)", "", "self:"]
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "inclusive:"]
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the summary of one profile."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_summary")
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=30)
    arguments = parser.parse_args(argv)
    print(summarise(arguments.profile, arguments.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
