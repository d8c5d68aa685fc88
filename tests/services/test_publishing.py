"""Drafts, publishing, scheduling, editing and deleting posts on one Hub."""

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from hub.activitypub.jsonld import PUBLIC
from hub.clock import ManualClock
from hub.context import HubContext
from hub.models import FanoutJob, MediaAttachment, OutgoingActivity, Post
from hub.services.accounts import create_account
from hub.services.actors import create_actor, get_local_actor
from hub.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hub.services.media import media_folder, upload_image
from hub.services.publishing import (
    PostInput,
    delete_post,
    edit_post,
    preview_post,
    publish_post,
    save_draft,
)
from hub.services.scheduling import publish_due_posts
from hub.web.app import create_app
from tests.support.images import image_bytes
from tests.support.keys import KeyPool
from tests.support.settings import make_settings

PASSWORD = "correct horse battery staple"
POST = PostInput(
    title="Observatory Sighting #7: Taking stock",
    summary="What we have learnt so far.",
    body_markdown="In the seventh edition we take stock. #observatory",
    series="Observatory Sightings",
    language="en",
)


async def activities(ctx: HubContext) -> list[OutgoingActivity]:
    """Return every activity the Hub has recorded, oldest first."""
    async with ctx.sessions() as session:
        rows = await session.exec(select(OutgoingActivity).order_by(col(OutgoingActivity.id)))
        return list(rows.all())


async def posts(ctx: HubContext) -> list[Post]:
    """Return every post row."""
    async with ctx.sessions() as session:
        return list((await session.exec(select(Post).order_by(col(Post.id)))).all())


async def upload(ctx: HubContext, alt: str = "", account_id: int | None = None) -> int:
    """Upload a picture and return its id."""
    attachment = await upload_image(
        ctx, image_bytes(), filename="a.png", declared_type="image/png", description=alt,
        account_id=account_id,
    )  # fmt: skip
    assert attachment.id is not None
    return attachment.id


@pytest.fixture
async def org(ctx: HubContext) -> int:
    """Create the actor `org`; return its id."""
    actor = await create_actor(ctx, "org")
    assert actor.id is not None
    return actor.id


async def test_draft_is_saved_without_federating_or_showing(
    ctx: HubContext, org: int, client: httpx.AsyncClient
) -> None:
    draft = await save_draft(ctx, "org", POST)
    assert draft.state == "draft"
    assert draft.ap_id == f"https://hub.test/users/org/posts/{draft.slug}"
    assert await activities(ctx) == []
    (post,) = await posts(ctx)
    assert post.series_slug == "observatory-sightings"
    for url, accept in ((draft.ap_id, "application/activity+json"), (draft.html_url, "text/html")):
        assert (await client.get(url, headers={"Accept": accept})).status_code == 404


async def test_draft_may_lack_a_title_but_publishing_needs_one(ctx: HubContext, org: int) -> None:
    draft = await save_draft(ctx, "org", PostInput(title="", body_markdown="Notes"))
    with pytest.raises(InvalidInput) as refused:
        await publish_post(
            ctx, "org", PostInput(title="  ", body_markdown="Notes"), slug=draft.slug
        )
    assert refused.value.field == "title"
    (post,) = await posts(ctx)
    assert post.state == "draft"
    assert await activities(ctx) == []


async def test_publishing_a_draft_keeps_its_address_and_sends_one_create(
    ctx: HubContext, org: int, clock: ManualClock
) -> None:
    draft = await save_draft(ctx, "org", POST)
    clock.advance(timedelta(hours=1))
    published = await publish_post(ctx, "org", POST, slug=draft.slug)
    assert (published.ap_id, published.state) == (draft.ap_id, "published")
    (create,) = await activities(ctx)
    assert create.activity_type == "Create"
    assert create.body["object"]["id"] == draft.ap_id
    assert create.body["object"]["published"] == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert create.is_public
    with pytest.raises(Conflict):
        await publish_post(ctx, "org", POST, slug=draft.slug)


async def test_publishing_needs_alt_text_and_saves_nothing_without_it(
    ctx: HubContext, org: int
) -> None:
    media_id = await upload(ctx, alt="")
    with pytest.raises(InvalidInput) as refused:
        await publish_post(ctx, "org", replace(POST, media_ids=(media_id,)))
    assert refused.value.field == "alt"
    assert await posts(ctx) == []
    assert await activities(ctx) == []
    async with ctx.sessions() as session:
        image = await session.get(MediaAttachment, media_id)
    assert image is not None
    assert image.post_id is None


async def test_images_are_attached_in_order_with_their_alt_text(ctx: HubContext, org: int) -> None:
    first, second = await upload(ctx, alt="First"), await upload(ctx, alt="Second")
    await publish_post(ctx, "org", replace(POST, media_ids=(second, first)))
    (create,) = await activities(ctx)
    names = [item["name"] for item in create.body["object"]["attachment"]]
    assert names == ["Second", "First"]
    other = await upload(ctx, alt="Third")
    with pytest.raises(InvalidInput) as taken:
        await publish_post(ctx, "org", replace(POST, media_ids=(other, first)))
    assert (taken.value.field, taken.value.message) == ("image", "image 2 belongs to another post")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 301}, "title"),
        ({"summary": "x" * 2001}, "summary"),
        ({"visibility": "direct"}, "visibility"),
        ({"language": "english please"}, "language"),
        ({"tags": ("bad tag!",)}, "tags"),
        ({"tags": tuple(f"t{n}" for n in range(31))}, "tags"),
        ({"content_warning": "x" * 501}, "content_warning"),
        ({"series": "!!!"}, "series"),
        ({"media_ids": (1, 2, 3, 4, 5)}, "image"),
        ({"body_markdown": " ".join(f"@u{n}@h.example" for n in range(21))}, "body"),
    ],
    ids=["title", "summary", "visibility", "language", "tag", "tag-count", "warning", "series",
         "images", "mentions"],
)  # fmt: skip
async def test_bad_input_names_its_field_and_saves_nothing(
    ctx: HubContext, org: int, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await publish_post(ctx, "org", replace(POST, **changes))  # type: ignore[arg-type]  # test data
    assert refused.value.field == field
    assert await posts(ctx) == []


@pytest.mark.parametrize(
    "when",
    [datetime(2027, 1, 1, 12, 0), datetime.fromisoformat("2030-01-01T00:00:00+00:00")],  # noqa: DTZ001
    ids=["naive", "years-ahead"],
)
async def test_bad_publication_times_are_refused(ctx: HubContext, org: int, when: datetime) -> None:
    with pytest.raises(InvalidInput) as refused:
        await publish_post(ctx, "org", POST, publish_at=when)
    assert refused.value.field == "publish_at"
    assert await posts(ctx) == []


async def test_only_granted_accounts_and_admins_publish(ctx: HubContext, org: int) -> None:
    stranger = await create_account(ctx, "stranger@example.org", PASSWORD)
    writer = await create_account(ctx, "writer@example.org", PASSWORD, grant_actor_ids=(org,))
    admin = await create_account(ctx, "admin@example.org", PASSWORD, is_admin=True)
    with pytest.raises(PermissionDenied):
        await publish_post(ctx, "org", POST, account_id=stranger.id)
    published = await publish_post(ctx, "org", POST, account_id=writer.id)
    with pytest.raises(PermissionDenied):
        await edit_post(ctx, "org", published.slug, POST, account_id=stranger.id)
    with pytest.raises(PermissionDenied):
        await delete_post(ctx, "org", published.slug, account_id=stranger.id)
    await edit_post(ctx, "org", published.slug, POST, account_id=admin.id)
    await delete_post(ctx, "org", published.slug, account_id=writer.id)
    assert [row.activity_type for row in await activities(ctx)] == ["Create", "Update", "Delete"]


async def test_someone_elses_upload_cannot_be_attached(ctx: HubContext, org: int) -> None:
    writer = await create_account(ctx, "writer@example.org", PASSWORD, grant_actor_ids=(org,))
    other = await create_account(ctx, "other@example.org", PASSWORD, grant_actor_ids=(org,))
    media_id = await upload(ctx, alt="Mine", account_id=writer.id)
    with pytest.raises(PermissionDenied):
        await publish_post(ctx, "org", replace(POST, media_ids=(media_id,)), account_id=other.id)


async def test_edit_sends_update_with_the_same_id_and_a_later_updated(
    ctx: HubContext, org: int
) -> None:
    # Checklist 64: two edits in the same second still get increasing `updated`
    published = await publish_post(ctx, "org", POST)
    await edit_post(ctx, "org", published.slug, replace(POST, title="Taking stock, again"))
    await edit_post(ctx, "org", published.slug, replace(POST, title="Taking stock, third"))
    create, first, second = await activities(ctx)
    assert [first.activity_type, second.activity_type] == ["Update", "Update"]
    assert first.body["object"]["id"] == second.body["object"]["id"] == published.ap_id
    assert create.body["object"]["published"] < first.body["object"]["updated"]
    assert first.body["object"]["updated"] < second.body["object"]["updated"]
    assert second.body["object"]["name"] == "Taking stock, third"
    assert first.ap_id != second.ap_id
    assert not first.is_public


async def test_published_post_keeps_its_visibility(ctx: HubContext, org: int) -> None:
    published = await publish_post(ctx, "org", POST)
    with pytest.raises(InvalidInput) as refused:
        await edit_post(ctx, "org", published.slug, replace(POST, visibility="followers"))
    assert refused.value.field == "visibility"


async def test_update_and_delete_go_to_every_earlier_recipient(ctx: HubContext, org: int) -> None:
    published = await publish_post(ctx, "org", POST)
    async with ctx.sessions() as session, session.begin():
        # As if the Create had also gone to a mentioned actor's inbox
        job = (await session.exec(select(FanoutJob))).one()
        job.extra_inboxes = ["https://mastodon.example/inbox"]
        session.add(job)
    await edit_post(ctx, "org", published.slug, POST)
    await delete_post(ctx, "org", published.slug)
    async with ctx.sessions() as session:
        jobs = (await session.exec(select(FanoutJob).order_by(col(FanoutJob.id)))).all()
    assert [job.to_followers for job in jobs] == [True, True, True]
    assert jobs[1].extra_inboxes == ["https://mastodon.example/inbox"]
    assert jobs[2].extra_inboxes == ["https://mastodon.example/inbox"]


async def test_delete_sends_a_tombstone_and_keeps_the_row(ctx: HubContext, org: int) -> None:
    published = await publish_post(ctx, "org", replace(POST, visibility="followers"))
    await delete_post(ctx, "org", published.slug)
    _, delete = await activities(ctx)
    assert delete.body["type"] == "Delete"
    assert delete.body["object"] == {"id": published.ap_id, "type": "Tombstone"}
    assert delete.body["to"] == ["https://hub.test/users/org/followers"]
    (post,) = await posts(ctx)
    assert post.deleted_at is not None
    with pytest.raises(NotFound):
        await delete_post(ctx, "org", published.slug)
    with pytest.raises(NotFound):
        await edit_post(ctx, "org", published.slug, POST)


async def test_deleting_a_draft_removes_it_and_its_images(ctx: HubContext, org: int) -> None:
    media_id = await upload(ctx, alt="Draft picture")
    draft = await save_draft(ctx, "org", replace(POST, media_ids=(media_id,)))
    await delete_post(ctx, "org", draft.slug)
    assert await posts(ctx) == []
    assert await activities(ctx) == []
    assert list(media_folder(ctx).iterdir()) == []


async def test_followers_only_post_is_addressed_to_followers_and_kept_out_of_the_outbox(
    ctx: HubContext, org: int
) -> None:
    # Checklist 51
    await publish_post(ctx, "org", replace(POST, visibility="followers"))
    (create,) = await activities(ctx)
    assert create.body["to"] == ["https://hub.test/users/org/followers"]
    assert PUBLIC not in create.body["cc"] + create.body["object"]["to"]
    assert not create.is_public


async def test_body_links_hashtags_and_never_carries_images(ctx: HubContext, org: int) -> None:
    # Checklist 56 and 60
    body = "Seen at #dawn. ![a photo](https://example.org/a.png) <img src=x onerror=alert(1)>"
    await publish_post(ctx, "org", replace(POST, body_markdown=body, tags=()))
    (create,) = await activities(ctx)
    article = create.body["object"]
    assert (
        '<a href="https://hub.test/tags/dawn" class="mention hashtag" rel="tag">'
        in (article["content"])
    )
    assert {"type": "Hashtag", "name": "#dawn", "href": "https://hub.test/tags/dawn"} in (
        article["tag"]
    )
    for forbidden in ("<img", "<script", "<iframe"):
        assert forbidden not in article["content"]


async def test_scheduled_post_waits_then_goes_out_once(
    ctx: HubContext, org: int, clock: ManualClock
) -> None:
    when = clock.now + timedelta(days=1)
    scheduled = await publish_post(ctx, "org", POST, publish_at=when)
    assert scheduled.state == "scheduled"
    assert await publish_due_posts(ctx) == 0
    clock.advance(timedelta(days=1))
    assert await publish_due_posts(ctx) == 1
    assert await publish_due_posts(ctx) == 0
    (create,) = await activities(ctx)
    assert create.body["published"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    (post,) = await posts(ctx)
    assert post.state == "published"


async def test_a_scheduled_post_saved_as_draft_does_not_go_out(
    ctx: HubContext, org: int, clock: ManualClock
) -> None:
    scheduled = await publish_post(ctx, "org", POST, publish_at=clock.now + timedelta(hours=1))
    await edit_post(ctx, "org", scheduled.slug, replace(POST, title="Edited while waiting"))
    await save_draft(ctx, "org", POST, slug=scheduled.slug)
    clock.advance(timedelta(hours=2))
    assert await publish_due_posts(ctx) == 0
    rescheduled = await publish_post(
        ctx, "org", POST, slug=scheduled.slug, publish_at=clock.now + timedelta(hours=1)
    )
    assert rescheduled.state == "scheduled"
    clock.advance(timedelta(hours=1))
    assert await publish_due_posts(ctx) == 1
    assert [row.activity_type for row in await activities(ctx)] == ["Create"]


async def test_two_workers_publish_a_due_post_exactly_once(
    app: Starlette, ctx: HubContext, org: int, clock: ManualClock, database_url: str,
    tmp_path: Path, key_pool: KeyPool,
) -> None:  # fmt: skip
    for number in range(5):
        await publish_post(
            ctx,
            "org",
            replace(POST, title=f"Post {number}"),
            publish_at=clock.now + timedelta(minutes=1),
        )
    clock.advance(timedelta(minutes=1))
    # A second Hub process on the same database, with its own connections
    other = create_app(
        make_settings(database_url, tmp_path / "data"), generate_keys=key_pool, clock=clock
    )
    async with other.router.lifespan_context(other):
        counts = await asyncio.gather(
            publish_due_posts(ctx, limit=5), publish_due_posts(other.state.hub, limit=5)
        )
    assert sum(counts) == 5
    creates = [row.body["object"]["name"] for row in await activities(ctx)]
    assert sorted(creates) == [f"Post {number}" for number in range(5)]


async def test_preview_shows_the_page_body_the_object_and_mastodons_view(
    ctx: HubContext, org: int
) -> None:
    media_id = await upload(ctx, alt="Raised beds")
    async with ctx.sessions() as session:
        image = await session.get(MediaAttachment, media_id)
    assert image is not None
    actor_row = await get_local_actor(ctx, "org")
    preview = preview_post(ctx, actor_row, replace(POST, media_ids=(media_id,)), [image])
    assert "<p>In the seventh edition" in preview.body_html
    assert preview.document["type"] == "Article"
    assert preview.mastodon.title == POST.title
    assert preview.mastodon.summary == POST.summary
    assert preview.mastodon.link == "https://hub.test/@org/preview"
    assert [item.description for item in preview.mastodon.images] == ["Raised beds"]
    warned = preview_post(ctx, actor_row, replace(POST, content_warning="Grief"), [])
    assert warned.mastodon.object_type == "Note"
    assert warned.mastodon.content_warning == "Grief"
    assert "In the seventh edition" in warned.mastodon.text_html
    assert await posts(ctx) == []
