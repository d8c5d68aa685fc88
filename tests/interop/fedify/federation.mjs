// The Fedify side of the peer: actors created on demand, their keys, followers and notes, and
// inbox listeners that accept every Follow and note what Fedify's vocabulary made of each
// activity.

import { randomUUID } from "node:crypto";
import {
  Accept,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  MemoryKvStore,
  Note,
  Person,
  Undo,
  Update,
  createFederation,
  getDocumentLoader,
  importJwk,
  isActor,
} from "@fedify/fedify";
import { actors, logs, notes, pending } from "./records.mjs";

export const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
export const federation = createFederation({
  kv: new MemoryKvStore(),
  // The Hub under test listens on loopback; Fedify refuses private addresses by default.
  allowPrivateAddress: true,
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (!actors.has(identifier)) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: `Fedify peer ${identifier}`,
      summary: "A Fedify server that checks a Hub.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((key) => key.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    const actor = actors.get(identifier);
    if (actor == null) return [];
    return [{
      privateKey: await importJwk(actor.keyPair.privateKey, "private"),
      publicKey: await importJwk(actor.keyPair.publicKey, "public"),
    }];
  });

federation.setOutboxDispatcher("/users/{identifier}/outbox", () => ({ items: [] }));

federation.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
  const actor = actors.get(identifier);
  return { items: actor == null ? [] : [...actor.followers.values()] };
});

federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", async (ctx, values) => {
  const id = ctx.getObjectUri(Note, values).href;
  const stored = notes.get(id);
  return stored == null ? null : await Note.fromJsonLd(stored, { documentLoader });
});

function recordOf(activity) {
  const id = activity.id?.href;
  return pending.findLast((delivery) => delivery.id === id);
}

async function tagsOf(object) {
  const tags = [];
  if (typeof object.getTags !== "function") return tags;
  for await (const tag of object.getTags({ documentLoader })) {
    tags.push({
      type: tag.constructor.name,
      name: tag.name?.toString() ?? null,
      href: tag.href?.href ?? null,
    });
  }
  return tags;
}

async function attachmentsOf(object) {
  const attachments = [];
  if (typeof object.getAttachments !== "function") return attachments;
  for await (const attachment of object.getAttachments({ documentLoader })) {
    attachments.push({
      type: attachment.constructor.name,
      name: attachment.name?.toString() ?? null,
      mediaType: attachment.mediaType ?? null,
      url: hrefOf(attachment.url),
      width: attachment.width ?? null,
      height: attachment.height ?? null,
    });
  }
  return attachments;
}

function hrefOf(value) {
  if (value == null) return null;
  if (value instanceof URL) return value.href;
  return value.href instanceof URL ? value.href.href : null;
}

export async function describe(object) {
  if (object == null) return null;
  return {
    type: object.constructor.name,
    id: object.id?.href ?? null,
    name: object.name?.toString() ?? null,
    summary: object.summary?.toString() ?? null,
    content: object.content?.toString() ?? null,
    url: hrefOf(object.url),
    attributedTo: object.attributionId?.href ?? null,
    inReplyTo: object.replyTargetId?.href ?? null,
    published: object.published?.toString() ?? null,
    updated: object.updated?.toString() ?? null,
    to: object.toIds?.map((url) => url.href) ?? [],
    cc: object.ccIds?.map((url) => url.href) ?? [],
    tags: await tagsOf(object),
    attachments: await attachmentsOf(object),
  };
}

// Record what Fedify's vocabulary made of an activity's object (or why it could not).
async function parsed(ctx, activity) {
  const record = recordOf(activity);
  if (record == null) return;
  record.listener = activity.constructor.name;
  try {
    const object = await activity.getObject({ documentLoader: ctx.documentLoader });
    record.object = await describe(object);
  } catch (error) {
    record.objectError = String(error);
  }
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    await parsed(ctx, follow);
    const target = ctx.parseUri(follow.objectId);
    if (target?.type !== "actor" || !actors.has(target.identifier)) return;
    const follower = await follow.getActor(ctx);
    if (!isActor(follower)) return;
    actors.get(target.identifier).followers.set(follower.id.href, follower);
    await ctx.sendActivity(
      { identifier: target.identifier },
      follower,
      new Accept({
        id: new URL(`#accepts/${randomUUID()}`, ctx.getActorUri(target.identifier)),
        actor: ctx.getActorUri(target.identifier),
        object: follow,
      }),
    );
  })
  .on(Accept, parsed)
  .on(Create, parsed)
  .on(Update, parsed)
  .on(Delete, async (ctx, activity) => {
    const record = recordOf(activity);
    if (record != null) {
      record.listener = "Delete";
      record.object = { id: activity.objectId?.href ?? null };
    }
  })
  .on(Undo, async (ctx, undo) => {
    await parsed(ctx, undo);
    const inner = await undo.getObject({ documentLoader: ctx.documentLoader });
    if (inner instanceof Follow) {
      const target = ctx.parseUri(inner.objectId);
      if (target?.type === "actor") actors.get(target.identifier)?.followers.delete(undo.actorId?.href);
    }
  })
  .on(Like, parsed)
  .on(Announce, parsed)
  .onError((_ctx, error) => {
    logs.push({ level: "error", category: "peer.inbox", message: String(error) });
  });

