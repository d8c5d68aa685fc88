"""`hub demo` fills a fresh Hub with the seed's posts, once."""

import pytest

from hub.context import HubContext
from hub.services.actors import create_actor, get_local_actor
from hub.services.demo import DEMO_POSTS, publish_demo_posts
from hub.services.errors import Conflict
from hub.services.timeline import latest_posts, series_posts, tag_posts


async def test_demo_posts_fill_home_tag_and_series_pages(ctx: HubContext) -> None:
    await create_actor(ctx, "org", display_name="The Relationships Project")
    published = await publish_demo_posts(ctx, "org")
    assert [post.state for post in published] == ["published"] * len(DEMO_POSTS)
    home = await latest_posts(ctx)
    assert [post.title for post in home.posts] == [values.title for values in DEMO_POSTS[::-1]]
    assert all(post.summary for post in home.posts)
    joining = await tag_posts(ctx, "joiningthedots")
    assert [post.title for post in joining.posts] == ["On Power", DEMO_POSTS[2].title]
    org = await get_local_actor(ctx, "org")
    sightings = await series_posts(ctx, org, "observatory-sightings")
    assert sightings.name == "Observatory Sightings"
    assert len(sightings.page.posts) == 2


async def test_demo_refuses_an_actor_that_has_posts(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    await publish_demo_posts(ctx, "org")
    with pytest.raises(Conflict):
        await publish_demo_posts(ctx, "org")
