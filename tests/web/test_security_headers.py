"""HTML pages carry a strict Content-Security-Policy; ActivityPub JSON needs none."""

import httpx

from hub.web.security_headers import CONTENT_SECURITY_POLICY


async def test_html_pages_allow_scripts_and_styles_from_this_hub_only(
    browser_like: httpx.AsyncClient,
) -> None:
    for path in ("/", "/@org", "/search?q=compost", "/login", "/no-such-page"):
        response = await browser_like.get(path)
        policy = response.headers["content-security-policy"]
        assert policy.startswith(CONTENT_SECURITY_POLICY), path
        assert "'unsafe-inline'" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_staff_pages_keep_their_own_framing_rule_as_well(
    browser_like: httpx.AsyncClient,
) -> None:
    response = await browser_like.get("/login")
    assert response.headers["content-security-policy"].endswith("frame-ancestors 'none'")


async def test_activitypub_documents_have_no_page_policy(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.get("/users/org", headers={"Accept": "application/activity+json"})
    assert "content-security-policy" not in response.headers
