"""Staff edit their organisation's profile on the web; a following Hub sees the new profile."""

from sqlmodel import select

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import create_actor
from hub.services.following import follow
from tests.support.images import image_bytes
from tests.support.network import Network
from tests.support.staff import form_token
from tests.support.staff_network import staff_client

ALPHA, BETA = "alpha.test", "beta.test"
BETA_ORG = "https://beta.test/users/org"


async def _stored_copy(ctx: HubContext, ap_id: str) -> Actor:
    async with ctx.sessions() as session:
        actor = (await session.exec(select(Actor).where(Actor.ap_id == ap_id))).one()
    return actor


async def test_profile_changes_made_on_the_page_reach_a_following_hub(network: Network) -> None:
    alpha, beta = network.hub(ALPHA), network.hub(BETA)
    await create_actor(alpha, "org")
    await create_actor(beta, "org", display_name="Beta Network")

    # Given alpha follows beta's organisation
    await follow(alpha, "org", "@org@beta.test")
    await network.settle()
    assert (await _stored_copy(alpha, BETA_ORG)).display_name == "Beta Network"

    # When beta's staff change the name, bio, links and avatar through the profile page
    async with staff_client(network, BETA) as client:
        token = await form_token(client, "/admin/profile?as=org")
        saved = await client.post(
            "/admin/profile",
            data={
                "csrf_token": token, "as": "org", "display_name": "Beta Community Network",
                "bio": "Neighbours **helping** neighbours.", "link_label_1": "Website",
                "link_value_1": "https://network.example", "link_label_2": "Meets",
                "link_value_2": "Thursdays", "post_kind": "article",
            },
        )  # fmt: skip
        assert saved.status_code == 303, saved.text
        uploaded = await client.post(
            "/admin/profile/avatar",
            data={"csrf_token": token, "as": "org", "action": "upload"},
            files={"avatar": ("logo.png", image_bytes(size=(500, 250)), "image/png")},
        )
        assert uploaded.status_code == 303, uploaded.text
    await network.settle()

    # Then alpha's copy of beta's actor shows the new name, bio, links and avatar
    local = await _stored_copy(beta, BETA_ORG)
    remote = await _stored_copy(alpha, BETA_ORG)
    assert remote.display_name == "Beta Community Network"
    assert "<strong>helping</strong>" in remote.summary_html
    assert local.icon_url is not None
    assert local.icon_url.startswith("https://beta.test/media/")
    assert remote.icon_url == local.icon_url
    assert remote.icon_media_type == "image/png"
    assert remote.profile_links == [["Website", "https://network.example"], ["Meets", "Thursdays"]]
