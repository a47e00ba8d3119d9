// One vocabulary: every DTO, filter and body speaks the domain model's key names
// (`statusKey`, `kindKey`, `channelKey`, `sourceKey`), never a bare `status`/`kind`/`channel`/`source`.
import { describe, expect, it } from "vitest";
import { request } from "./helpers/api";

const BARE = new Set(["status", "kind", "channel", "source", "receiptStatus"]);

/** Every property name and query parameter in the document, with where it was found. */
function names(node: unknown, path: string, out: { name: string; at: string }[]) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => names(item, `${path}[${i}]`, out));
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  if (record.properties && typeof record.properties === "object") {
    for (const name of Object.keys(record.properties)) out.push({ name, at: path });
  }
  if (record.in === "query" && typeof record.name === "string") out.push({ name: record.name, at: path });
  for (const [key, value] of Object.entries(record)) names(value, `${path}.${key}`, out);
}

describe("the API's vocabulary", () => {
  it("names keys as the domain model does, in every schema and filter of the OpenAPI document", async () => {
    const doc = (await request("GET", "/openapi.json")).body;
    const found: { name: string; at: string }[] = [];
    names(doc, "$", found);
    expect(found.length).toBeGreaterThan(100);
    expect(found.filter((f) => BARE.has(f.name))).toEqual([]);
  });
});
