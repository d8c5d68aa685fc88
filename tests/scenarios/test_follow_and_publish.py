"""Hubs follow each other, publish, and stop receiving after unfollowing."""

from sqlmodel import col, select

from hub.models import Post
from hub.services.actors import create_actor
from hub.services.following import follow, list_followers, list_following, unfollow
from hub.services.publishing import publish
from tests.support.network import Network


async def stored_titles(network: Network, host: str) -> list[str]:
    """Return titles of remote posts the Hub at `host` has stored, oldest first."""
    async with network.hub(host).sessions() as session:
        rows = await session.exec(
            select(Post.title).where(col(Post.is_local).is_(False)).order_by(col(Post.id))
        )
        return list(rows.all())


async def test_follow_publish_unfollow_across_three_hubs(network: Network) -> None:
    alpha, beta, gamma = (network.hub(host) for host in ("alpha.test", "beta.test", "gamma.test"))
    for ctx in (alpha, beta, gamma):
        await create_actor(ctx, "org")

    # Given alpha and gamma follow beta
    await follow(alpha, "org", "@org@beta.test")
    await follow(gamma, "org", "https://beta.test/users/org")
    await network.settle()
    assert [view.state for view in await list_following(alpha, "org")] == ["accepted"]
    followers = {view.ap_id for view in await list_followers(beta, "org")}
    assert followers == {"https://alpha.test/users/org", "https://gamma.test/users/org"}

    # When beta publishes, both followers store the post
    await publish(beta, "org", title="Observatory Sighting #7", summary="Taking stock",
                  body_markdown="What we *learnt*.", tags=["observatory"])  # fmt: skip
    await network.settle()
    assert await stored_titles(network, "alpha.test") == ["Observatory Sighting #7"]
    assert await stored_titles(network, "gamma.test") == ["Observatory Sighting #7"]

    # When alpha unfollows, beta's next post reaches gamma only
    await unfollow(alpha, "org", "@org@beta.test")
    await network.settle()
    assert {view.ap_id for view in await list_followers(beta, "org")} == {
        "https://gamma.test/users/org"
    }
    await publish(beta, "org", title="Observatory Sighting #8", summary="", body_markdown="More.")
    await network.settle()
    assert await stored_titles(network, "alpha.test") == ["Observatory Sighting #7"]
    assert await stored_titles(network, "gamma.test") == [
        "Observatory Sighting #7",
        "Observatory Sighting #8",
    ]
