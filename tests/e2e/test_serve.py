"""A real `hub serve` on loopback is discoverable the way Mastodon discovers it."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import drop_database, new_database_url
from tests.e2e.servers import HubProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def served_hub(tmp_path: Path, database_url: str) -> Iterator[HubProcess]:
    """An initialised Hub served by a real process."""
    hub = HubProcess(folder=tmp_path / "hub", database_url=database_url)
    hub.init(actor="org")
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def test_webfinger_self_link_resolves_to_actor_with_key(served_hub: HubProcess) -> None:
    with httpx.Client(base_url=served_hub.base_url, timeout=10) as http:
        jrd = http.get(
            "/.well-known/webfinger", params={"resource": f"acct:org@{served_hub.host}"}
        ).json()
        href = next(link["href"] for link in jrd["links"] if link["rel"] == "self")
        actor = http.get(href, headers={"Accept": "application/activity+json"})
    assert actor.status_code == 200
    assert actor.headers["content-type"] == "application/activity+json"
    assert actor.json()["id"] == href
    assert "BEGIN PUBLIC KEY" in actor.json()["publicKey"]["publicKeyPem"]


def test_second_start_reuses_the_data(served_hub: HubProcess) -> None:
    with httpx.Client(base_url=served_hub.base_url, timeout=10) as http:
        first_key = http.get("/users/org", headers={"Accept": "application/activity+json"})
    served_hub.stop()
    assert "already initialised" in served_hub.init(actor="org")
    served_hub.start()
    with httpx.Client(base_url=served_hub.base_url, timeout=10) as http:
        second_key = http.get("/users/org", headers={"Accept": "application/activity+json"})
    assert second_key.json()["publicKey"] == first_key.json()["publicKey"]


def test_several_web_processes_serve_and_stop_on_postgresql(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # PostgreSQL only: SQLite refuses several web processes (tests/cli covers that refusal).
    database_url = new_database_url(request, "postgresql", tmp_path)
    hub = HubProcess(folder=tmp_path / "hub", database_url=database_url)
    hub.init(actor="org")
    hub.start(arguments=("--workers", "2"))
    try:
        with httpx.Client(base_url=hub.base_url, timeout=10) as http:
            statuses = {
                http.get("/users/org", headers={"Accept": "application/activity+json"}).status_code
                for _ in range(20)
            }
        assert statuses == {200}
        assert hub.process is not None
        children = Path(f"/proc/{hub.process.pid}/task/{hub.process.pid}/children").read_text()
        assert len(children.split()) == 2
    finally:
        hub.stop()
        drop_database(request, database_url)
    assert hub.process is None
