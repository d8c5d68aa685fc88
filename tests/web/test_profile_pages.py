"""The staff profile page: protected by CSRF, errors by their field, saved with a notice."""

import re

import httpx

from hub.context import HubContext
from hub.services.actors import get_local_actor
from tests.support.html import parse_page
from tests.support.images import image_bytes
from tests.support.staff import csrf_from, log_in, make_account
from tests.web.test_accessibility import _check_page as check_page

PAGE = "/admin/profile?as=org"
TYPED = {
    "as": "org",
    "display_name": "Leeds Community Kitchens",
    "bio": "We cook **together** every Thursday.",
    "link_label_1": "Website",
    "link_value_1": "https://kitchens.example/about",
    "link_label_2": "Pronouns",
    "link_value_2": "they/them",
    "link_label_3": "",
    "link_value_3": "",
    "link_label_4": "",
    "link_value_4": "",
    "post_kind": "article",
}


async def _signed_in(ctx: HubContext, client: httpx.AsyncClient) -> str:
    await make_account(ctx, actors=("org",))
    await log_in(client)
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


async def _post_avatar(
    client: httpx.AsyncClient, action: str, token: str | None, file: tuple[str, bytes] | None = None
) -> httpx.Response:
    """Send the avatar form as a browser would: the actor, the action, a token and a file."""
    data = {"as": "org", "action": action} | ({"csrf_token": token} if token else {})
    files = None if file is None else {"avatar": (file[0], file[1], "image/png")}
    return await client.post("/admin/profile/avatar", data=data, files=files)


def _unescaped(markup: str) -> str:
    return markup.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")


async def test_the_page_shows_the_stored_profile_in_a_labelled_form(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await _signed_in(staff_ctx, browser_like)
    response = await browser_like.get(PAGE)
    page = parse_page(response.text)
    assert check_page(page) == []
    assert 'value="The Organisation"' in response.text
    assert '<a href="/admin/profile">Profile</a>' in response.text
    assert response.headers["cache-control"] == "no-store"
    assert page.find("input", name="avatar").attrs["type"] == "file"


async def test_a_form_without_its_csrf_token_is_refused_and_keeps_what_was_typed(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await _signed_in(staff_ctx, browser_like)

    response = await browser_like.post("/admin/profile", data=TYPED)

    assert response.status_code == 403
    assert "nothing was saved" in response.text
    assert 'value="Leeds Community Kitchens"' in response.text
    assert (await get_local_actor(staff_ctx, "org")).display_name == "The Organisation"
    avatar = await _post_avatar(browser_like, "upload", None, ("a.png", image_bytes()))
    assert avatar.status_code == 403
    assert (await get_local_actor(staff_ctx, "org")).icon_url is None


async def test_an_error_is_shown_by_its_field_with_everything_typed_kept(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await _signed_in(staff_ctx, browser_like)
    typed = TYPED | {"link_value_3": "https://", "link_label_3": "Blog", "csrf_token": token}

    response = await browser_like.post("/admin/profile", data=typed)

    assert response.status_code == 400
    assert 'id="link_value_3-error"' in response.text
    assert re.search(r'id="link_value_3"[^>]*aria-describedby="link_value_3-error"', response.text)
    assert 'href="#link_value_3"' in response.text
    markup = _unescaped(response.text)
    for name in ("display_name", "link_label_1", "link_value_1", "link_value_2", "link_label_3"):
        assert f'value="{typed[name]}"' in markup, name
    assert typed["bio"] in markup
    assert (await get_local_actor(staff_ctx, "org")).display_name == "The Organisation"


async def test_saving_shows_a_notice_and_the_public_profile_shows_bio_and_links(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await _signed_in(staff_ctx, browser_like)

    response = await browser_like.post("/admin/profile", data=TYPED | {"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    page = await browser_like.get(PAGE)
    assert "Profile of @org saved" in page.text
    assert "We cook **together** every Thursday." in page.text
    public = await browser_like.get("/@org")
    assert '<h1 id="profile-name">Leeds Community Kitchens</h1>' in public.text
    assert "<strong>together</strong>" in public.text
    assert (
        '<a href="https://kitchens.example/about" rel="me nofollow noopener noreferrer">'
        "kitchens.example/about</a>"
    ) in public.text
    assert "they/them" in public.text


async def test_choosing_notes_changes_how_posts_federate(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await _signed_in(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/profile", data=TYPED | {"post_kind": "note", "csrf_token": token}
    )
    assert response.status_code == 303
    assert (await get_local_actor(staff_ctx, "org")).publishes_as_note is True
    page = await browser_like.get(PAGE)
    assert re.search(r'id="post_kind-note"[^>]* checked', page.text)


async def test_avatar_upload_shows_on_the_public_profile_and_can_be_removed(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await _signed_in(staff_ctx, browser_like)

    response = await _post_avatar(
        browser_like, "upload", token, ("me.png", image_bytes(size=(800, 800)))
    )

    assert response.status_code == 303
    actor = await get_local_actor(staff_ctx, "org")
    assert actor.icon_url is not None
    public = await browser_like.get("/@org")
    assert check_page(parse_page(public.text)) == []
    image = parse_page(public.text).find("img", alt="Avatar of The Organisation")
    assert image.attrs["src"] == actor.icon_url
    served = await browser_like.get(actor.icon_url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"

    removed = await _post_avatar(browser_like, "remove", token)
    assert removed.status_code == 303
    assert (await get_local_actor(staff_ctx, "org")).icon_url is None


async def test_a_file_that_is_not_an_image_is_refused_by_the_avatar_field(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await _signed_in(staff_ctx, browser_like)

    response = await _post_avatar(
        browser_like, "upload", token, ("notes.png", b"%PDF-1.4 not an image")
    )

    assert response.status_code == 400
    assert 'id="avatar-error"' in response.text
    assert "JPEG, PNG, GIF or WebP" in response.text
    assert (await get_local_actor(staff_ctx, "org")).icon_url is None
