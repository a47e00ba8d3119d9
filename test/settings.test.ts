// A missing or malformed secret is the operator's problem, and the answer says which one:
// 500 `server_misconfigured` naming ENCRYPTION_KEY or ADMIN_TOKEN, never a bare internal error.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import worker from "../src/index";
import { ADMIN_TOKEN, newWorkspace } from "./helpers/api";
import { count } from "./helpers/db";
import { newBotToken } from "./helpers/telegram";

async function call(overrides: Partial<Record<"ENCRYPTION_KEY" | "ADMIN_TOKEN", string | undefined>>, path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  const bindings = { ...env, ...overrides } as Bindings;
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://parley.test${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string; details: { path: string }[] } } };
}

function expectMisconfigured(res: Awaited<ReturnType<typeof call>>, setting: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(500);
  expect(res.body.error.code).toBe("server_misconfigured");
  expect(res.body.error.message).toContain(setting);
  expect(res.body.error.details.map((d) => d.path)).toEqual([`env.${setting}`]);
}

describe("server settings", () => {
  it("ENCRYPTION_KEY missing, not base64, or not 32 bytes: 500 server_misconfigured naming it; nothing stored", async () => {
    const ws = await newWorkspace();
    for (const ENCRYPTION_KEY of [undefined, "", "not base64 at all!", btoa("sixteen-byte-key")]) {
      const res = await call({ ENCRYPTION_KEY }, "/v1/channels", ws.owner.token, { channelKey: "telegram", botToken: newBotToken() });
      expectMisconfigured(res, "ENCRYPTION_KEY");
      // An idempotent POST is refused before it does anything (its answer could not be sealed).
      const keyed = await call({ ENCRYPTION_KEY }, "/v1/contacts", ws.owner.token, { name: "Never" }, { "idempotency-key": crypto.randomUUID() });
      expectMisconfigured(keyed, "ENCRYPTION_KEY");
    }
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND name = 'Never'", ws.workspace.id)).toBe(0);
  });

  it("ADMIN_TOKEN missing or too weak: workspace creation answers 500 server_misconfigured naming it", async () => {
    const body = { name: "Nope", user: { name: "N", email: `${crypto.randomUUID()}@example.com` } };
    for (const value of [undefined, "", "short", "has spaces in it but long"]) {
      expectMisconfigured(await call({ ADMIN_TOKEN: value }, "/v1/workspaces", value || "anything", body), "ADMIN_TOKEN");
    }
    // The configured one still works.
    const ok = await call({}, "/v1/workspaces", ADMIN_TOKEN, body);
    expect(ok.status).toBe(201);
  });
});
