"""Commands that federate: follow, unfollow, list follows, post, block, status, worker."""

import argparse
import asyncio
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

from hub.cli.output import say
from hub.config import Settings
from hub.federation.dispatch import apply_inbox_item
from hub.federation.queue_status import queue_status
from hub.federation.worker import Worker
from hub.services.following import follow, list_followers, list_following, unfollow
from hub.services.markdown import parse_markdown_post
from hub.services.moderation import block_domain, unblock_domain
from hub.services.publishing import publish
from hub.services.runtime import opened_context
from hub.services.setup import prepare_database


def register(commands: "argparse._SubParsersAction[Any]") -> None:
    """Add the federation commands to the parser."""
    for name, handler, help_text in (
        ("follow", run_follow, "follow a remote actor as one of ours"),
        ("unfollow", run_unfollow, "stop following a remote actor"),
    ):
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("--as", dest="actor", required=True, help="our actor's name")
        parser.add_argument("target", metavar="HANDLE_OR_URL", help="@user@host or actor URL")
        parser.set_defaults(handler=handler)
    for name, handler, help_text in (
        ("followers", run_followers, "list who follows one of our actors"),
        ("following", run_following, "list whom one of our actors follows"),
    ):
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("actor", metavar="NAME")
        parser.set_defaults(handler=handler)
    post = commands.add_parser("post", help="publish a Markdown file (front matter: title, …)")
    post.add_argument("--as", dest="actor", required=True, help="our actor's name")
    post.add_argument("file", type=Path, metavar="FILE.md")
    post.set_defaults(handler=run_post)
    for name, handler, help_text in (
        ("block", run_block, "refuse a domain's activities and stop delivering to it"),
        ("unblock", run_unblock, "lift a domain block"),
    ):
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("domain", metavar="DOMAIN")
        parser.set_defaults(handler=handler)
    status = commands.add_parser("status", help="queue depths, retrying and unavailable hosts")
    status.set_defaults(handler=run_status)
    worker = commands.add_parser("worker", help="run a queue worker process (PostgreSQL)")
    worker.set_defaults(handler=run_worker)


async def run_follow(arguments: argparse.Namespace, settings: Settings) -> int:
    """Send a Follow and report that it is pending."""
    async with opened_context(settings) as ctx:
        await prepare_database(ctx)
        view = await follow(ctx, arguments.actor, arguments.target)
    say(f"@{arguments.actor} follows @{view.handle}: {view.state}")
    return 0


async def run_unfollow(arguments: argparse.Namespace, settings: Settings) -> int:
    """Send Undo{Follow}."""
    async with opened_context(settings) as ctx:
        view = await unfollow(ctx, arguments.actor, arguments.target)
    say(f"@{arguments.actor} no longer follows @{view.handle}")
    return 0


async def run_followers(arguments: argparse.Namespace, settings: Settings) -> int:
    """Print one follower per line: handle, state, id."""
    async with opened_context(settings) as ctx:
        views = await list_followers(ctx, arguments.actor)
    for view in views:
        say(f"@{view.handle}\t{view.state}\t{view.ap_id}")
    return 0


async def run_following(arguments: argparse.Namespace, settings: Settings) -> int:
    """Print one followed actor per line: handle, state, id."""
    async with opened_context(settings) as ctx:
        views = await list_following(ctx, arguments.actor)
    for view in views:
        say(f"@{view.handle}\t{view.state}\t{view.ap_id}")
    return 0


async def run_post(arguments: argparse.Namespace, settings: Settings) -> int:
    """Publish a Markdown file as a public post and print its URL."""
    markdown_post = parse_markdown_post(arguments.file.read_text(encoding="utf-8"))
    async with opened_context(settings) as ctx:
        published = await publish(
            ctx,
            arguments.actor,
            title=markdown_post.title,
            summary=markdown_post.summary,
            body_markdown=markdown_post.body,
            tags=markdown_post.tags,
        )
    say(published.html_url)
    return 0


async def run_block(arguments: argparse.Namespace, settings: Settings) -> int:
    """Block a domain."""
    async with opened_context(settings) as ctx:
        domain = await block_domain(ctx, arguments.domain)
    say(f"blocked {domain}")
    return 0


async def run_unblock(arguments: argparse.Namespace, settings: Settings) -> int:
    """Unblock a domain."""
    async with opened_context(settings) as ctx:
        domain = await unblock_domain(ctx, arguments.domain)
    say(f"unblocked {domain}")
    return 0


async def run_status(_arguments: argparse.Namespace, settings: Settings) -> int:
    """Print queue depths and host health."""
    async with opened_context(settings) as ctx:
        status = await queue_status(ctx)
    for line in status.lines():
        say(line)
    return 0


async def run_worker(_arguments: argparse.Namespace, settings: Settings) -> int:
    """Run a worker until SIGINT or SIGTERM; any number may share one PostgreSQL database."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    async with opened_context(settings) as ctx:
        await prepare_database(ctx)
        say("worker running; stop with Ctrl-C")
        lease = timedelta(seconds=settings.delivery_lease_seconds)
        worker = Worker(ctx, apply_inbox_item=apply_inbox_item, delivery_lease=lease)
        await worker.run_forever(stop)
    return 0
