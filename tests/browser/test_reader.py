"""In a real browser: follow a second Hub through the form, then read its next post."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ServedHub
from tests.browser.test_publishing import _choose_own_password, _log_in_with_the_keyboard
from tests.conftest import drop_database, new_database_url
from tests.e2e.servers import HubProcess

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(300)]

TITLE = "Swifts are back over the terraces"
DELIVERY_WAIT_SECONDS = 90.0


@pytest.fixture
def second_hub(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[HubProcess]:
    """Another Hub (`hub serve` on its own port and database), with an organisation `org`."""
    hub = HubProcess(
        folder=tmp_path / "beta", database_url=new_database_url(request, backend, tmp_path)
    )
    hub.init(actor="org")
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
        drop_database(request, hub.database_url)


def _reload_until_visible(page: Page, text: str) -> None:
    """Reload (bounded) until `text` shows: the post crosses two real processes and queues."""
    deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
    while time.monotonic() < deadline:
        if page.get_by_role("heading", name=text).count():
            return
        time.sleep(0.5)
        page.reload()
    raise AssertionError(f"{text!r} did not reach the reader")


def test_follow_a_hub_through_the_form_and_read_its_next_post(
    served_hub: ServedHub,
    second_hub: HubProcess,
    browser: BrowserContext,
    artifacts: Path,
    tmp_path: Path,
    backend: str,
) -> None:
    page = browser.new_page()
    _log_in_with_the_keyboard(page, served_hub)
    _choose_own_password(page, served_hub)

    # When staff follow the second Hub's organisation by its handle
    page.get_by_role("link", name="Following").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Following")
    page.get_by_label("Handle or address").fill(f"@org@{second_hub.host}")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"@org@{second_hub.host}")
    handle = re.compile(f"@org@{re.escape(second_hub.host)}")
    expect(page.get_by_role("cell", name=handle).first).to_be_visible()

    # And the second Hub then publishes
    deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
    while "accepted" not in second_hub.hub("followers", "org"):
        assert time.monotonic() < deadline, "the follow was not accepted"
        time.sleep(0.25)
    post = tmp_path / "post.md"
    post.write_text(
        f"---\ntitle: {TITLE}\nsummary: Forty swifts counted\ntags: [observatory]\n---\n"
        "The first screaming parties are back.\n"
    )
    second_hub.hub("post", "--as", "org", str(post))

    # Then the post appears in From the field, with its summary, and can be liked
    page.get_by_role("link", name="From the field").first.click()
    _reload_until_visible(page, TITLE)
    item = page.get_by_role("article", name=TITLE)
    expect(item.get_by_text("Forty swifts counted")).to_be_visible()
    expect(item.get_by_text(f"@org@{second_hub.host}").first).to_be_visible()
    item.get_by_role("button", name="Like").click()
    expect(page.get_by_role("status")).to_contain_text("Liked")
    expect(
        page.get_by_role("article", name=TITLE).get_by_role("button", name="Liked")
    ).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=str(artifacts / f"reader-{backend}.png"), full_page=True)
