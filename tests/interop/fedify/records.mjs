// What the Fedify peer knows and records: its actors and notes, the deliveries it got, and
// every record Fedify logged (captured through LogTape).

import { configure } from "@logtape/logtape";

export const actors = new Map(); // identifier -> { keyPair (JWKs), followers: Map(id -> recipient) }
export const notes = new Map(); // note id -> JSON-LD of the note, so it can be dereferenced
export const deliveries = []; // every POST to an inbox, once Fedify has handled it
export const pending = []; // POSTs Fedify is still handling (listeners look them up by id)
export const logs = []; // every Fedify log record, in order

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

export function problemsSince(index) {
  return logs.slice(index).filter((entry) => entry.level === "warning" || entry.level === "error"
    || entry.level === "fatal");
}

