// Idempotency-Key: a key names one request (method, path, query string and body); a replay gives
// back the first response with its meaningful headers; no stored response holds a secret in clear.
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, newWorkspace, request } from "./helpers/api";
import { all } from "./helpers/db";
import { expectError } from "./helpers/security";
import { connectBot } from "./helpers/telegram";

const keyed = () => ({ "idempotency-key": `k-${crypto.randomUUID()}` });

describe("Idempotency-Key", () => {
  it("covers the query string: a merge preview's key cannot replay the preview for the real merge", async () => {
    const ws = await newWorkspace();
    const target = (await ws.owner.post("/v1/contacts", { name: "Ann", phone: "+14155550180" })).body;
    const source = (await ws.owner.post("/v1/contacts", { name: "Ann B", email: "ann@example.com" })).body;
    const headers = keyed();
    const preview = await ws.owner.post(`/v1/contacts/${target.id}/merge?dryRun=true`, { sourceIds: [source.id] }, headers);
    expect(preview.status).toBe(200);
    const merge = await ws.owner.post(`/v1/contacts/${target.id}/merge?dryRun=false`, { sourceIds: [source.id] }, headers);
    expectError(merge, 409, "idempotency_key_reused");
    expect(merge.headers.get("idempotent-replayed")).toBeNull();
    // With a key of its own, the merge happens.
    expect((await ws.owner.post(`/v1/contacts/${target.id}/merge`, { sourceIds: [source.id] }, keyed())).status).toBe(200);
    expect((await ws.owner.get(`/v1/contacts/${source.id}`)).body.mergedIntoId).toBe(target.id);
  });

  it("replays keep Location (and the status and body)", async () => {
    const ws = await newWorkspace();
    const headers = keyed();
    const first = await ws.owner.post("/v1/contacts/exports", { format: "csv" }, headers);
    expect(first.status).toBe(202);
    expect(first.headers.get("location")).toBe(`/v1/jobs/${first.body.id}`);
    const again = await ws.owner.post("/v1/contacts/exports", { format: "csv" }, headers);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/v1/jobs/${first.body.id}`);
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(again.body).toEqual(first.body);
  });

  it("never stores a secret in clear: tokens, link codes and workspace creation replay, sealed", async () => {
    const ws = await newWorkspace();
    await connectBot(ws.owner);
    const calls: { path: string; token: string; body?: unknown; secretOf: (body: any) => string }[] = [
      { path: "/v1/me/tokens", token: ws.owner.token, body: { name: "ci" }, secretOf: (b) => b.token },
      { path: "/v1/users", token: ws.owner.token, body: { name: "Rep", email: `${crypto.randomUUID()}@example.com` }, secretOf: (b) => b.token },
      { path: "/v1/me/telegram-link", token: ws.owner.token, secretOf: (b) => b.code },
      {
        path: "/v1/workspaces",
        token: ADMIN_TOKEN,
        body: { name: "Sealed", user: { name: "S", email: `${crypto.randomUUID()}@example.com` } },
        secretOf: (b) => b.token,
      },
    ];
    for (const call of calls) {
      const headers = keyed();
      const first = await request("POST", call.path, { token: call.token, body: call.body, headers });
      expect(first.status, `${call.path}: ${JSON.stringify(first.body)}`).toBeLessThan(300);
      const secret = call.secretOf(first.body);
      expect(secret, call.path).toMatch(/.{16,}/);
      const stored = await all<{ response_body: string }>("SELECT response_body FROM idempotency_keys WHERE key = ?", headers["idempotency-key"]);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.response_body, call.path).not.toContain(secret);
      // The client that lost the first answer still gets its secret back.
      const again = await request("POST", call.path, { token: call.token, body: call.body, headers });
      expect(again.headers.get("idempotent-replayed"), call.path).toBe("true");
      expect(call.secretOf(again.body), call.path).toBe(secret);
    }
  });
});
