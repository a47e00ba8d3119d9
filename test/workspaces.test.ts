import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, client, newWorkspace, randomAddress, request } from "./helpers/api";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";
import { connectBot } from "./helpers/telegram";

describe("POST /v1/workspaces", () => {
  it("creates the workspace, its owner, a working token and the defaults", async () => {
    const res = await request("POST", "/v1/workspaces", {
      token: ADMIN_TOKEN,
      body: { name: "Acme", defaultCountry: "de", user: { name: "Olga", email: "Olga@Example.com" } },
    });
    expect(res.status).toBe(201);
    expect(res.body.workspace).toMatchObject({ name: "Acme", defaultCountry: "DE", timeZone: "UTC" });
    expect(res.body.user).toMatchObject({ name: "Olga", email: "olga@example.com", role: "owner" });
    expect(res.body.token).toMatch(/^prl_[A-Za-z0-9_-]{43}$/);

    const me = await client(res.body.token).get("/v1/me");
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(res.body.user.id);
    expect(me.body.workspace.id).toBe(res.body.workspace.id);

    const kinds = await client(res.body.token).get("/v1/qualification-kinds");
    expect(kinds.body.data.map((k: { key: string }) => k.key)).toEqual(["hot", "warm", "cold", "customer", "not_a_fit", "spam"]);
    const stages = await env.DB.prepare(
      "SELECT s.name FROM stages s JOIN pipelines p ON p.id = s.pipeline_id WHERE p.workspace_id = ? ORDER BY s.sort_index",
    )
      .bind(res.body.workspace.id)
      .all<{ name: string }>();
    expect(stages.results.map((s) => s.name)).toEqual(["Lead", "Qualified", "Proposal", "Negotiation"]);
  });

  it("stores only the SHA-256 of a token", async () => {
    const { owner, user } = await newWorkspace();
    const rows = await env.DB.prepare("SELECT token_hash FROM api_tokens WHERE user_id = ?").bind(user.id).all<{ token_hash: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows.results)).not.toContain(owner.token);
  });

  it("needs the operator secret", async () => {
    const body = { name: "X", user: { name: "Y", email: "y@example.com" } };
    expectError(await request("POST", "/v1/workspaces", { body }), 401, "unauthorized");
    expectError(await request("POST", "/v1/workspaces", { body, token: "wrong" }), 401, "unauthorized");
    const { owner } = await newWorkspace();
    expectError(await request("POST", "/v1/workspaces", { body, token: owner.token }), 401, "unauthorized");
  });

  it("names the invalid fields", async () => {
    const res = await request("POST", "/v1/workspaces", {
      token: ADMIN_TOKEN,
      body: { name: "", defaultCountry: "XX", user: { name: "A", email: "not-an-email" } },
    });
    expectError(res, 422, "validation_failed");
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["body.name", "body.defaultCountry", "body.user.email"]));
  });

  it("refuses a body that is not JSON with 400", async () => {
    const res = await request("POST", "/v1/workspaces", {
      token: ADMIN_TOKEN,
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    expectError(res, 400, "invalid_json");
  });

  it("replays the first response for a repeated Idempotency-Key and creates nothing twice", async () => {
    const key = crypto.randomUUID();
    const body = { name: "Once", user: { name: "O", email: `${key}@example.com` } };
    const headers = { "idempotency-key": key };
    const first = await request("POST", "/v1/workspaces", { token: ADMIN_TOKEN, body, headers });
    const second = await request("POST", "/v1/workspaces", { token: ADMIN_TOKEN, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(`${key}@example.com`).first<{ n: number }>();
    expect(count!.n).toBe(1);

    const reused = await request("POST", "/v1/workspaces", {
      token: ADMIN_TOKEN,
      body: { ...body, name: "Other" },
      headers,
    });
    expectError(reused, 409, "idempotency_key_reused");
  });
});

describe("users and tokens", () => {
  it("owners add users; members may not", async () => {
    const ws = await newWorkspace();
    const created = await ws.owner.post("/v1/users", { name: "Rita", email: "rita@example.com", role: "member" });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ name: "Rita", role: "member", workspaceId: ws.workspace.id });
    const rita = client(created.body.token);
    expect((await rita.get("/v1/me")).body.user.email).toBe("rita@example.com");

    expectError(await rita.post("/v1/users", { name: "Z", email: "z@example.com" }), 403, "forbidden");
    expectError(await ws.owner.post("/v1/users", { name: "Dup", email: "RITA@example.com" }), 409, "conflict", "body.email");
    expectError(await ws.owner.post("/v1/users", { name: "Bad", email: "x", role: "boss" }), 422, "validation_failed", "body.role");

    const list = await ws.owner.get("/v1/users?limit=1");
    expect(list.body.data).toHaveLength(1);
    const next = await ws.owner.get(`/v1/users?limit=1&cursor=${list.body.nextCursor}`);
    expect(next.body.data[0].id).toBe(created.body.user.id);
    expect(next.body.nextCursor).toBeNull();
  });

  it("creates, lists and revokes the caller's own tokens", async () => {
    const ws = await newWorkspace();
    const made = await ws.owner.post("/v1/me/tokens", { name: "laptop" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "laptop" });
    const laptop = client(made.body.token);
    expect((await laptop.get("/v1/me")).status).toBe(200);

    const list = await ws.owner.get("/v1/me/tokens");
    expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(["default", "laptop"]);
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);

    expect((await ws.owner.delete(`/v1/me/tokens/${made.body.id}`)).status).toBe(204);
    expectError(await laptop.get("/v1/me"), 401, "unauthorized");
    expectError(await ws.owner.delete(`/v1/me/tokens/${made.body.id}`), 404, "not_found");
  });

  it("hides users and tokens of other workspaces", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const token = await a.owner.post("/v1/me/tokens", {});
    await expectInvisibleTo(b.owner, "DELETE", `/v1/me/tokens/${token.body.id}`);
    await expectInvisibleTo(b.owner, "GET", `/v1/users/${a.user.id}`);
    expect((await a.owner.get("/v1/me")).status).toBe(200);
    const bList = await b.owner.get("/v1/users");
    expect(bList.body.data.map((u: { id: number }) => u.id)).toEqual([b.user.id]);
  });

  it("needs a token", async () => {
    await expectUnauthorized("GET", "/v1/me");
    await expectUnauthorized("POST", "/v1/users", { name: "a", email: "a@example.com" });
    await expectUnauthorized("GET", "/v1/me/tokens");
    await expectUnauthorized("POST", "/v1/me/tokens", {});
    await expectUnauthorized("DELETE", "/v1/me/tokens/1");
  });
});

describe("cross-cutting", () => {
  it("serves health, the OpenAPI document and the docs page", async () => {
    expect((await request("GET", "/health")).body).toEqual({ ok: true });
    const doc = await request("GET", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(["/v1/workspaces", "/v1/me", "/v1/users"]));
    const docs = await request("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain("/openapi.json");
  });

  it("answers with a request id, echoing a sane incoming one", async () => {
    const res = await request("GET", "/health", { headers: { "x-request-id": "req-12345678" } });
    expect(res.headers.get("x-request-id")).toBe("req-12345678");
    const generated = await request("GET", "/health");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("renders unknown routes as a 404 error", async () => {
    expectError(await request("GET", "/nope"), 404, "not_found");
  });

  it("rate-limits per user with 429 and Retry-After: more tokens add no budget", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    const tokens = [ws.owner, ...(await Promise.all([1, 2].map(async () => client((await ws.owner.post("/v1/me/tokens", {})).body.token))))];
    let limited: Awaited<ReturnType<typeof ws.owner.get>> | undefined;
    // The test budget is 120 a minute (vitest.config.ts), shared by the user's three tokens: a 429
    // within 240 requests (two windows, should the minute turn over mid-test) — three budgets of
    // their own would allow 360.
    for (let i = 0; i < 240 && !limited; i++) {
      const res = await tokens[i % tokens.length]!.get("/v1/me");
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited, "no 429 within 240 requests").toBeDefined();
    expectError(limited!, 429, "rate_limited");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another user is not affected, in this workspace or another.
    expect((await rep.api.get("/v1/me")).status).toBe(200);
    const other = await newWorkspace();
    expect((await other.owner.get("/v1/me")).status).toBe(200);
  });

  it("rate-limits bad tokens per address before looking them up; good tokens spend nothing there", async () => {
    const ws = await newWorkspace();
    const from = (address: string, token: string) => request("GET", "/v1/me", { token, headers: { "cf-connecting-ip": address } });
    const address = randomAddress();
    // Good tokens from the address spend nothing of the bad-token budget (20 a minute in tests).
    for (let i = 0; i < 25; i++) expect((await from(address, ws.owner.token)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await from(address, `prl_guess${i}`)).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual([429, 429]);
    // Now the address is refused before any lookup, a good token included; other addresses are not.
    const refused = await from(address, ws.owner.token);
    expectError(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await from(randomAddress(), ws.owner.token)).status).toBe(200);
  });

  it("rate-limits the operator route per address, before the secret is compared", async () => {
    const address = randomAddress();
    const body = { name: "Flood", user: { name: "F", email: "f@example.com" } };
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await request("POST", "/v1/workspaces", { token: `wrong-${i}`, body, headers: { "cf-connecting-ip": address } })).status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses[20]).toBe(429);
    const right = await request("POST", "/v1/workspaces", { token: ADMIN_TOKEN, body, headers: { "cf-connecting-ip": address } });
    expectError(right, 429, "rate_limited");
    const elsewhere = await request("POST", "/v1/workspaces", {
      token: ADMIN_TOKEN,
      body: { ...body, user: { name: "F", email: `${crypto.randomUUID()}@example.com` } },
      headers: { "cf-connecting-ip": randomAddress() },
    });
    expect(elsewhere.status).toBe(201);
  });

  it("refuses an address whose webhook requests keep failing verification, before any lookup; signed traffic is never limited", async () => {
    const ws = await newWorkspace();
    const first = await connectBot(ws.owner);
    const second = await connectBot(ws.owner);
    const forger = randomAddress();
    const forged = (connection: { id: number }) =>
      request("POST", `/webhooks/telegram/${connection.id}`, { body: {}, headers: { "cf-connecting-ip": forger, "x-telegram-bot-api-secret-token": "wrong" } });
    let limitedAt = 0;
    for (let i = 1; i <= 30 && !limitedAt; i++) {
      const res = await forged(first.connection);
      if (res.status === 429) limitedAt = i;
      else expect(res.status).toBe(401);
    }
    // IP_RATE_LIMITER's budget (20 a minute in tests): 20 failures spent it, the 21st was refused
    // on the way out, and from then on the address is turned away before the connection is read.
    expect(limitedAt).toBe(22);
    expect((await forged(second.connection)).status).toBe(429);
    expect((await request("POST", "/webhooks/telegram/999999", { body: {}, headers: { "cf-connecting-ip": forger } })).status).toBe(429);
    // The API's budgets are another matter.
    expect((await request("GET", "/v1/me", { token: ws.owner.token, headers: { "cf-connecting-ip": forger } })).status).toBe(200);

    // A provider's signed traffic from one address, well beyond every budget, is all taken.
    const provider = randomAddress();
    for (let i = 0; i < 130; i++) {
      const update = { update_id: 900_000 + i };
      const res = await request("POST", `/webhooks/telegram/${second.connection.id}`, {
        body: update,
        headers: { "cf-connecting-ip": provider, "x-telegram-bot-api-secret-token": second.secret },
      });
      expect(res.status).toBe(200);
    }
  });
});
