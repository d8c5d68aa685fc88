// The control API's commands: what the tests tell the peer to do (follow, post, like, boost,
// reply, look up), each sent or fetched through Fedify.

import { randomUUID } from "node:crypto";
import {
  Announce,
  Create,
  Follow,
  Like,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Undo,
  exportJwk,
  isActor,
} from "@fedify/fedify";
import { describe, documentLoader, federation } from "./federation.mjs";
import { actors, logs, notes, problemsSince } from "./records.mjs";

let origin = null;

export function setOrigin(value) {
  origin = value;
}

function context() {
  return federation.createContext(new URL(origin), undefined);
}

function actorNamed(name) {
  if (!actors.has(name)) throw new Error(`no peer actor ${name}`);
  return name;
}

async function lookup(ctx, url) {
  const object = await ctx.lookupObject(url, { documentLoader });
  if (object == null) throw new Error(`lookupObject(${url}) found nothing`);
  return object;
}

async function authorOf(ctx, object) {
  const author = await object.getAttribution({ documentLoader });
  if (!isActor(author)) throw new Error(`the author of ${object.id} is not an actor`);
  return author;
}

function noteId(ctx, identifier) {
  return ctx.getObjectUri(Note, { identifier, id: randomUUID() });
}

async function storeNote(note) {
  notes.set(note.id.href, await note.toJsonLd());
}

export const commands = {
  async actors({ name }) {
    if (!actors.has(name)) {
      // RSA-2048, as Mastodon and Hub use (Fedify's default is 4096 bits, slower to make).
      const pair = await crypto.subtle.generateKey(
        {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        },
        true,
        ["sign", "verify"],
      );
      actors.set(name, {
        keyPair: {
          privateKey: await exportJwk(pair.privateKey),
          publicKey: await exportJwk(pair.publicKey),
        },
        followers: new Map(),
      });
    }
    return { id: context().getActorUri(name).href };
  },

  async follow({ actor, target }) {
    const ctx = context();
    const followed = await lookup(ctx, target);
    const follow = new Follow({
      id: new URL(`#follows/${randomUUID()}`, ctx.getActorUri(actorNamed(actor))),
      actor: ctx.getActorUri(actor),
      object: followed.id,
    });
    await ctx.sendActivity({ identifier: actor }, followed, follow);
    return { id: follow.id.href };
  },

  async unfollow({ actor, target, follow_id: followId }) {
    const ctx = context();
    const followed = await lookup(ctx, target);
    const undo = new Undo({
      id: new URL(`#undo/${randomUUID()}`, ctx.getActorUri(actorNamed(actor))),
      actor: ctx.getActorUri(actor),
      object: new Follow({ id: new URL(followId), actor: ctx.getActorUri(actor), object: followed.id }),
    });
    await ctx.sendActivity({ identifier: actor }, followed, undo);
    return { id: undo.id.href };
  },

  async post({ actor, content }) {
    const ctx = context();
    const note = new Note({
      id: noteId(ctx, actorNamed(actor)),
      attribution: ctx.getActorUri(actor),
      content,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(actor),
    });
    await storeNote(note);
    const create = new Create({
      id: new URL(`${note.id.href}/activity`),
      actor: ctx.getActorUri(actor),
      object: note,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(actor),
    });
    await ctx.sendActivity({ identifier: actor }, "followers", create, { preferSharedInbox: true });
    return { id: note.id.href };
  },

  async like({ actor, object }) {
    const ctx = context();
    const liked = await lookup(ctx, object);
    const like = new Like({
      id: new URL(`#likes/${randomUUID()}`, ctx.getActorUri(actorNamed(actor))),
      actor: ctx.getActorUri(actor),
      object: liked.id,
    });
    await ctx.sendActivity({ identifier: actor }, await authorOf(ctx, liked), like);
    return { id: like.id.href };
  },

  async boost({ actor, object }) {
    const ctx = context();
    const boosted = await lookup(ctx, object);
    const author = await authorOf(ctx, boosted);
    const announce = new Announce({
      id: new URL(`${noteId(ctx, actorNamed(actor)).href}/activity`),
      actor: ctx.getActorUri(actor),
      object: boosted.id,
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(actor)],
    });
    await ctx.sendActivity({ identifier: actor }, author, announce, { preferSharedInbox: true });
    return { id: announce.id.href };
  },

  async reply({ actor, object, content }) {
    const ctx = context();
    const parent = await lookup(ctx, object);
    const author = await authorOf(ctx, parent);
    const note = new Note({
      id: noteId(ctx, actorNamed(actor)),
      attribution: ctx.getActorUri(actor),
      content,
      replyTarget: parent.id,
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(actor)],
      tags: [new Mention({ href: author.id, name: `@${author.preferredUsername}` })],
    });
    await storeNote(note);
    const create = new Create({
      id: new URL(`${note.id.href}/activity`),
      actor: ctx.getActorUri(actor),
      object: note,
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(actor)],
    });
    await ctx.sendActivity({ identifier: actor }, author, create, { preferSharedInbox: true });
    return { id: note.id.href };
  },

  // Look a document up the way a Fedify application does, and report every warning and
  // error Fedify logged while fetching and parsing it.
  async lookup({ url }) {
    const ctx = context();
    const mark = logs.length;
    const object = await lookup(ctx, url);
    const jsonLd = await object.toJsonLd({ format: "compact" });
    const described = await describe(object);
    if (isActor(object)) {
      const key = await object.getPublicKey({ documentLoader });
      described.preferredUsername = object.preferredUsername?.toString() ?? null;
      described.inbox = object.inboxId?.href ?? null;
      described.sharedInbox = object.endpoints?.sharedInbox?.href ?? null;
      described.followers = object.followersId?.href ?? null;
      described.publicKeyId = key?.id?.href ?? null;
      described.publicKeyOwner = key?.ownerId?.href ?? null;
    }
    return { object: described, jsonLd, problems: problemsSince(mark) };
  },
};

