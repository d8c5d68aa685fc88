"""Example posts for a fresh Hub, from the kind of writing Hubs publish (`hub demo`).

Titles, "In brief" summaries and series come from The Relationships Project's published
posts, so a new Hub's pages, feeds and Mastodon previews can be seen with realistic content.
"""
# ruff: noqa: RUF001 - the posts keep the typographic quotes they were published with

from hub.context import HubContext
from hub.services.actors import get_local_actor
from hub.services.errors import Conflict
from hub.services.publishing import PostInput, Published, publish_post
from hub.services.timeline import actor_posts

# Oldest first: they are published in this order.
DEMO_POSTS: tuple[PostInput, ...] = (
    PostInput(
        title="Observatory Sighting #7: Taking stock (part 1/2)",
        summary=(
            "In this, our seventh Observatory Sighting, we begin to take stock of what we’ve "
            "learnt about the response to the outbreak of coronavirus."
        ),
        body_markdown=(
            "In the seventh edition of our Observatory Sighting, we begin to take stock of "
            "what we have observed over the past few months.\n\n"
            "Neighbours who had never spoken now keep in touch; mutual aid groups became "
            "the first place many people turned to."
        ),
        tags=("observatory", "relationships"),
        series="Observatory Sightings",
        language="en",
    ),
    PostInput(
        title="Observatory Sighting #8: Taking Stock (part 2/2)",
        summary=(
            "Following on from last week’s Sighting, we continue to take stock of what we’ve "
            "observed over the past few months."
        ),
        body_markdown=(
            "In this, our eighth Observatory Sighting, we scratch beneath the surface to "
            "reflect on the changing undercurrents which have driven changes in our behaviour."
        ),
        tags=("observatory",),
        series="Observatory Sightings",
        language="en",
    ),
    PostInput(
        title="Huddle-craft: The power of micro ‘learning communities’ or ‘Huddles’",
        summary=(
            "In this Joining the Dots blog, co-founder of Enrol Yourself and friend of The "
            "Relationships Project Zahra Davidson discusses the power of Huddles; small, "
            "non-hierarchical learning communities who support one another to grow and learn."
        ),
        body_markdown=(
            "Huddles are small, non-hierarchical learning communities. Their members support "
            "one another to grow and learn, *together*."
        ),
        tags=("learning", "JoiningTheDots"),
        series="Joining the Dots",
        language="en",
    ),
    PostInput(
        title="On Power",
        summary=(
            "In this timely contribution to the Joining the Dots series, Hannah Hoare explores "
            "the theme of power and inequality, describing the efforts that The Blue Thread "
            "are taking to redress the power imbalance between funder and grantee."
        ),
        body_markdown="Hannah reminds us that power is relational.",
        tags=("power", "JoiningTheDots"),
        series="Joining the Dots",
        language="en",
    ),
    PostInput(
        title="Micro Care",
        summary=(
            "Are there clues in the pandemic experience for the development of more community "
            "based, relationship centred social care?"
        ),
        body_markdown="What would need to change, and what support would it require?",
        tags=("care",),
        language="en",
    ),
)


async def publish_demo_posts(ctx: HubContext, actor_name: str) -> list[Published]:
    """Publish the demo posts as one of our actors, oldest first.

    They federate like any post, so use this on a Hub that nobody follows yet.

    Raises:
        NotFound: no such actor.
        Conflict: the actor has posts already (the demo is for a fresh Hub).
    """
    actor = await get_local_actor(ctx, actor_name)
    if (await actor_posts(ctx, actor, limit=1)).posts:
        raise Conflict(f"@{actor.username} has posts already; the demo is for a fresh Hub")
    return [await publish_post(ctx, actor.username, values) for values in DEMO_POSTS]
