"""The whole route table in one place."""

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hub.web import (
    activity_documents,
    activitypub_endpoints,
    feeds,
    follow_page,
    inbox_endpoints,
    media_endpoints,
    pages,
    wellknown,
)
from hub.web import search_pages as public_search_pages
from hub.web.admin import (
    accounts_pages,
    compose_pages,
    follows_pages,
    login_pages,
    notifications_pages,
    posts_pages,
    profile_pages,
    reader_pages,
    replies_pages,
    search_pages,
)
from hub.web.forms import closing_form
from hub.web.templating import STATIC_DIR


def build_routes() -> list[Route | Mount]:
    """Return every route of the app."""
    return [
        Route("/", pages.home, methods=["GET"], name="home"),
        Route("/search", public_search_pages.search, methods=["GET"]),
        Route("/.well-known/webfinger", wellknown.webfinger, methods=["GET"]),
        Route("/.well-known/host-meta", wellknown.host_meta, methods=["GET"]),
        Route("/.well-known/nodeinfo", wellknown.nodeinfo_discovery, methods=["GET"]),
        Route("/nodeinfo/{version}", wellknown.nodeinfo_document, methods=["GET"]),
        Route("/actor", activitypub_endpoints.instance_actor, methods=["GET"]),
        Route("/inbox", inbox_endpoints.shared_inbox, methods=["POST"]),
        Route("/actor/inbox", inbox_endpoints.instance_inbox, methods=["POST"]),
        Route("/users/{username}/inbox", inbox_endpoints.actor_inbox, methods=["POST"]),
        Route("/users/{username}/posts/{slug}", activitypub_endpoints.post, methods=["GET"]),
        Route("/users/{username}/activities/{token}", activity_documents.activity, methods=["GET"]),
        Route("/tags/{tag}", pages.tag_page, methods=["GET"], name="tag"),
        Route("/@{username}/feed.atom", feeds.atom_feed, methods=["GET"], name="atom_feed"),
        Route("/@{username}/feed.rss", feeds.rss_feed, methods=["GET"], name="rss_feed"),
        Route("/@{username}/series/{series_slug}", pages.series_page, methods=["GET"]),
        Route(
            "/users/{username}/posts/{slug}/{collection}",
            activitypub_endpoints.post_reactions,
            methods=["GET"],
        ),
        # Before the post route, which would take "follow" for a slug.
        Route("/@{username}/follow", follow_page.follow_page, methods=["GET"], name="follow"),
        Route("/@{username}/{slug}", activitypub_endpoints.post, methods=["GET"]),
        Route("/@{username}", activitypub_endpoints.actor, methods=["GET"], name="profile"),
        Route("/users/{username}", activitypub_endpoints.actor, methods=["GET"]),
        Route("/users/{username}/{collection}", activitypub_endpoints.collection, methods=["GET"]),
        Route("/media/{file_name}", media_endpoints.media, methods=["GET", "HEAD"]),
        *staff_routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def staff_routes() -> list[Route]:
    """Return the routes of the staff pages: login, accounts, writing and managing posts."""
    return [
        Route("/login", login_pages.login_page, methods=["GET"]),
        Route("/login", closing_form(login_pages.login), methods=["POST"]),
        Route("/logout", login_pages.logout_page, methods=["GET"]),
        Route("/logout", closing_form(login_pages.logout), methods=["POST"]),
        Route("/admin/password", login_pages.password_page, methods=["GET"]),
        Route("/admin/password", closing_form(login_pages.password), methods=["POST"]),
        Route("/admin/accounts", accounts_pages.accounts_page, methods=["GET"]),
        Route("/admin/accounts", closing_form(accounts_pages.create_account), methods=["POST"]),
        Route(
            "/admin/accounts/{account_id}/grants",
            closing_form(accounts_pages.change_grant),
            methods=["POST"],
        ),
        Route("/admin", posts_pages.admin_home, methods=["GET"]),
        Route("/admin/", posts_pages.admin_home, methods=["GET"]),
        Route("/admin/posts", posts_pages.posts_page, methods=["GET"]),
        Route("/admin/compose", compose_pages.compose_page, methods=["GET"]),
        Route("/admin/compose", closing_form(compose_pages.compose), methods=["POST"]),
        Route("/admin/posts/{actor}/{slug}/edit", compose_pages.edit_page, methods=["GET"]),
        Route(
            "/admin/posts/{actor}/{slug}/edit", closing_form(compose_pages.edit), methods=["POST"]
        ),
        Route("/admin/posts/{actor}/{slug}/delete", posts_pages.delete_page, methods=["GET"]),
        Route(
            "/admin/posts/{actor}/{slug}/delete", closing_form(posts_pages.delete), methods=["POST"]
        ),
        *reader_routes(),
        *conversation_routes(),
    ]


def conversation_routes() -> list[Route]:
    """Return the routes of replies held for approval and of staff search."""
    return [
        Route("/admin/replies", replies_pages.replies_page, methods=["GET"]),
        Route("/admin/replies/{reply_id}", closing_form(replies_pages.decide), methods=["POST"]),
        Route("/admin/search", search_pages.search, methods=["GET"]),
    ]


def reader_routes() -> list[Route]:
    """Return the routes of the reader, following and followers, and notifications."""
    return [
        Route("/admin/reader", reader_pages.reader, methods=["GET"]),
        Route(
            "/admin/reader/{entry_id}/react",
            closing_form(reader_pages.react_to_entry),
            methods=["POST"],
        ),
        Route("/admin/reader/{entry_id}/reply", reader_pages.reply_page, methods=["GET"]),
        Route("/admin/reader/{entry_id}/reply", closing_form(reader_pages.reply), methods=["POST"]),
        Route("/admin/following", follows_pages.following_page, methods=["GET"]),
        Route("/admin/following", closing_form(follows_pages.follow), methods=["POST"]),
        Route("/admin/following/unfollow", closing_form(follows_pages.unfollow), methods=["POST"]),
        Route("/admin/followers", follows_pages.followers_page, methods=["GET"]),
        Route("/admin/followers/decide", closing_form(follows_pages.decide), methods=["POST"]),
        Route("/admin/followers/approval", closing_form(follows_pages.approval), methods=["POST"]),
        Route("/admin/profile", profile_pages.profile_page, methods=["GET"]),
        Route("/admin/profile", closing_form(profile_pages.save_profile), methods=["POST"]),
        Route("/admin/profile/avatar", closing_form(profile_pages.change_avatar), methods=["POST"]),
        Route("/admin/notifications", notifications_pages.notifications, methods=["GET"]),
        Route(
            "/admin/notifications/read",
            closing_form(notifications_pages.mark_all_read),
            methods=["POST"],
        ),
    ]
