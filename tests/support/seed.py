"""Posts of the kind Hubs publish, from the project's seed (the demo posts of `hub demo`)."""

from dataclasses import dataclass

from hub.services.demo import DEMO_POSTS
from hub.services.markdown import render_markdown


@dataclass(frozen=True)
class SeedPost:
    """A post as an organisation writes it, its body rendered as the Hub stores it."""

    title: str
    summary: str
    body: str
    tags: tuple[str, ...]
    series: str = ""


SEED_POSTS = tuple(
    SeedPost(
        title=values.title,
        summary=values.summary,
        body=render_markdown(values.body_markdown),
        tags=values.tags,
        series=values.series,
    )
    for values in DEMO_POSTS
)
OBSERVATORY_7, OBSERVATORY_8, HUDDLE_CRAFT, ON_POWER, MICRO_CARE = SEED_POSTS
