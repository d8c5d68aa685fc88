"""ActivityPub GET endpoints: actor documents and their collections, with negotiation."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.activities import build_tombstone
from hub.activitypub.build import build_ordered_collection, build_ordered_collection_page
from hub.activitypub.jsonld import AS_CONTEXT
from hub.services.actors import actor_document, ensure_instance_actor
from hub.services.collections import (
    COLLECTION_NAMES,
    CollectionName,
    collection_page,
    collection_total,
)
from hub.services.listing import is_shown_on_its_page
from hub.services.publishing import get_local_post
from hub.services.reactions import (
    REACTION_COLLECTIONS,
    ReactionCollection,
    reaction_collection_id,
    reaction_total,
    reply_page,
    with_reactions,
)
from hub.web.app_state import hub_context
from hub.web.caching import ACTOR_MAX_AGE, GONE_MAX_AGE, POST_MAX_AGE, cacheable
from hub.web.negotiation import negotiate
from hub.web.page_cache import rendered_for_visitors
from hub.web.pages import render_deleted_post, render_post_page, render_profile
from hub.web.paths import actor_from_path
from hub.web.responses import activity_json

MAX_CURSOR = 2**62


def wants_json(request: Request) -> bool:
    """Return whether the client asked for AS2 JSON; raise 406 when it accepts nothing we have."""
    representation = negotiate(request.headers.get("accept"))
    if representation is None:
        raise HTTPException(406, "acceptable types: application/activity+json, text/html")
    return representation == "json"


async def actor(request: Request) -> Response:
    """Serve a local actor: JSON to ActivityPub clients, the profile page to browsers."""
    ctx = hub_context(request)
    username = str(request.path_params["username"]).lower()
    document = ctx.actor_documents.get(username)
    if document is not None and wants_json(request):
        return cacheable(request, activity_json(document), max_age=ACTOR_MAX_AGE)
    if wants_json(request):
        document = await actor_document(ctx, await actor_from_path(request))
        ctx.actor_documents.put(username, document)
        return cacheable(request, activity_json(document), max_age=ACTOR_MAX_AGE)
    return await rendered_for_visitors(
        request, ("profile", str(request.url)), lambda: _render_profile_page(request)
    )


async def _render_profile_page(request: Request) -> Response:
    return await render_profile(request, await actor_from_path(request))


async def instance_actor(request: Request) -> Response:
    """Serve the instance actor at `/actor`; always public, as Mastodon's is (spec §2.4)."""
    wants_json(request)
    ctx = hub_context(request)
    document = await actor_document(ctx, await ensure_instance_actor(ctx))
    return cacheable(request, activity_json(document), max_age=ACTOR_MAX_AGE)


def _parse_cursor(request: Request) -> int | None:
    raw = request.query_params.get("before")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) > MAX_CURSOR:
        raise HTTPException(400, "before must be a positive integer")
    return int(raw)


async def collection(request: Request) -> Response:
    """Serve an actor's outbox, followers, following or featured collection, or one page."""
    key = ("collection", str(request.url), negotiate(request.headers.get("accept")))
    return await rendered_for_visitors(request, key, lambda: _render_collection(request))


async def _render_collection(request: Request) -> Response:
    name = request.path_params["collection"]
    if name not in COLLECTION_NAMES:
        raise HTTPException(404, "no such collection")
    collection_name: CollectionName = name
    local_actor = await actor_from_path(request)
    wants_json(request)
    ctx = hub_context(request)
    collection_id = f"{local_actor.ap_id}/{collection_name}"
    cursor = _parse_cursor(request)
    if collection_name == "featured":
        # Mastodon reads only the first page of featured and accepts inline items there.
        page = await collection_page(ctx, local_actor, collection_name, before=None)
        document = build_ordered_collection(collection_id, len(page.items), first_page_url=None)
        document["orderedItems"] = page.items
        return activity_json(document)
    if "page" not in request.query_params and cursor is None:
        total = await collection_total(ctx, local_actor, collection_name)
        return activity_json(
            build_ordered_collection(
                collection_id, total, first_page_url=f"{collection_id}?page=true"
            )
        )
    page = await collection_page(ctx, local_actor, collection_name, before=cursor)
    next_url = (
        None if page.next_cursor is None else f"{collection_id}?page=true&before={page.next_cursor}"
    )
    page_id = collection_id + "?page=true" + (f"&before={cursor}" if cursor is not None else "")
    return activity_json(
        build_ordered_collection_page(page_id, collection_id, page.items, next_page_url=next_url)
    )


async def post(request: Request) -> Response:
    """Serve one of our posts: its AS2 object, or its page; a Tombstone with 410 once deleted."""
    if not request.path_params["slug"].isalnum():
        raise HTTPException(404, "no such post")
    # The same path serves the object to servers and the page to people (and previews).
    key = ("post", str(request.url), negotiate(request.headers.get("accept")))
    return await rendered_for_visitors(request, key, lambda: _render_post(request))


async def _render_post(request: Request) -> Response:
    ctx = hub_context(request)
    author, local_post = await get_local_post(
        ctx, request.path_params["username"], request.path_params["slug"]
    )
    as_json = wants_json(request)
    if local_post.state != "published":
        raise HTTPException(404, "no such post")  # drafts and scheduled posts are not out yet
    if local_post.deleted_at is not None:
        if as_json:
            response = activity_json(build_tombstone(local_post.ap_id, local_post.deleted_at))
            response.status_code = 410
            return cacheable(request, response, max_age=GONE_MAX_AGE)
        return render_deleted_post(request, author)
    if not is_shown_on_its_page(local_post):
        raise HTTPException(404, "no such post")
    if as_json:
        # The document carries reaction counts, which change without an edit: only the
        # ETag (a hash of the body) can say whether a cached copy is current.
        document = await with_reactions(ctx, local_post, local_post.document or {})
        return cacheable(request, activity_json(document), max_age=POST_MAX_AGE)
    return await render_post_page(request, author, local_post)


async def post_reactions(request: Request) -> Response:
    """Serve a post's likes or shares (counts only, as Mastodon does) or its replies."""
    name = request.path_params["collection"]
    if name not in REACTION_COLLECTIONS or not request.path_params["slug"].isalnum():
        raise HTTPException(404, "no such collection")
    collection_name: ReactionCollection = name
    ctx = hub_context(request)
    _, local_post = await get_local_post(
        ctx, request.path_params["username"], request.path_params["slug"]
    )
    wants_json(request)
    if local_post.deleted_at is not None:
        raise HTTPException(410, "this post was deleted")
    if not is_shown_on_its_page(local_post):
        raise HTTPException(404, "no such post")
    collection_id = reaction_collection_id(local_post, collection_name)
    if collection_name != "replies":
        total = await reaction_total(ctx, local_post, collection_name)
        return activity_json(
            {
                "@context": AS_CONTEXT,
                "id": collection_id,
                "type": "Collection",
                "totalItems": total,
            }
        )
    cursor = _parse_cursor(request)
    page = await reply_page(ctx, local_post, before=cursor)
    if "page" not in request.query_params and cursor is None:
        return activity_json(
            build_ordered_collection(
                collection_id, page.total, first_page_url=f"{collection_id}?page=true"
            )
        )
    next_url = (
        None if page.next_cursor is None else f"{collection_id}?page=true&before={page.next_cursor}"
    )
    page_id = collection_id + "?page=true" + (f"&before={cursor}" if cursor is not None else "")
    return activity_json(
        build_ordered_collection_page(
            page_id, collection_id, page.items, next_page_url=next_url, total_items=page.total
        )
    )
