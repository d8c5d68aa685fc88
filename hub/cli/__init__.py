"""The `hub` command: parse arguments, load settings once, run one command, print one result."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, NoReturn

from hub.cli import admin_commands, demo_commands, federation_commands, server_commands
from hub.cli.output import fail
from hub.config import load_settings, process_environment
from hub.errors import ConfigError, HubError
from hub.logs import configure_logging

logger = logging.getLogger(__name__)

EXIT_ERROR = 1
EXIT_CONFIG = 2
EXIT_INTERNAL = 70

Command = Callable[[argparse.Namespace, Any], Coroutine[Any, Any, int] | int]


def _no_overrides(_arguments: argparse.Namespace) -> dict[str, Any]:
    return {}


class OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, not the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every subcommand; `hub --help` lists them all."""
    parser = OneLineErrorParser(
        prog="hub", description="A small federated ActivityPub hub for organisations."
    )
    parser.add_argument("--config", help="path of a hub.toml (default: $HUB_CONFIG, ./hub.toml)")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=OneLineErrorParser
    )
    server_commands.register(commands)
    admin_commands.register(commands)
    federation_commands.register(commands)
    demo_commands.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        overrides: dict[str, Any] = getattr(arguments, "setting_overrides", _no_overrides)(
            arguments
        )
        settings = load_settings(
            process_environment(), config_path=arguments.config, overrides=overrides
        )
        configure_logging(settings)
        handler: Command = arguments.handler
        result = handler(arguments, settings)
        if asyncio.iscoroutine(result):
            return asyncio.run(result)
        assert isinstance(result, int)  # noqa: S101 - handlers return an exit code
        return result
    except ConfigError as error:
        return fail(f"configuration error: {error}", EXIT_CONFIG)
    except HubError as error:
        return fail(f"error: {error}", EXIT_ERROR)
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        return fail(f"error: {error}", EXIT_ERROR)
    except Exception as error:  # the one boundary that turns our own bugs into one line
        logger.debug("unexpected error", exc_info=True)
        return fail(f"internal error: {type(error).__name__}: {error}", EXIT_INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
