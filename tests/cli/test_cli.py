"""The `hub` command: every subcommand listed, one-line errors, init and account set-up."""

import io
from pathlib import Path

import pytest

from hub.cli import main

COMMANDS = ("init", "serve", "worker", "migrate", "account", "actor", "demo")


def write_config(tmp_path: Path, database_url: str) -> str:
    """Write a hub.toml for a Hub on the test database and return its path."""
    config = tmp_path / "hub.toml"
    config.write_text(
        f'base_url = "https://hub.test"\ndatabase_url = "{database_url}"\n'
        'secret_key = "test-secret-key-0123456789"\n'
    )
    return str(config)


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    output = capsys.readouterr().out
    for command in COMMANDS:
        assert f"    {command}" in output


def test_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["actor", "create", "org", "--type", "Robot"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "Robot" in error


def test_bad_setting_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_BASE_URL", "gopher://hub.test")
    assert main(["actor", "list"]) == 2
    error = capsys.readouterr().err
    assert error == "configuration error: base_url: must start with http:// or https://\n"


def test_init_creates_actor_and_admin_once(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, database_url)
    assert main(["--config", config, "init", "--actor", "relationships"]) == 0
    first = capsys.readouterr().out
    assert "organisation actor: @relationships@hub.test" in first
    assert "one-time password" in first
    assert main(["--config", config, "init", "--actor", "relationships"]) == 0
    second = capsys.readouterr().out
    assert "already initialised" in second
    assert "one-time password" not in second


def test_init_writes_config_with_secret_key(tmp_path: Path, database_url: str) -> None:
    data_dir = tmp_path / "data"
    code = main(
        ["init", "--data-dir", str(data_dir), "--base-url", "https://hub.test",
         "--database-url", database_url]
    )  # fmt: skip
    assert code == 0
    written = (data_dir / "hub.toml").read_text()
    assert 'base_url = "https://hub.test"' in written
    assert "secret_key" in written
    assert (data_dir / "hub.toml").stat().st_mode & 0o077 == 0


def test_actor_create_and_list(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, database_url)
    assert main(["--config", config, "migrate"]) == 0
    created = [
        "actor", "create", "observatory", "--type", "Service",
        "--display-name", "Observatory Sightings", "--summary", "Notes <from> the field",
    ]  # fmt: skip
    assert main(["--config", config, *created]) == 0
    assert "created Service @observatory@hub.test" in capsys.readouterr().out
    assert main(["--config", config, "actor", "list"]) == 0
    assert "@observatory@hub.test\tService\tObservatory Sightings" in capsys.readouterr().out
    assert main(["--config", config, *created]) == 1
    assert capsys.readouterr().err == "error: an actor called 'observatory' already exists\n"


def test_account_create_reads_password_from_stdin(
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = write_config(tmp_path, database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    command = ["--config", config, "account", "create", "Staff@Example.org", "--password-stdin"]
    assert main(command) == 0
    output = capsys.readouterr().out
    assert output == "created account staff@example.org\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--config", config, "account", "create", "b@example.org", "--password-stdin"]) == 1
    assert capsys.readouterr().err == "error: password: must be at least 12 characters\n"


def test_account_create_generates_a_password_when_none_given(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, database_url)
    assert main(["--config", config, "account", "create", "admin@example.org", "--admin"]) == 0
    output = capsys.readouterr().out
    assert "created account admin@example.org (admin)" in output
    assert "one-time password: " in output
    assert main(["--config", config, "account", "create", "not-an-email"]) == 1
    assert "email" in capsys.readouterr().err


def write_post(tmp_path: Path) -> str:
    """Write a Markdown post file and return its path."""
    post = tmp_path / "post.md"
    post.write_text(
        "---\ntitle: Taking stock\nsummary: In brief\nseries: Observatory Sightings\n"
        "language: en\n---\nBody with #observatory.\n"
    )
    return str(post)


def test_post_as_draft_or_later_says_so(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, database_url)
    assert main(["--config", config, "migrate"]) == 0
    assert main(["--config", config, "actor", "create", "org"]) == 0
    assert main(["--config", config, "actor", "mode", "org", "note"]) == 0
    assert "@org@hub.test publishes notes" in capsys.readouterr().out
    post = write_post(tmp_path)
    assert main(["--config", config, "post", "--as", "org", "--draft", post]) == 0
    assert capsys.readouterr().out.endswith(" (draft)\n")
    later = ["post", "--as", "org", "--at", "2999-01-01T09:00+00:00", post]
    assert main(["--config", config, *later]) == 1
    assert capsys.readouterr().err == "error: publish_at: must be within a year\n"
    naive = ["post", "--as", "org", "--at", "2026-12-01T09:00", post]
    with pytest.raises(SystemExit):
        main(["--config", config, *naive])
    assert "give the time with its offset" in capsys.readouterr().err
    assert main(["--config", config, "post", "--as", "org", post]) == 0
    assert capsys.readouterr().out.startswith("https://hub.test/@org/")


def test_demo_publishes_example_posts_on_a_fresh_hub(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, database_url)
    assert main(["--config", config, "init", "--actor", "org"]) == 0
    capsys.readouterr()
    assert main(["--config", config, "demo"]) == 0
    urls = capsys.readouterr().out.split()
    assert len(urls) == 5
    assert all(url.startswith("https://hub.test/@org/") for url in urls)
    assert main(["--config", config, "demo", "--as", "org"]) == 1
    assert "has posts already" in capsys.readouterr().err


def test_serve_with_several_workers_on_sqlite_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    assert main(["--config", config, "serve", "--workers", "2"]) == 2
    assert "several web processes need PostgreSQL" in capsys.readouterr().err
