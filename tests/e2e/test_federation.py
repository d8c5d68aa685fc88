"""Three real `hub serve` processes federate over loopback sockets, and survive an outage."""

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from hub.db import create_engine, create_session_factory
from hub.models import Post
from tests.e2e.servers import HubProcess, running_hubs

# Three Hubs and a `hub` command per check: each command is a fresh Python process, which
# a busy machine slows to seconds.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

DELIVERY_WAIT_SECONDS = 90.0


async def _remote_titles(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            statement = select(Post.title).where(col(Post.is_local).is_(False))
            rows = await session.exec(statement.order_by(col(Post.id)))
            return list(rows.all())
    finally:
        await engine.dispose()


def remote_titles(hub: HubProcess) -> list[str]:
    """Return the titles of remote posts a Hub has stored."""
    return asyncio.run(_remote_titles(hub.database_url))


def wait_for(check: Callable[[], bool], what: str) -> None:
    """Wait (bounded) until `check()` holds; deliveries cross real processes and queues."""
    deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def hubs(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[list[HubProcess]]:
    """Three initialised, running Hubs: alpha, beta and gamma."""
    with running_hubs(request, backend, tmp_path, ("alpha", "beta", "gamma")) as started:
        yield started


def test_follow_publish_outage_and_unfollow_over_sockets(
    hubs: list[HubProcess], tmp_path: Path
) -> None:
    alpha, beta, gamma = hubs
    # Given alpha and gamma follow beta's organisation
    for follower in (alpha, gamma):
        follower.hub("follow", "--as", "org", f"@org@{beta.host}")
    wait_for(lambda: beta.hub("followers", "org").count("accepted") == 2, "both follows accepted")
    assert "accepted" in alpha.hub("following", "org")

    # When beta publishes, both store the post
    post = tmp_path / "post.md"
    post.write_text("---\ntitle: Sighting one\nsummary: First\ntags: [observatory]\n---\nBody\n")
    assert beta.hub("post", "--as", "org", str(post)).startswith(beta.base_url)
    wait_for(lambda: remote_titles(alpha) == ["Sighting one"], "alpha to store the post")
    wait_for(lambda: remote_titles(gamma) == ["Sighting one"], "gamma to store the post")

    # When gamma is down during a fan-out, it still gets the post once it is back
    gamma.stop()
    post.write_text("---\ntitle: Sighting two\n---\nBody\n")
    beta.hub("post", "--as", "org", str(post))
    wait_for(lambda: "Sighting two" in remote_titles(alpha), "alpha to store the second post")
    wait_for(lambda: "retrying" in beta.hub("status"), "beta to schedule a retry for gamma")
    gamma.start()
    wait_for(
        lambda: remote_titles(gamma) == ["Sighting one", "Sighting two"],
        "gamma to receive the post after its outage",
    )

    # When alpha unfollows, beta's next post reaches gamma only
    alpha.hub("unfollow", "--as", "org", f"@org@{beta.host}")
    wait_for(lambda: beta.hub("followers", "org").count("accepted") == 1, "the unfollow")
    post.write_text("---\ntitle: Sighting three\n---\nBody\n")
    beta.hub("post", "--as", "org", str(post))
    wait_for(lambda: "Sighting three" in remote_titles(gamma), "gamma to store the third post")
    assert remote_titles(alpha) == ["Sighting one", "Sighting two"]
