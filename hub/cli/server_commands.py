"""Commands that set up and run a Hub: init, migrate, serve, worker."""

import argparse
import asyncio
import secrets
from pathlib import Path
from typing import Any

import uvicorn

from hub.cli.output import say
from hub.cli.processes import serve_in_processes
from hub.config import CONFIG_FILE_NAME, Settings
from hub.db import migrate
from hub.errors import ConfigError
from hub.services.runtime import opened_context
from hub.services.setup import initialise_hub, prepare_database
from hub.web.app import create_app

DEFAULT_ACTOR_NAME = "org"
DEFAULT_ACTOR_DISPLAY_NAME = "Our Organisation"
DEFAULT_ADMIN_EMAIL = "admin@localhost"


def register(commands: "argparse._SubParsersAction[Any]") -> None:
    """Add init, migrate, serve and worker to the parser."""
    init = commands.add_parser("init", help="create a Hub: config, database, actor and admin")
    init.add_argument("--data-dir", help="folder for the database, media and hub.toml")
    init.add_argument("--base-url", help="public URL, such as https://hub.example.org")
    init.add_argument("--database-url", help="postgresql+asyncpg://… (default: SQLite)")
    init.add_argument("--actor", default=DEFAULT_ACTOR_NAME, help="the organisation's name")
    init.add_argument("--display-name", default=DEFAULT_ACTOR_DISPLAY_NAME)
    init.add_argument("--admin-email", default=DEFAULT_ADMIN_EMAIL)
    init.set_defaults(handler=run_init, setting_overrides=_init_overrides)

    migrate_parser = commands.add_parser("migrate", help="apply database migrations")
    migrate_parser.set_defaults(handler=run_migrate)

    serve = commands.add_parser("serve", help="serve the web app (and, by default, a worker)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, help="port (default: the base URL's port or 8000)")
    serve.add_argument(
        "--no-worker", action="store_true", help="do not run the in-process queue worker"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="web processes sharing the port (PostgreSQL only; default 1)",
    )
    serve.set_defaults(handler=run_serve, setting_overrides=_serve_overrides)


def _init_overrides(arguments: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if arguments.data_dir:
        overrides["data_dir"] = arguments.data_dir
    if arguments.base_url:
        overrides["base_url"] = arguments.base_url
    if arguments.database_url:
        overrides["database_url"] = arguments.database_url
    return overrides


def _serve_overrides(arguments: argparse.Namespace) -> dict[str, Any]:
    return {"worker_mode": "off"} if arguments.no_worker else {}


def write_config_file(settings: Settings, path: Path, *, database_url: str | None) -> None:
    """Write a hub.toml holding the base URL, a new secret key and any database URL."""
    lines = [
        "# Hub settings; HUB_* environment variables override these.",
        f'base_url = "{settings.base_url}"',
        'data_dir = "."',
        f'secret_key = "{secrets.token_urlsafe(32)}"',
    ]
    if database_url:
        lines.append(f'database_url = "{database_url}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


async def run_init(arguments: argparse.Namespace, settings: Settings) -> int:
    """Create the config file, database, organisation actor and admin account."""
    config_path = settings.data_dir / CONFIG_FILE_NAME
    if not config_path.exists():
        write_config_file(settings, config_path, database_url=arguments.database_url)
        say(f"wrote {config_path}")
    async with opened_context(settings) as ctx:
        made = await initialise_hub(
            ctx,
            actor_name=arguments.actor,
            actor_display_name=arguments.display_name,
            admin_email=arguments.admin_email,
        )
    say(f"organisation actor: @{made.actor_handle}")
    if made.admin_password is None:
        say("this Hub was already initialised; nothing else changed")
    else:
        say(f"admin account: {made.admin_email}")
        say(f"one-time password (shown once, change it after logging in): {made.admin_password}")
    return 0


async def run_migrate(_arguments: argparse.Namespace, settings: Settings) -> int:
    """Apply every pending migration."""
    async with opened_context(settings) as ctx:
        await migrate(ctx.engine)
    say("database is up to date")
    return 0


def run_serve(arguments: argparse.Namespace, settings: Settings) -> int:
    """Migrate, then serve HTTP with uvicorn (in one or several processes) until interrupted."""
    if not settings.secret_key:
        raise ConfigError("secret_key", "is not set; run `hub init` or set HUB_SECRET_KEY")
    if arguments.workers < 1:
        raise ConfigError("workers", "must be at least 1")
    if arguments.workers > 1 and settings.is_sqlite:
        raise ConfigError("workers", "several web processes need PostgreSQL; SQLite has one")
    port = arguments.port or _port_of(settings)
    asyncio.run(prepare(settings))

    def make_config() -> uvicorn.Config:
        return uvicorn.Config(
            create_app(settings),
            host=arguments.host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            log_level=settings.log_level.lower(),
            server_header=False,
        )

    if arguments.workers > 1:
        return serve_in_processes(
            make_config, host=arguments.host, port=port, processes=arguments.workers
        )
    uvicorn.Server(make_config()).run()
    return 0


async def prepare(settings: Settings) -> None:
    """Migrate the database and ensure the instance actor, before serving."""
    async with opened_context(settings) as ctx:
        await prepare_database(ctx)


def _port_of(settings: Settings) -> int:
    authority = settings.host
    if authority.rsplit(":", 1)[-1].isdigit() and not authority.endswith("]"):
        return int(authority.rsplit(":", 1)[-1])
    return 8000
