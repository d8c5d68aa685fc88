// A Fedify server that plays a fediverse peer of a Hub in the interop tests.
//
// It serves actors created on demand, follows, posts, likes, boosts and replies when told
// to through a small JSON control API under /_control/, accepts every Follow, and records
// every activity delivered to its inboxes together with:
//   - its own HTTP-signature verdict (Fedify's verifyRequest, called before Fedify's inbox
//     handling, because Fedify may accept an object integrity proof without checking the
//     HTTP signature),
//   - what Fedify's inbox listeners made of it (the parsed object's type and fields),
//   - the warnings and errors Fedify logged while handling it.
//
// Usage: node peer.mjs --port PORT   (listens on 127.0.0.1 only)

import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { configure } from "@logtape/logtape";
import {
  Accept,
  Announce,
  Article,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  Mention,
  MemoryKvStore,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Undo,
  Update,
  createFederation,
  exportJwk,
  getDocumentLoader,
  importJwk,
  isActor,
  verifyRequest,
} from "@fedify/fedify";

const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node peer.mjs --port PORT");
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;

// --- What the peer knows and records ---------------------------------------------------

const actors = new Map(); // identifier -> { keyPair (JWKs), followers: Map(id -> recipient) }
const notes = new Map(); // note id -> JSON-LD of the note, so it can be dereferenced
const deliveries = []; // every POST to an inbox, once Fedify has handled it
const pending = []; // POSTs Fedify is still handling (listeners look them up by id)
const logs = []; // every Fedify log record, in order

function render(record) {
  return record.message
    .map((part, index) => (index % 2 === 0 ? part : JSON.stringify(part)))
    .join("");
}

await configure({
  sinks: {
    capture: (record) =>
      logs.push({
        level: record.level,
        category: record.category.join("."),
        message: render(record),
      }),
  },
  loggers: [
    { category: "fedify", sinks: ["capture"], lowestLevel: "debug" },
    { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
  ],
});

function problemsSince(index) {
  return logs.slice(index).filter((entry) => entry.level === "warning" || entry.level === "error"
    || entry.level === "fatal");
}

// --- The federation --------------------------------------------------------------------

const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const federation = createFederation({
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

function hrefOf(value) {
  if (value == null) return null;
  if (value instanceof URL) return value.href;
  return value.href instanceof URL ? value.href.href : null;
}

async function describe(object) {
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

// --- The control API -------------------------------------------------------------------

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

const commands = {
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

async function control(request, response, name) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
  const mark = logs.length;
  try {
    let result;
    if (name === "health") result = { ok: true };
    else if (name === "received") result = { deliveries };
    else if (name === "logs") result = { logs };
    else if (Object.hasOwn(commands, name)) result = await commands[name](body);
    else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(result));
  } catch (error) {
    response.writeHead(500, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: String(error?.stack ?? error), logs: logs.slice(mark) }));
  }
}

// --- HTTP ------------------------------------------------------------------------------

async function toFetchRequest(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = !["GET", "HEAD"].includes(request.method);
  return new Request(new URL(request.url, origin), {
    method: request.method,
    headers,
    body: hasBody ? body : undefined,
  });
}

async function recordDelivery(request) {
  const text = await request.clone().text();
  let activity = null;
  try {
    activity = JSON.parse(text);
  } catch {
    // recorded as unparsable below
  }
  const mark = logs.length;
  const key = await verifyRequest(request.clone(), {
    documentLoader,
    contextLoader: documentLoader,
  }).catch((error) => {
    logs.push({ level: "error", category: "peer.verify", message: String(error) });
    return null;
  });
  const record = {
    path: new URL(request.url).pathname,
    id: activity?.id ?? null,
    type: activity?.type ?? null,
    actor: typeof activity?.actor === "string" ? activity.actor : activity?.actor?.id ?? null,
    body: activity,
    signatureHeader: request.headers.get("signature"),
    httpSignatureVerified: key != null,
    keyId: key?.id?.href ?? null,
    keyOwner: key?.ownerId?.href ?? null,
    verifyProblems: problemsSince(mark),
  };
  pending.push(record);
  return record;
}

const server = createServer(async (incoming, outgoing) => {
  try {
    const path = new URL(incoming.url, origin).pathname;
    if (path.startsWith("/_control/")) {
      await control(incoming, outgoing, path.slice("/_control/".length));
      return;
    }
    const request = await toFetchRequest(incoming);
    const isInbox = request.method === "POST" && (path === "/inbox" || path.endsWith("/inbox"));
    const record = isInbox ? await recordDelivery(request) : null;
    const mark = logs.length;
    let response;
    try {
      response = await federation.fetch(request, { contextData: undefined });
    } finally {
      if (record != null) {
        record.status = response?.status ?? 500;
        record.problems = problemsSince(mark);
        pending.splice(pending.indexOf(record), 1);
        deliveries.push(record);
      }
    }
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    logs.push({ level: "error", category: "peer.http", message: String(error?.stack ?? error) });
    outgoing.writeHead(500).end();
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`fedify peer listening on ${origin}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
