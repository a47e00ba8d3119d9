// Connecting a Discord application (token, application id and public key checked against
// Discord, commands registered), the link code, and the Interactions Endpoint's signature check
// (Ed25519 over timestamp + body; Discord probes it with bad signatures) and PING.
import { describe, expect, it } from "vitest";
import { newWorkspace, request } from "./helpers/api";
import { all } from "./helpers/db";
import { command, connectDiscord, discordCalls, discordUser, failNextDiscord, newDiscordApp, postInteraction, signedHeaders } from "./helpers/discord";

describe("POST /v1/channels (discord)", () => {
  it("checks the token, registers the commands and answers the Interactions Endpoint URL and the gateway URL", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const connection = await connectDiscord(ws.owner, app);
    expect(connection.webhookUrl).toBe(`https://parley.test/webhooks/discord/${connection.id}`);
    expect(connection.webhookUrls.gateway).toBe(`https://parley.test/webhooks/discord/${connection.id}/gateway`);
    expect(connection.config).toMatchObject({ applicationId: app.applicationId, publicKey: app.publicKey });
    expect(JSON.stringify(connection)).not.toContain(app.botToken);

    const calls = await discordCalls(app.applicationId);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(
      expect.arrayContaining(["GET /users/@me", "GET /applications/@me", `PUT /applications/${app.applicationId}/commands`]),
    );
    expect(calls.every((c) => /^DiscordBot \(/.test(c.userAgent ?? ""))).toBe(true);
    const registered = calls.find((c) => c.method === "PUT")!.body as { name: string; options?: { name: string }[] }[];
    expect(registered.map((c) => c.name).sort()).toEqual(["contact", "deal", "inbox", "link", "pin", "pipeline", "setup", "stats"]);
    expect(registered.find((c) => c.name === "deal")!.options!.map((o) => o.name)).toEqual(["create", "stage", "won", "lost"]);

    const stored = await all<{ credentials_ciphertext: string }>("SELECT credentials_ciphertext FROM channel_connections WHERE id = ?", connection.id);
    expect(stored[0]!.credentials_ciphertext).not.toContain(app.botToken);
  });

  it("names the field Discord disagrees with: a refused token, another application's id, a wrong public key", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const base = { channelKey: "discord", applicationId: app.applicationId, publicKey: app.publicKey, botToken: app.botToken };

    const badToken = await ws.owner.post("/v1/channels", { ...base, botToken: "not-a-real-token-but-long-enough" });
    expect(badToken.status).toBe(422);
    expect(badToken.body.error.details[0].path).toBe("body.botToken");

    const otherApp = await ws.owner.post("/v1/channels", { ...base, applicationId: "123456789012345678" });
    expect(otherApp.status).toBe(422);
    expect(otherApp.body.error.details[0].path).toBe("body.applicationId");

    const otherKey = await ws.owner.post("/v1/channels", { ...base, publicKey: "ab".repeat(32) });
    expect(otherKey.status).toBe(422);
    expect(otherKey.body.error.details[0].path).toBe("body.publicKey");

    const malformed = await ws.owner.post("/v1/channels", { ...base, publicKey: "xyz" });
    expect(malformed.status).toBe(422);

    expect(await all("SELECT id FROM channel_connections WHERE workspace_id = ?", ws.workspace.id)).toHaveLength(0);
  });

  it("leaves nothing behind when Discord is down while registering the commands (502)", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    await failNextDiscord(app.applicationId, { method: "PUT", path: "/commands$", status: 503, message: "upstream" });
    const res = await ws.owner.post("/v1/channels", { channelKey: "discord", applicationId: app.applicationId, publicKey: app.publicKey, botToken: app.botToken });
    expect(res.status).toBe(502);
    expect(await all("SELECT id FROM channel_connections WHERE workspace_id = ?", ws.workspace.id)).toHaveLength(0);
  });

  it("refuses an application connected already (409), and members (403)", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    await connectDiscord(ws.owner, app);
    const again = await (await newWorkspace()).owner.post("/v1/channels", { channelKey: "discord", applicationId: app.applicationId, publicKey: app.publicKey, botToken: app.botToken });
    expect(again.status).toBe(409);
    const member = await ws.member();
    const other = await newDiscordApp();
    const byMember = await member.api.post("/v1/channels", { channelKey: "discord", applicationId: other.applicationId, publicKey: other.publicKey, botToken: other.botToken });
    expect(byMember.status).toBe(403);
  });

  it("disconnecting removes the commands at Discord, and the endpoint then answers 404", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const connection = await connectDiscord(ws.owner, app);
    expect((await ws.owner.delete(`/v1/channels/${connection.id}`)).status).toBe(204);
    const puts = await discordCalls(app.applicationId, { method: "PUT" });
    expect(puts.at(-1)!.body).toEqual([]);
    expect((await postInteraction(connection, app, { type: 1, id: "1", token: "t" })).status).toBe(404);
  });
});

describe("POST /v1/me/discord-link", () => {
  it("gives a one-time code and the command to run; 409 without a Discord connection", async () => {
    const ws = await newWorkspace();
    expect((await ws.owner.post("/v1/me/discord-link")).status).toBe(409);
    await connectDiscord(ws.owner, await newDiscordApp());
    const res = await ws.owner.post("/v1/me/discord-link");
    expect(res.status).toBe(201);
    expect(res.body.command).toBe(`/link code:${res.body.code}`);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
    expect((await request("POST", "/v1/me/discord-link")).status).toBe(401);
  });
});

describe("the Interactions Endpoint: signatures and PING", () => {
  const ping = { id: "1300000000000000001", application_id: "1", type: 1, token: "ping-token", version: 1 };

  it("answers a signed PING with PONG (type 1), as JSON", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const connection = await connectDiscord(ws.owner, app);
    const res = await postInteraction(connection, app, ping);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body).toEqual({ type: 1 });
  });

  it("401s a missing, wrong, tampered or stale signature, and stores nothing", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const connection = await connectDiscord(ws.owner, app);
    const body = JSON.stringify(ping);
    const good = await signedHeaders(app, body);
    const send = (headers: Record<string, string>, raw = body) => request("POST", `/webhooks/discord/${connection.id}`, { rawBody: raw, headers });

    expect((await send({ "content-type": "application/json" })).status).toBe(401);
    expect((await send({ ...good, "x-signature-ed25519": "00".repeat(64) })).status).toBe(401);
    expect((await send({ ...good, "x-signature-ed25519": "zz" })).status).toBe(401);
    // The same signature on other bytes.
    expect((await send(good, body.replace('"type":1', '"type":2'))).status).toBe(401);
    // Signed by another application's key.
    expect((await send(await signedHeaders(await newDiscordApp(), body))).status).toBe(401);
    // A captured request replayed ten minutes later.
    const stale = await signedHeaders(app, body, String(Math.floor(Date.now() / 1000) - 600));
    const staleRes = await send(stale);
    expect(staleRes.status).toBe(401);
    expect(staleRes.body.error.message).toMatch(/5 minutes/);
    expect((await send(good)).status).toBe(200);
  });

  it("400s a verified body that is not an interaction", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const connection = await connectDiscord(ws.owner, app);
    const body = "[1,2,3]";
    const res = await request("POST", `/webhooks/discord/${connection.id}`, { rawBody: body, headers: await signedHeaders(app, body) });
    expect(res.status).toBe(400);
    const user = discordUser();
    const noUser = { ...command(app, user, "inbox", null), user: undefined, member: undefined };
    expect((await postInteraction(connection, app, noUser)).status).toBe(400);
  });
});
