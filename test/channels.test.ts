import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { one } from "./helpers/db";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";
import { failNext, newBotToken, telegramCalls } from "./helpers/telegram";

describe("/v1/channels (Telegram)", () => {
  it("checks the token, stores it encrypted and sets the webhook with a secret", async () => {
    const { owner, workspace } = await newWorkspace();
    const botToken = newBotToken();
    const res = await owner.post("/v1/channels", { channelKey: "telegram", botToken });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const botId = botToken.split(":")[0];
    expect(res.body).toMatchObject({
      channelKey: "telegram",
      name: `@bot${botId}_bot`,
      externalAccountId: botId,
      webhookUrl: `https://parley.test/webhooks/telegram/${res.body.id}`,
      config: { username: `bot${botId}_bot` },
    });
    expect(JSON.stringify(res.body)).not.toContain(botToken);

    const [setWebhook] = await telegramCalls(botToken, "setWebhook");
    expect(setWebhook!.params).toMatchObject({ url: res.body.webhookUrl });
    expect(String(setWebhook!.params.secret_token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await telegramCalls(botToken)).map((c) => c.method)).toEqual(["getMe", "setWebhook", "setMyCommands"]);

    const stored = await one<{ credentials_ciphertext: string }>(
      "SELECT credentials_ciphertext FROM channel_connections WHERE workspace_id = ?",
      workspace.id,
    );
    expect(stored.credentials_ciphertext).not.toContain(botToken.split(":")[1]);
    expect(stored.credentials_ciphertext).not.toContain(String(setWebhook!.params.secret_token));

    const connected = await one<{ entity_id: number }>(
      "SELECT entity_id FROM events WHERE workspace_id = ? AND type_key = 'channel.connected'",
      workspace.id,
    );
    expect(connected.entity_id).toBe(res.body.id);

    const list = await owner.get("/v1/channels");
    expect(list.body.data.map((c: { id: number }) => c.id)).toEqual([res.body.id]);

    expectError(await owner.post("/v1/channels", { channelKey: "telegram", botToken }), 409, "conflict", "body.botToken");

    expect((await owner.delete(`/v1/channels/${res.body.id}`)).status).toBe(204);
    expect((await telegramCalls(botToken, "deleteWebhook")).length).toBe(1);
    expect((await owner.get("/v1/channels")).body.data).toEqual([]);
    expectError(await owner.delete(`/v1/channels/${res.body.id}`), 404, "not_found");
  });

  it("refuses a token Telegram rejects, and keeps nothing when the webhook cannot be set", async () => {
    const { owner, workspace } = await newWorkspace();
    const rejected = await owner.post("/v1/channels", { channelKey: "telegram", botToken: "12345:invalid" });
    expectError(rejected, 422, "validation_failed", "body.botToken");

    const botToken = newBotToken();
    await failNext(botToken, "setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided for webhook");
    const failed = await owner.post("/v1/channels", { channelKey: "telegram", botToken });
    expectError(failed, 502, "upstream_error");
    expect(failed.body.error.message).toContain("bad webhook");
    const count = await one<{ n: number }>("SELECT count(*) AS n FROM channel_connections WHERE workspace_id = ?", workspace.id);
    expect(count.n).toBe(0);
    const events = await one<{ n: number }>("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'channel.connected'", workspace.id);
    expect(events.n).toBe(0);
  });

  it("validates the body by field", async () => {
    const { owner } = await newWorkspace();
    expectError(await owner.post("/v1/channels", { channelKey: "telegram", botToken: "nope" }), 422, "validation_failed", "body.botToken");
    expectError(await owner.post("/v1/channels", { channelKey: "fax" }), 422, "validation_failed", "body.channelKey");
  });

  it("is for owners; members may list but not connect", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    expectError(await rep.api.post("/v1/channels", { channelKey: "telegram", botToken: newBotToken() }), 403, "forbidden");
    expect((await rep.api.get("/v1/channels")).status).toBe(200);
  });

  it("hides other workspaces' connections and needs a token", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const created = await a.owner.post("/v1/channels", { channelKey: "telegram", botToken: newBotToken() });
    await expectInvisibleTo(b.owner, "DELETE", `/v1/channels/${created.body.id}`);
    expect((await b.owner.get("/v1/channels")).body.data).toEqual([]);
    await expectUnauthorized("GET", "/v1/channels");
    await expectUnauthorized("POST", "/v1/channels", { channelKey: "telegram", botToken: "1:abcdef" });
    await expectUnauthorized("DELETE", "/v1/channels/1");
  });
});
