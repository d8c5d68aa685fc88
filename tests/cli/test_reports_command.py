"""`hub reports` lists the Flags other servers sent, one safe line each."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.cli import main
from hub.db import create_engine, create_session_factory
from hub.models import Actor, Report
from tests.cli.test_cli import write_config


async def _store_report(database_url: str, comment: str) -> None:
    engine = create_engine(database_url)
    now = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            reporter = Actor(
                ap_id="https://mastodon.example/actor", username="mastodon.example",
                domain="mastodon.example", actor_type="Application",
                inbox_url="https://mastodon.example/actor/inbox", published_at=now,
            )  # fmt: skip
            session.add(reporter)
            await session.flush()
            assert reporter.id is not None
            session.add(
                Report(
                    ap_id="https://mastodon.example/reports/1",
                    reporter_actor_id=reporter.id,
                    target_ap_ids=["https://hub.test/users/org"],
                    comment=comment,
                    created_at=now,
                )
            )
    finally:
        await engine.dispose()


def test_reports_lists_each_report_on_one_clean_line(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, database_url)
    assert main(["--config", config, "reports"]) == 0
    assert capsys.readouterr().out == "no reports\n"

    asyncio.run(_store_report(database_url, "Spam\nagain \x1b[31mred\x1b[0m"))
    assert main(["--config", config, "reports"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "\x1b" not in out
    assert out.startswith("#1\t2026-11-02 09:30\t@mastodon.example@mastodon.example\t")
    assert out.rstrip("\n").endswith("https://hub.test/users/org\tSpam again [31mred [0m")
