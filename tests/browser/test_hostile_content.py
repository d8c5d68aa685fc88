"""In a real browser, none of the XSS payloads remote servers sent runs, on any page.

A served Hub receives the hostile posts of tests.support.hostile through its inbox
handlers (applied to its database while it serves: a followed actor's replies and post, a
stranger's held and approved replies), then Chromium signs in and opens every page that
shows remote content: the conversation under our post, replies to approve, the reader,
search results, a post's context, an account, notifications and the following list.

Each payload would set `window.__xss` or open a dialog. The test listens for dialogs, reads
`window.__xss` after opening every content warning and moving the pointer over and focusing
each reply, and watches the console for Content-Security-Policy refusals (they would mean
the sanitiser let something through that only the policy stopped). The browser may reach
the served Hub and nothing else.
"""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Page, Route, expect
from sqlmodel import col, select

from hub.activitypub.actors import parse_actor
from hub.clock import system_clock
from hub.config import load_settings
from hub.context import HubContext
from hub.federation.handlers.posts import apply_create
from hub.federation.remote_actors import store_remote_actor
from hub.models import Actor, Follow, Post
from hub.services.runtime import opened_context
from tests.browser.conftest import ServedHub
from tests.interop.fake_mastodon import FakeActor, FakeMastodon
from tests.support.hostile import MARKER, PAYLOADS, hostile_actor, hostile_post
from tests.support.keys import KeyPool
from tests.support.mastodon_notes import create_of
from tests.support.moderation import decide_on

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(300)]

NEW_PASSWORD = "hedgehogs sleep under the compost"
# Runs in the page after it loaded: provoke what needs a person, then report.
PROVOKE_AND_REPORT = """() => {
  for (const details of document.querySelectorAll("details")) details.open = true;
  for (const element of document.querySelectorAll("article, .summary, .post-body, .reply-body")) {
    element.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
    element.dispatchEvent(new FocusEvent("focus"));
  }
  const handlers = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) handlers.push(`${element.tagName} ${attribute.name}`);
    }
  }
  const addresses = [];
  for (const element of document.querySelectorAll("a[href], img[src], form[action], link[href]")) {
    const address = element.href || element.src || element.action;
    const protocol = new URL(address, document.baseURI).protocol;
    if (protocol !== "http:" && protocol !== "https:") addresses.push(address);
  }
  return {xss: window.__xss === undefined ? null : String(window.__xss), handlers, addresses};
}"""


@dataclass(frozen=True)
class Hostile:
    """The ids of what the hostile actors sent, to open the pages that show them."""

    post_id: str
    reply_id: str
    mallory: str
    eve: str


@dataclass
class Alarms:
    """What the browser reported while pages were open: dialogs and policy refusals."""

    dialogs: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def on_dialog(self, dialog: Dialog) -> None:
        """Record and dismiss a dialog (an `alert` that ran)."""
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(self, message: ConsoleMessage) -> None:
        """Record the console's Content-Security-Policy refusals."""
        if "Content Security Policy" in message.text:
            self.refusals.append(message.text)


async def _follow(ctx: HubContext, followed: FakeActor) -> None:
    """Record that org follows the actor (its Accept came long ago)."""
    now = datetime.now(UTC)
    async with ctx.sessions() as session, session.begin():
        org = (await session.exec(select(Actor).where(Actor.username == "org"))).one()
        remote = (await session.exec(select(Actor).where(Actor.ap_id == followed.ap_id))).one()
        follow = Follow(
            follower_id=org.id or 0, followed_id=remote.id or 0, ap_id=f"{org.ap_id}#follows/1",
            state="accepted", created_at=now, accepted_at=now,
        )  # fmt: skip
        session.add(follow)


async def _our_post(ctx: HubContext) -> str:
    async with ctx.sessions() as session:
        statement = select(Post.ap_id).where(
            col(Post.is_local), col(Post.title).startswith("Compost")
        )
        return (await session.exec(statement)).one()


async def _receive_hostile_posts(hub: ServedHub, key_pool: KeyPool) -> Hostile:
    """Apply the hostile Creates through the inbox handlers, on the served Hub's database."""
    settings = load_settings({}, config_path=str(hub.process.config))
    # The fake only makes the actors' documents and keys; nothing goes through it.
    mastodon = FakeMastodon(
        transport=httpx.MockTransport(lambda _request: httpx.Response(404)),
        clock=system_clock,
        key_pool=key_pool,
    )
    mallory = hostile_actor(mastodon, "mallory", 0)
    eve = hostile_actor(mastodon, "eve", 2)
    org = f"{hub.base_url}/users/org"
    media = f"{hub.base_url}/media"
    async with opened_context(settings) as ctx:
        for actor in (mallory, eve):
            await store_remote_actor(ctx, parse_actor(actor.document))
        await _follow(ctx, mallory)
        post_id = await _our_post(ctx)

        async def receive(author: FakeActor, number: int, payload: str, parent: str | None) -> str:
            note = hostile_post(author, number, payload, parent, mention=org, media_base=media)
            await apply_create(ctx, create_of(note))
            return str(note["id"])

        replies = [
            await receive(mallory, number, payload, post_id)
            for number, payload in enumerate(PAYLOADS, start=1)
        ]
        await receive(mallory, 500, PAYLOADS[0], None)
        await receive(eve, 600, PAYLOADS[2], post_id)
        await decide_on(ctx, await receive(eve, 601, PAYLOADS[3], post_id))
    return Hostile(post_id, replies[0], mallory.ap_id, eve.ap_id)


def _sign_in(page: Page, hub: ServedHub) -> None:
    page.goto(f"{hub.base_url}/login")
    page.get_by_label("Email address").fill(hub.admin_email)
    page.get_by_label("Password").fill(hub.one_time_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/password$"))
    page.locator("#current_password").fill(hub.one_time_password)
    page.locator("#new_password").fill(NEW_PASSWORD)
    page.locator("#new_password_again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed.")


def _pages(hub: ServedHub, hostile: Hostile) -> list[str]:
    slug = hostile.post_id.rsplit("/", 1)[1]
    return [
        f"{hub.base_url}/@org/{slug}",
        f"{hub.base_url}/admin/replies",
        f"{hub.base_url}/admin/reader",
        f"{hub.base_url}/admin/search?q={MARKER}",
        f"{hub.base_url}/search?q={MARKER}",
        f"{hub.base_url}/admin/search?q={quote(hostile.reply_id, safe='')}",
        f"{hub.base_url}/admin/search?q={quote(hostile.mallory, safe='')}",
        f"{hub.base_url}/admin/search?q={quote(hostile.eve, safe='')}",
        f"{hub.base_url}/admin/notifications",
        f"{hub.base_url}/admin/following",
    ]


def test_no_payload_runs_on_any_page(
    served_hub: ServedHub,
    browser: BrowserContext,
    key_pool: KeyPool,
    tmp_path: Path,
    artifacts: Path,
    backend: str,
) -> None:
    source = tmp_path / "post.md"
    source.write_text(f"---\ntitle: Compost and the {MARKER}\n---\nThree bins.\n")
    served_hub.process.hub("post", "--as", "org", str(source))
    # Playwright's own loop runs in this thread; the database work gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hostile = pool.submit(asyncio.run, _receive_hostile_posts(served_hub, key_pool)).result()

    def only_the_hub(route: Route) -> None:
        if route.request.url.startswith(served_hub.base_url):
            route.continue_()
        else:
            route.abort()

    browser.route("**/*", only_the_hub)
    alarms = Alarms()
    page = browser.new_page()
    page.on("dialog", alarms.on_dialog)
    page.on("console", alarms.on_console)
    _sign_in(page, served_hub)

    reports: dict[str, Any] = {}
    for url in _pages(served_hub, hostile):
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        page.wait_for_load_state("load")
        reports[url] = page.evaluate(PROVOKE_AND_REPORT)
    page.goto(_pages(served_hub, hostile)[0])
    page.screenshot(path=str(artifacts / f"hostile-conversation-{backend}.png"), full_page=True)

    expected: dict[str, Any] = {"xss": None, "handlers": [], "addresses": []}
    assert {url: report for url, report in reports.items() if report != expected} == {}
    assert alarms.dialogs == []
    assert alarms.refusals == []
    # The payloads were there to run: shown as text on the conversation page.
    expect(page.get_by_text(f"{MARKER} 1", exact=True)).to_be_visible()
