"""What the command line prints: results on stdout, one-line errors on stderr."""

import sys


def say(text: str) -> None:
    """Print a result line on standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def fail(message: str, code: int) -> int:
    """Print one error line on standard error and return the exit code."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    return code


def printable(text: str) -> str:
    """Return remote text fit for one terminal line: controls and line breaks become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
