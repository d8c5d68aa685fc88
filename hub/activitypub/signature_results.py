"""Verification results and Mastodon's time window, shared by both HTTP signature schemes."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

RejectReason = Literal[
    "missing",
    "malformed",
    "unsupported_algorithm",
    "missing_required_header",
    "digest_mismatch",
    "expired",
    "invalid",
]

# Mastodon's window (app/controllers/concerns/signature_verification.rb, since 3.3): a signature
# may be made up to CLOCK_SKEW in the future; it is good until its `expires` (or created +
# DEFAULT_VALIDITY when there is none, never past created + MAX_VALIDITY), plus CLOCK_SKEW.
# With only a Date header that comes to Date within -65 min / +60 min of our clock.
CLOCK_SKEW = timedelta(hours=1)
DEFAULT_VALIDITY = timedelta(minutes=5)
MAX_VALIDITY = timedelta(hours=12)


@dataclass(frozen=True)
class Verified:
    """The signature verifies with the key named by `key_id`."""

    key_id: str


@dataclass(frozen=True)
class Rejected:
    """Why a signature does not verify; `detail` is safe to show the sender."""

    reason: RejectReason
    detail: str


def check_time_window(created: int, expires: int | None, now: datetime) -> Rejected | None:
    """Apply Mastodon's window to Unix times `created`/`expires`; None when inside it.

    Integer arithmetic on purpose: a hostile `created=999999999999` must not overflow datetime.

    Raises:
        ValueError: `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now_seconds = int(now.timestamp())
    skew = int(CLOCK_SKEW.total_seconds())
    if created > now_seconds + skew:
        return Rejected("expired", "the signature was made more than an hour in the future")
    valid_until = (
        expires if expires is not None else created + int(DEFAULT_VALIDITY.total_seconds())
    )
    valid_until = min(valid_until, created + int(MAX_VALIDITY.total_seconds()))
    if now_seconds >= valid_until + skew:
        return Rejected("expired", "signed request date outside acceptable time window")
    return None
