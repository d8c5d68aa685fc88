"""Follow lists page by keyset; decisions and reactions check the account's right first."""

import pytest
from sqlmodel import select

from hub.context import HubContext
from hub.models import Follow, OutgoingActivity
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.followers import decide_follower, follow_page
from hub.services.following import check_reference, follow_as
from hub.services.interactions import react
from tests.support.staff import make_account
from tests.support.timeline import add_remote_actor, add_timeline_post


async def _followers(ctx: HubContext, count: int, *, state: str = "accepted") -> None:
    org = await create_actor(ctx, "org")
    for number in range(count):
        remote = await add_remote_actor(ctx, f"fan{number}", "field.example")
        assert org.id is not None
        assert remote.id is not None
        async with ctx.sessions() as session, session.begin():
            session.add(
                Follow(follower_id=remote.id, followed_id=org.id, state=state,
                       ap_id=f"{remote.ap_id}#follows/1", created_at=ctx.clock())
            )  # fmt: skip


async def test_follower_pages_walk_newest_first_without_repeating(ctx: HubContext) -> None:
    await _followers(ctx, 5)
    first = await follow_page(ctx, "org", "followers", page_size=2)
    second = await follow_page(ctx, "org", "followers", before=first.next_cursor, page_size=2)
    third = await follow_page(ctx, "org", "followers", before=second.next_cursor, page_size=2)
    handles = [row.other.handle for page in (first, second, third) for row in page.rows]
    assert handles == [f"fan{number}@field.example" for number in (4, 3, 2, 1, 0)]
    assert third.next_cursor is None


async def test_approving_a_follow_that_is_already_accepted_is_refused(ctx: HubContext) -> None:
    await _followers(ctx, 1)
    with pytest.raises(InvalidInput):
        await decide_follower(ctx, "org", "https://field.example/users/fan0", "approve")
    async with ctx.sessions() as session:
        assert (await session.exec(select(OutgoingActivity))).all() == []


async def test_deciding_about_someone_who_does_not_follow_is_not_found(ctx: HubContext) -> None:
    await _followers(ctx, 0)
    with pytest.raises(NotFound):
        await decide_follower(ctx, "org", "https://field.example/users/nobody", "remove")


async def test_staff_without_the_grant_may_not_manage_or_react(ctx: HubContext) -> None:
    await _followers(ctx, 1, state="pending")
    account = await make_account(ctx)  # no grant
    author = await add_remote_actor(ctx, "ann", "other.example")
    post = await add_timeline_post(ctx, author)
    with pytest.raises(PermissionDenied):
        await decide_follower(
            ctx, "org", "https://field.example/users/fan0", "approve", account_id=account.id
        )
    with pytest.raises(PermissionDenied):
        await react(ctx, "org", post.ap_id, "like", account_id=account.id)
    with pytest.raises(PermissionDenied):
        await follow_as(ctx, "org", "@ann@other.example", account_id=account.id)


@pytest.mark.parametrize(
    "typed",
    ["", "ann", "ann@", "@ann@", "ftp://x.example/u", "http://", "a" * 3000],
)
def test_check_reference_refuses_what_cannot_name_an_account(typed: str) -> None:
    with pytest.raises(InvalidInput):
        check_reference(typed)


@pytest.mark.parametrize("typed", ["@ann@x.example", "ann@x.example", "https://x.example/@ann"])
def test_check_reference_accepts_handles_and_addresses(typed: str) -> None:
    assert check_reference(f"  {typed} ") == typed
