"""`hub demo`: fill a fresh Hub with example posts to see its pages and feeds."""

import argparse
from typing import Any

from hub.cli.output import say
from hub.config import Settings
from hub.services.demo import publish_demo_posts
from hub.services.runtime import opened_context
from hub.services.setup import prepare_database


def register(commands: "argparse._SubParsersAction[Any]") -> None:
    """Add the `demo` command to the parser."""
    demo = commands.add_parser(
        "demo", help="publish a few example posts on a fresh Hub (to see its pages and feeds)"
    )
    demo.add_argument("--as", dest="actor", default="org", help="our actor's name (default: org)")
    demo.set_defaults(handler=run_demo)


async def run_demo(arguments: argparse.Namespace, settings: Settings) -> int:
    """Publish the example posts and print their URLs."""
    async with opened_context(settings) as ctx:
        await prepare_database(ctx)
        published = await publish_demo_posts(ctx, arguments.actor)
    for post in published:
        say(post.html_url)
    return 0
