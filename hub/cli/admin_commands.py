"""Commands that manage accounts and actors."""

import argparse
import sys
from typing import Any

from hub.cli.output import say
from hub.config import Settings
from hub.services.accounts import create_account, generate_password
from hub.services.actors import (
    PUBLISHING_ACTOR_TYPES,
    create_actor,
    list_local_actors,
    set_note_mode,
)
from hub.services.errors import InvalidInput
from hub.services.runtime import opened_context


def register(commands: "argparse._SubParsersAction[Any]") -> None:
    """Add `account` and `actor` command groups to the parser."""
    account = commands.add_parser("account", help="manage login accounts")
    account_commands = account.add_subparsers(dest="account_command", required=True)
    account_create = account_commands.add_parser("create", help="create a login account")
    account_create.add_argument("email")
    account_create.add_argument("--admin", action="store_true", help="may administer the Hub")
    account_create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of generating one",
    )
    account_create.set_defaults(handler=run_account_create)

    actor = commands.add_parser("actor", help="manage this Hub's actors")
    actor_commands = actor.add_subparsers(dest="actor_command", required=True)
    actor_create = actor_commands.add_parser("create", help="create a publishing actor")
    actor_create.add_argument("name", help="the handle's user part, as in @name@host")
    actor_create.add_argument(
        "--type", default="Organization", choices=PUBLISHING_ACTOR_TYPES, dest="actor_type"
    )
    actor_create.add_argument("--display-name", default="")
    actor_create.add_argument("--summary", default="", help="a short biography (plain text)")
    actor_create.set_defaults(handler=run_actor_create)
    actor_mode = actor_commands.add_parser(
        "mode", help="publish as Articles (title, summary, link) or Notes (whole text)"
    )
    actor_mode.add_argument("name")
    actor_mode.add_argument("mode", choices=("article", "note"))
    actor_mode.set_defaults(handler=run_actor_mode)
    actor_list = actor_commands.add_parser("list", help="list this Hub's actors")
    actor_list.set_defaults(handler=run_actor_list)


async def run_account_create(arguments: argparse.Namespace, settings: Settings) -> int:
    """Create an account; print the generated password unless one came on stdin."""
    if arguments.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("password", "nothing was read from standard input")
    else:
        password = generate_password()
    async with opened_context(settings) as ctx:
        account = await create_account(
            ctx,
            arguments.email,
            password,
            is_admin=arguments.admin,
            must_change_password=not arguments.password_stdin,
        )
    say(f"created account {account.email}" + (" (admin)" if account.is_admin else ""))
    if not arguments.password_stdin:
        say(f"one-time password: {password}")
    return 0


async def run_actor_create(arguments: argparse.Namespace, settings: Settings) -> int:
    """Create a publishing actor and print its handle."""
    async with opened_context(settings) as ctx:
        actor = await create_actor(
            ctx,
            arguments.name,
            actor_type=arguments.actor_type,
            display_name=arguments.display_name,
            summary_html=_plain_text_to_html(arguments.summary),
        )
    say(f"created {actor.actor_type} @{actor.handle} at {actor.ap_id}")
    return 0


async def run_actor_mode(arguments: argparse.Namespace, settings: Settings) -> int:
    """Switch an actor between Article and Note mode for its new posts and edits."""
    async with opened_context(settings) as ctx:
        actor = await set_note_mode(ctx, arguments.name, as_note=arguments.mode == "note")
    say(f"@{actor.handle} publishes {arguments.mode}s")
    return 0


async def run_actor_list(_arguments: argparse.Namespace, settings: Settings) -> int:
    """Print one line per actor: handle, type, display name."""
    async with opened_context(settings) as ctx:
        actors = await list_local_actors(ctx)
    for actor in actors:
        say(f"@{actor.handle}\t{actor.actor_type}\t{actor.display_name}")
    if not actors:
        say("no actors yet; create one with `hub actor create NAME`")
    return 0


def _plain_text_to_html(text: str) -> str:
    escaped = text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<p>{escaped}</p>" if escaped else ""
