"""Posts of the kind Hubs publish, from the project's seed: real titles, summaries, series."""
# ruff: noqa: RUF001 - the seed keeps the typographic quotes the organisations published with

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedPost:
    """A post as an organisation writes it."""

    title: str
    summary: str
    body: str
    tags: tuple[str, ...]
    series: str = ""


OBSERVATORY_7 = SeedPost(
    title="Observatory Sighting #7: Taking stock (part 1/2)",
    summary=(
        "In this, our seventh Observatory Sighting, we begin to take stock of what we’ve learnt "
        "about the response to the outbreak of coronavirus."
    ),
    body=(
        "<p>In the seventh edition of our Observatory Sighting, we begin to take stock of what "
        "we have observed over the past few months.</p>"
    ),
    tags=("observatory", "relationships"),
    series="Observatory Sightings",
)
OBSERVATORY_8 = SeedPost(
    title="Observatory Sighting #8: Taking Stock (part 2/2)",
    summary=(
        "Following on from last week’s Sighting, we continue to take stock of what we’ve "
        "observed over the past few months."
    ),
    body=(
        "<p>In this, our eighth Observatory Sighting, we scratch beneath the surface to reflect "
        "on the changing undercurrents which have driven changes in our behaviour.</p>"
    ),
    tags=("observatory",),
    series="Observatory Sightings",
)
HUDDLE_CRAFT = SeedPost(
    title="Huddle-craft: The power of micro ‘learning communities’ or ‘Huddles’",
    summary=(
        "In this Joining the Dots blog, co-founder of Enrol Yourself and friend of The "
        "Relationships Project Zahra Davidson discusses the power of Huddles; small, "
        "non-hierarchical learning communities who support one another to grow and learn."
    ),
    body="<p>Huddles are small, non-hierarchical learning communities.</p>",
    tags=("learning", "JoiningTheDots"),
    series="Joining the Dots",
)
ON_POWER = SeedPost(
    title="On Power",
    summary=(
        "In this timely contribution to the Joining the Dots series, Hannah Hoare explores the "
        "theme of power and inequality, describing the efforts that The Blue Thread are taking "
        "to redress the power imbalance between funder and grantee."
    ),
    body="<p>Hannah reminds us that power is relational.</p>",
    tags=("power", "JoiningTheDots"),
    series="Joining the Dots",
)
MICRO_CARE = SeedPost(
    title="Micro Care",
    summary=(
        "Are there clues in the pandemic experience for the development of more community "
        "based, relationship centred social care?"
    ),
    body="<p>What would need to change and what support would it require?</p>",
    tags=("care",),
)
SEED_POSTS = (OBSERVATORY_7, OBSERVATORY_8, HUDDLE_CRAFT, ON_POWER, MICRO_CARE)
