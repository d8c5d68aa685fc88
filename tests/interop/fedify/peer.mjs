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
import { verifyRequest } from "@fedify/fedify";
import { commands, setOrigin } from "./commands.mjs";
import { documentLoader, federation } from "./federation.mjs";
import { deliveries, logs, pending, problemsSince } from "./records.mjs";

const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node peer.mjs --port PORT");
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;
setOrigin(origin);

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

