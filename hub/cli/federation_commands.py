"""Commands that federate: follow, unfollow, list follows, post, block, reports, status, worker."""

import argparse
import asyncio
import signal
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hub.cli.output import printable, say
from hub.config import Settings
from hub.federation.dispatch import apply_inbox_item
from hub.federation.queue_status import queue_status
from hub.federation.worker import Worker
from hub.services.following import follow, list_followers, list_following, unfollow
from hub.services.markdown import parse_markdown_post
from hub.services.moderation import block_domain, list_reports, unblock_domain
from hub.services.publishing import PostInput, publish_post, save_draft
from hub.services.runtime import opened_context
from hub.services.scheduling import publish_due_posts
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
    when = post.add_mutually_exclusive_group()
    when.add_argument("--draft", action="store_true", help="save as a draft; nothing is sent")
    when.add_argument(
        "--at", type=_aware_datetime, metavar="TIME",
        help="publish at an ISO 8601 time with its offset, e.g. 2026-12-01T09:00+00:00",
    )  # fmt: skip
    post.set_defaults(handler=run_post)
    for name, handler, help_text in (
        ("block", run_block, "refuse a domain's activities and stop delivering to it"),
        ("unblock", run_unblock, "lift a domain block"),
    ):
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("domain", metavar="DOMAIN")
        parser.set_defaults(handler=handler)
    reports = commands.add_parser("reports", help="list moderation reports other servers sent")
    reports.add_argument("--all", action="store_true", help="include resolved reports")
    reports.set_defaults(handler=run_reports)
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


def _aware_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time with its offset, e.g. +00:00")
    return value


async def run_post(arguments: argparse.Namespace, settings: Settings) -> int:
    """Publish a Markdown file as a public post (now, later, or as a draft); print its URL."""
    markdown_post = parse_markdown_post(arguments.file.read_text(encoding="utf-8"))
    values = PostInput(
        title=markdown_post.title,
        summary=markdown_post.summary,
        body_markdown=markdown_post.body,
        tags=tuple(markdown_post.tags),
        series=markdown_post.series,
        language=markdown_post.language,
    )
    async with opened_context(settings) as ctx:
        if arguments.draft:
            published = await save_draft(ctx, arguments.actor, values)
        else:
            published = await publish_post(ctx, arguments.actor, values, publish_at=arguments.at)
    say(published.html_url + ("" if published.state == "published" else f" ({published.state})"))
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


async def run_reports(arguments: argparse.Namespace, settings: Settings) -> int:
    """Print one report per line: number, date, reporter, reported ids, comment."""
    async with opened_context(settings) as ctx:
        views = await list_reports(ctx, include_resolved=arguments.all)
    if not views:
        say("no reports")
    for view in views:
        say(
            f"#{view.report_id}\t{view.received_at:%Y-%m-%d %H:%M}"
            f"\t@{printable(view.reporter_handle)}"
            f"\t{printable(' '.join(view.target_ap_ids))}\t{printable(view.comment)}"
        )
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
        worker = Worker(
            ctx,
            apply_inbox_item=apply_inbox_item,
            publish_due=publish_due_posts,
            delivery_lease=lease,
        )
        await worker.run_forever(stop)
    return 0
