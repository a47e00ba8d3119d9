// Connecting a WhatsApp Business number, and Meta's webhook subscription handshake.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace, request } from "./helpers/api";
import { count, one } from "./helpers/db";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";
import { connectNumber, failNext, graphCalls, newNumber } from "./helpers/whatsapp";

const connectBody = (n: Awaited<ReturnType<typeof newNumber>>, extra: Record<string, unknown> = {}) => ({
  channelKey: "whatsapp",
  phoneNumberId: n.phoneNumberId,
  accessToken: n.accessToken,
  appSecret: n.appSecret,
  ...extra,
});

describe("connecting a WhatsApp number", () => {
  it("checks the number with the token, keeps the secrets sealed and shows the verify token once", async () => {
    const ws = await newWorkspace();
    const n = await newNumber();
    const res = await ws.owner.post("/v1/channels", connectBody(n));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      channelKey: "whatsapp",
      name: `Acme Sales (${n.displayPhoneNumber})`,
      externalAccountId: n.phoneNumberId,
      webhookUrl: `https://parley.test/webhooks/whatsapp/${res.body.id}`,
      config: { phoneNumberId: n.phoneNumberId, displayPhoneNumber: n.displayPhoneNumber, verifiedName: "Acme Sales", qualityRating: "GREEN" },
    });
    const verifyToken = res.body.config.verifyToken as string;
    expect(verifyToken).toMatch(/^[A-Za-z0-9_-]{30,}$/);

    // GET /{version}/{phone-number-id} with the bearer token, on the configured version.
    const [check] = await graphCalls(n.phoneNumberId, "phone");
    expect(check).toMatchObject({ method: "GET", version: env.WHATSAPP_API_VERSION, authorization: `Bearer ${n.accessToken}` });
    expect(env.WHATSAPP_API_VERSION).toMatch(/^v2\d\.0$/);

    // Shown once: never again, and no secret anywhere in what the API answers or stores in clear.
    const listed = (await ws.owner.get("/v1/channels")).body.data.find((c: { id: number }) => c.id === res.body.id);
    expect(listed.config.verifyToken).toBeUndefined();
    const row = await one<{ credentials_ciphertext: string; config_json: string }>("SELECT credentials_ciphertext, config_json FROM channel_connections WHERE id = ?", res.body.id);
    for (const secret of [n.accessToken, n.appSecret, verifyToken]) {
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(row.credentials_ciphertext + row.config_json).not.toContain(secret);
    }
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'channel.connected'", ws.workspace.id)).toBe(1);
  });

  it("subscribes the app to the business account when one is given", async () => {
    const ws = await newWorkspace();
    const n = await newNumber();
    const res = await ws.owner.post("/v1/channels", connectBody(n, { businessAccountId: n.businessAccountId, name: "Sales line" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Sales line", config: { businessAccountId: n.businessAccountId } });
    expect(await graphCalls(n.businessAccountId, "subscribed_apps")).toMatchObject([{ method: "POST", authorization: `Bearer ${n.accessToken}` }]);
    // A business account the token cannot see names the field, and connects nothing.
    const other = await newNumber();
    const refused = await ws.owner.post("/v1/channels", connectBody(other, { businessAccountId: "4199999999" }));
    expectError(refused, 422, "validation_failed", "body.businessAccountId");
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE external_account_id = ?", other.phoneNumberId)).toBe(0);
  });

  it("refuses malformed bodies naming the field, without calling Meta", async () => {
    const ws = await newWorkspace();
    const n = await newNumber();
    expectError(await ws.owner.post("/v1/channels", connectBody(n, { phoneNumberId: "12ab" })), 422, "validation_failed", "body.phoneNumberId");
    expectError(await ws.owner.post("/v1/channels", connectBody(n, { appSecret: "not-a-secret" })), 422, "validation_failed", "body.appSecret");
    expectError(await ws.owner.post("/v1/channels", connectBody(n, { accessToken: "short" })), 422, "validation_failed", "body.accessToken");
    const { accessToken: _t, ...withoutToken } = connectBody(n);
    expectError(await ws.owner.post("/v1/channels", withoutToken), 422, "validation_failed", "body.accessToken");
    expect(await graphCalls(n.phoneNumberId)).toEqual([]);
  });

  it("an invalid token is a 422 naming accessToken; a number the token cannot see names phoneNumberId", async () => {
    const ws = await newWorkspace();
    const n = await newNumber();
    const badToken = await ws.owner.post("/v1/channels", connectBody(n, { accessToken: "EAAinvalidTokenForThisTest123" }));
    expectError(badToken, 422, "validation_failed", "body.accessToken");
    expect(badToken.body.error.message).toContain("190");
    const other = await newNumber();
    // A real token, but of another number: Graph answers code 100 (object cannot be loaded).
    const notYours = await ws.owner.post("/v1/channels", connectBody(n, { accessToken: other.accessToken }));
    expectError(notYours, 422, "validation_failed", "body.phoneNumberId");
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
  });

  it("Meta failing or unreachable is a 502, and nothing is connected", async () => {
    const ws = await newWorkspace();
    const n = await newNumber();
    await failNext(n.phoneNumberId, "phone", { status: 500, error: { message: "An unknown error has occurred.", code: 1, is_transient: true } });
    expectError(await ws.owner.post("/v1/channels", connectBody(n)), 502, "upstream_error");
    await failNext(n.phoneNumberId, "phone", { network: true });
    expectError(await ws.owner.post("/v1/channels", connectBody(n)), 502, "upstream_error");
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect((await ws.owner.post("/v1/channels", connectBody(n))).status).toBe(201);
  });

  it("a number already connected, here or in another workspace, is a 409", async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace();
    const connected = await connectNumber(ws.owner);
    expectError(await ws.owner.post("/v1/channels", connectBody(connected)), 409, "conflict", "body.phoneNumberId");
    expectError(await other.owner.post("/v1/channels", connectBody(connected)), 409, "conflict", "body.phoneNumberId");
    // Disconnected, it can be connected again (with a new verify token).
    expect((await ws.owner.delete(`/v1/channels/${connected.connection.id}`)).status).toBe(204);
    const again = await other.owner.post("/v1/channels", connectBody(connected));
    expect(again.status).toBe(201);
    expect(again.body.config.verifyToken).not.toBe(connected.verifyToken);
  });

  it("only owners connect; tokens and workspaces are checked", async () => {
    const ws = await newWorkspace();
    const n = await newNumber();
    await expectUnauthorized("POST", "/v1/channels", connectBody(n));
    const member = await ws.member();
    expectError(await member.api.post("/v1/channels", connectBody(n)), 403, "forbidden");
    const connected = await connectNumber(ws.owner, n);
    const outsider = await newWorkspace();
    await expectInvisibleTo(outsider.owner, "DELETE", `/v1/channels/${connected.connection.id}`);
    expect((await outsider.owner.get("/v1/channels")).body.data).toEqual([]);
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE id = ? AND disabled_at IS NULL", connected.connection.id)).toBe(1);
  });
});

describe("Meta's webhook handshake", () => {
  const handshake = (id: number, query: string) => request("GET", `/webhooks/whatsapp/${id}?${query}`);

  it("answers the challenge as plain text for the right verify token, 403 for any other", async () => {
    const ws = await newWorkspace();
    const { connection, verifyToken } = await connectNumber(ws.owner);
    const ok = await handshake(connection.id, `hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(verifyToken)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(ok.body).toBe("1158201444");

    expectError(await handshake(connection.id, "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong"), 403, "forbidden");
    expectError(await handshake(connection.id, `hub.mode=subscribe&hub.challenge=1&hub.verify_token=${encodeURIComponent(verifyToken)}x`), 403, "forbidden");
    expectError(await handshake(connection.id, `hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${encodeURIComponent(verifyToken)}`), 403, "forbidden");
    expectError(await handshake(connection.id, "hub.mode=subscribe&hub.challenge=1"), 403, "forbidden");
    expectError(await handshake(connection.id, ""), 400, "bad_request");
  });

  it("another number's verify token does not open this one, and a disconnected number answers 404", async () => {
    const ws = await newWorkspace();
    const first = await connectNumber(ws.owner);
    const second = await connectNumber(ws.owner);
    expectError(await handshake(first.connection.id, `hub.mode=subscribe&hub.challenge=7&hub.verify_token=${encodeURIComponent(second.verifyToken)}`), 403, "forbidden");
    expect((await ws.owner.delete(`/v1/channels/${first.connection.id}`)).status).toBe(204);
    expectError(await handshake(first.connection.id, `hub.mode=subscribe&hub.challenge=7&hub.verify_token=${encodeURIComponent(first.verifyToken)}`), 404, "not_found");
  });
});
