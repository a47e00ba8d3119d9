// Twilio SMS/MMS end to end against the fake Twilio REST API: connecting an account, the
// X-Twilio-Signature on every webhook, contacts' texts and pictures, STOP/START, sending (From
// and Messaging Service), status callbacks, and Twilio's errors mapped to failures or retries.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { twilioSignature } from "../src/channels/twilio/twilio-webhook";
import { newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { consume } from "./helpers/queue";
import { expectError } from "./helpers/security";
import { eventually } from "./helpers/telegram";
import {
  connectTwilio,
  failNextTwilio,
  inboundSms,
  newTwilioAccount,
  postTwilio,
  registerMedia,
  TWILIO_NUMBER,
  twilioCalls,
  twilioSid,
  twilioSignatureOf,
  type TwilioAccount,
} from "./helpers/twilio";

const ADA = "+14155550111";

type Workspace = Awaited<ReturnType<typeof newWorkspace>>;

/** Ada texts the workspace's Twilio number; her conversation and the stored message. */
async function adaWritesIn(ws: Workspace, account: TwilioAccount, connectionId: number, body = "Hi, is the quote ready?") {
  const res = await postTwilio(account, connectionId, "messages", inboundSms(account, ADA, body));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return one<{ id: number; conversation_id: number }>("SELECT id, conversation_id FROM messages WHERE workspace_id = ? ORDER BY id DESC LIMIT 1", ws.workspace.id);
}

const deliveryOf = (messageId: number) =>
  one<{ id: number; status_key: string; provider_message_id: string | null; error_code: string | null; error_message: string | null; connection_id: number | null }>(
    "SELECT id, status_key, provider_message_id, error_code, error_message, connection_id FROM deliveries WHERE message_id = ? ORDER BY id DESC LIMIT 1",
    messageId,
  );

describe("connecting a Twilio account", () => {
  it("checks the Account SID and Auth Token with Twilio and lists the four URLs to paste", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner, { from: "(415) 555-1000" });
    const base = `https://parley.test/webhooks/sms/${connection.id}`;
    expect(connection).toMatchObject({
      channelKey: "sms",
      webhookUrl: base,
      webhookUrls: { messages: `${base}/messages`, status: `${base}/status`, voice: `${base}/voice`, voiceStatus: `${base}/voiceStatus` },
      config: { accountSid: account.sid, from: TWILIO_NUMBER, messagingServiceSid: null, friendlyName: "Parley test account" },
    });
    expect(JSON.stringify(connection)).not.toContain(account.authToken);
    const [check] = await twilioCalls(account);
    expect(check).toMatchObject({ method: "GET", path: `/2010-04-01/Accounts/${account.sid}.json`, authenticated: true });
    const stored = await one<{ credentials_ciphertext: string }>("SELECT credentials_ciphertext FROM channel_connections WHERE id = ?", connection.id);
    expect(stored.credentials_ciphertext).not.toContain(account.authToken);
  });

  it("names the field Twilio or Parley refuses, and stores nothing", async () => {
    const ws = await newWorkspace();
    const account = await newTwilioAccount();
    const connect = (body: Record<string, unknown>) => ws.owner.post("/v1/channels", { channelKey: "sms", accountSid: account.sid, authToken: account.authToken, from: TWILIO_NUMBER, ...body });
    expectError(await connect({ authToken: "0123456789abcdef0123456789abcdef" }), 422, "validation_failed", "body.authToken");
    expectError(await connect({ from: undefined }), 422, "validation_failed", "body.from");
    expectError(await connect({ from: "12" }), 422, "validation_failed", "body.from");
    expectError(await connect({ accountSid: "AC123" }), 422, "validation_failed", "body.accountSid");
    expectError(await connect({ messagingServiceSid: "MGnope" }), 422, "validation_failed", "body.messagingServiceSid");
    await failNextTwilio(account, "Account", { status: 503, code: 20503, message: "Service Unavailable" });
    expectError(await connect({}), 502, "upstream_error");
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    // The same sender cannot be connected twice.
    expect((await connect({})).status).toBe(201);
    expectError(await connect({}), 409, "conflict", "body.from");
    const suspended = await newTwilioAccount({ status: "suspended" });
    expectError(await ws.owner.post("/v1/channels", { channelKey: "sms", accountSid: suspended.sid, authToken: suspended.authToken, from: TWILIO_NUMBER }), 422, "validation_failed", "body.accountSid");
  });
});

describe("X-Twilio-Signature", () => {
  it("the test's signature matches twilio-node's own test vector, and so does Parley's", async () => {
    const params: [string, string][] = [
      ["CallSid", "CA1234567890ABCDE"],
      ["Caller", "+14158675309"],
      ["Digits", "1234"],
      ["From", "+14158675309"],
      ["To", "+18005551212"],
    ];
    const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    expect(await twilioSignatureOf("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(await twilioSignature("12345", url, new URLSearchParams(params))).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });

  it("accepts a request signed over the URL and every parameter; refuses a wrong, missing or stale signature with 401 and stores nothing", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const sms = inboundSms(account, ADA, "hello");
    expectError(await postTwilio(account, connection.id, "messages", sms, { signature: null }), 401, "unauthorized");
    expectError(await postTwilio(account, connection.id, "messages", sms, { signature: "bm9wZQ==" }), 401, "unauthorized");
    expectError(await postTwilio(account, connection.id, "messages", sms, { signWith: "another-accounts-auth-token" }), 401, "unauthorized");
    // Signed for another connection's URL: not this one's.
    expectError(
      await postTwilio(account, connection.id, "messages", sms, { signedUrl: `https://parley.test/webhooks/sms/${connection.id + 1}/messages` }),
      401,
      "unauthorized",
    );
    // A parameter changed after signing.
    const signature = await twilioSignatureOf(account.authToken, `https://parley.test/webhooks/sms/${connection.id}/messages`, Object.entries(sms));
    expectError(await postTwilio(account, connection.id, "messages", { ...sms, Body: "hello, changed" }, { signature }), 401, "unauthorized");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(0);

    const ok = await postTwilio(account, connection.id, "messages", sms);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/xml");
    expect(ok.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it("covers the query string: signed with it passes, signed without it fails", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const sms = inboundSms(account, ADA, "with a query");
    const path = `https://parley.test/webhooks/sms/${connection.id}/messages`;
    expectError(await postTwilio(account, connection.id, "messages", sms, { query: "?source=console&x=1", signedUrl: path }), 401, "unauthorized");
    expect((await postTwilio(account, connection.id, "messages", sms, { query: "?source=console&x=1" })).status).toBe(200);
    // The URL as Twilio may know it with the default port.
    expect(
      (await postTwilio(account, connection.id, "messages", inboundSms(account, ADA, "port"), { signedUrl: `https://parley.test:443/webhooks/sms/${connection.id}/messages` })).status,
    ).toBe(200);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(2);
  });

  it("accepts a number of a Messaging Service pool (MessagingServiceSid, another To)", async () => {
    const ws = await newWorkspace();
    const service = twilioSid("MG");
    const { account, connection } = await connectTwilio(ws.owner, { messagingServiceSid: service, from: null });
    const sms = inboundSms(account, ADA, "via the pool", { MessagingServiceSid: service, To: "+14155557700" });
    expect((await postTwilio(account, connection.id, "messages", sms)).status).toBe(200);
    expect(await one("SELECT body, connection_id FROM messages WHERE workspace_id = ?", ws.workspace.id)).toEqual({ body: "via the pool", connection_id: connection.id });
  });

  it("a webhook signed with one workspace's token is refused on another workspace's connection", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const ta = await connectTwilio(a.owner);
    const tb = await connectTwilio(b.owner);
    expectError(await postTwilio(ta.account, tb.connection.id, "messages", inboundSms(ta.account, ADA, "hi")), 401, "unauthorized");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id IN (?, ?)", a.workspace.id, b.workspace.id)).toBe(0);
  });
});

describe("texts from contacts", () => {
  it("a text lands in the contact found by phone (E.164), once, however often Twilio retries", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const known = await ws.owner.post("/v1/contacts", { name: "Ada Lovelace", phone: "(415) 555-0111" });
    expect(known.status).toBe(201);
    const sms = inboundSms(account, ADA, "Hi, is the quote ready?");
    for (let i = 0; i < 3; i++) expect((await postTwilio(account, connection.id, "messages", sms)).status).toBe(200);
    const stored = await all<{ body: string; channel_key: string; author_contact_id: number; external_id: string; connection_id: number; kind_key: string }>(
      "SELECT body, channel_key, author_contact_id, external_id, connection_id, kind_key FROM messages WHERE workspace_id = ?",
      ws.workspace.id,
    );
    expect(stored).toEqual([
      { body: "Hi, is the quote ready?", channel_key: "sms", author_contact_id: known.body.id, external_id: sms.MessageSid, connection_id: connection.id, kind_key: "text" },
    ]);
    expect(await one("SELECT external_id, connection_id FROM contact_identities WHERE contact_id = ? AND channel_key = 'sms'", known.body.id)).toEqual({
      external_id: ADA,
      connection_id: connection.id,
    });
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'message.received'", ws.workspace.id)).toBe(1);
  });

  it("a stranger's text creates the contact with their number", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    expect((await postTwilio(account, connection.id, "", inboundSms(account, "+14155550199", "who is this?"))).status).toBe(200);
    expect(await one("SELECT name, phone FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toEqual({ name: "+14155550199", phone: "+14155550199" });
  });

  it("an MMS with two pictures: the message now, the files (fetched with Basic auth, through Twilio's redirect) into R2 by the queued task", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const messageSid = twilioSid("MM");
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 4, 5]);
    const jpegUrl = await registerMedia(account, messageSid, "image/jpeg", jpeg);
    const pngUrl = await registerMedia(account, messageSid, "image/png", png);
    const mms = inboundSms(account, ADA, "the site plans", {
      MessageSid: messageSid,
      SmsMessageSid: messageSid,
      SmsSid: messageSid,
      NumMedia: "2",
      MediaUrl0: jpegUrl,
      MediaContentType0: "image/jpeg",
      MediaUrl1: pngUrl,
      MediaContentType1: "image/png",
    });
    expect((await postTwilio(account, connection.id, "messages", mms)).status).toBe(200);
    const message = await one<{ id: number; kind_key: string; body: string }>("SELECT id, kind_key, body FROM messages WHERE workspace_id = ?", ws.workspace.id);
    expect(message).toMatchObject({ kind_key: "media", body: "the site plans" });
    // The queued task runs on its own.
    const attachments = await eventually(
      () => all<{ url: string; content_type: string; size_bytes: number; file_name: string }>("SELECT url, content_type, size_bytes, file_name FROM message_attachments WHERE message_id = ? ORDER BY content_type", message.id),
      (rows) => rows.length === 2,
    );
    expect(attachments.map((a) => [a.content_type, a.size_bytes])).toEqual([
      ["image/jpeg", jpeg.length],
      ["image/png", png.length],
    ]);
    const stored = await env.FILES.get(attachments[0]!.url);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(jpeg);
    const downloads = (await twilioCalls(account)).filter((c) => c.path.includes("/Media/"));
    expect(downloads.length).toBeGreaterThanOrEqual(2);
    expect(downloads.every((c) => c.authenticated)).toBe(true);
    // A replayed webhook stores neither the message nor the files twice.
    expect((await postTwilio(account, connection.id, "messages", mms)).status).toBe(200);
    expect(await consume({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: message.id })).toEqual({ acked: true, retriedAfter: null });
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM message_attachments WHERE message_id = ?", message.id)).toBe(2);
  });

  it("refuses a verified request that is not a Twilio message with 400, storing nothing", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    expectError(await postTwilio(account, connection.id, "messages", { Body: "no sid, no sender" }), 400, "bad_request");
    expectError(await postTwilio(account, connection.id, "status", { MessageStatus: "delivered" }), 400, "bad_request");
    expectError(await postTwilio(account, connection.id, "nowhere", inboundSms(account, ADA, "x")), 404, "not_found");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
  });
});

describe("STOP and START", () => {
  it("STOP marks the contact's SMS identity opted out (sends refused with 409); START clears it; each is an event once", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const hello = await adaWritesIn(ws, account, connection.id, "hello");
    const stop = inboundSms(account, ADA, " stop ");
    expect((await postTwilio(account, connection.id, "messages", stop)).status).toBe(200);
    const identity = () => one<{ opted_out_at: number | null; opt_out_reason: string | null }>("SELECT opted_out_at, opt_out_reason FROM contact_identities WHERE workspace_id = ? AND channel_key = 'sms'", ws.workspace.id);
    expect(await identity()).toMatchObject({ opt_out_reason: "STOP", opted_out_at: expect.any(Number) });
    const refused = await ws.owner.post(`/v1/conversations/${hello.conversation_id}/messages`, { body: "One more offer!", channelKey: "sms" });
    expectError(refused, 409, "recipient_opted_out");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(0);

    // A second STOP changes nothing and records nothing.
    expect((await postTwilio(account, connection.id, "messages", inboundSms(account, ADA, "STOP"))).status).toBe(200);
    const start = inboundSms(account, ADA, "START");
    expect((await postTwilio(account, connection.id, "messages", start)).status).toBe(200);
    expect(await identity()).toEqual({ opted_out_at: null, opt_out_reason: null });
    // Twilio retrying the old STOP after the START does not opt her out again.
    expect((await postTwilio(account, connection.id, "messages", stop)).status).toBe(200);
    expect((await identity()).opted_out_at).toBeNull();
    const consent = await all<{ type_key: string; payload_json: string }>(
      "SELECT type_key, payload_json FROM events WHERE workspace_id = ? AND type_key LIKE 'contact.opted%' ORDER BY id",
      ws.workspace.id,
    );
    expect(consent.map((e) => [e.type_key, JSON.parse(e.payload_json).reason])).toEqual([
      ["contact.opted_out", "STOP"],
      ["contact.opted_in", "START"],
    ]);
    expect((await ws.owner.post(`/v1/conversations/${hello.conversation_id}/messages`, { body: "Welcome back", channelKey: "sms" })).status).toBe(201);
  });

  it("Twilio's OptOutType decides over the words (Advanced Opt-Out keywords in any language)", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    expect((await postTwilio(account, connection.id, "messages", inboundSms(account, ADA, "ARRÊT", { OptOutType: "STOP" }))).status).toBe(200);
    expect(await one("SELECT opt_out_reason FROM contact_identities WHERE workspace_id = ?", ws.workspace.id)).toEqual({ opt_out_reason: "STOP" });
    // HELP is no consent change, whatever the words.
    expect((await postTwilio(account, connection.id, "messages", inboundSms(account, ADA, "START", { OptOutType: "HELP" }))).status).toBe(200);
    expect(await one("SELECT opt_out_reason FROM contact_identities WHERE workspace_id = ?", ws.workspace.id)).toEqual({ opt_out_reason: "STOP" });
    // "Stop calling me at night" is a sentence, not the keyword.
    const other = await newWorkspace();
    const t = await connectTwilio(other.owner);
    expect((await postTwilio(t.account, t.connection.id, "messages", inboundSms(t.account, ADA, "Stop calling me at night"))).status).toBe(200);
    expect(await one("SELECT opted_out_at FROM contact_identities WHERE workspace_id = ?", other.workspace.id)).toEqual({ opted_out_at: null });
  });
});

describe("sending SMS", () => {
  it("sends from the connection's number with the status callback; the delivery is sent with the SM sid, then delivered", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const hello = await adaWritesIn(ws, account, connection.id);
    const reply = await ws.owner.post(`/v1/conversations/${hello.conversation_id}/messages`, { body: "Yes — attached is the quote." });
    expect(reply.status).toBe(201);
    const delivery = await eventually(() => deliveryOf(reply.body.id), (d) => d.status_key === "sent");
    expect(delivery.provider_message_id).toMatch(/^SM[0-9a-f]{32}$/);
    expect(delivery.connection_id).toBe(connection.id);
    const [sent] = await twilioCalls(account, "/Messages.json");
    expect(sent).toMatchObject({
      method: "POST",
      authenticated: true,
      params: { To: ADA, From: TWILIO_NUMBER, Body: "Yes — attached is the quote.", StatusCallback: `https://parley.test/webhooks/sms/${connection.id}/status` },
    });

    const status = (MessageStatus: string, extra: Record<string, string> = {}) =>
      postTwilio(account, connection.id, "status", {
        MessageSid: delivery.provider_message_id!,
        SmsSid: delivery.provider_message_id!,
        AccountSid: account.sid,
        From: TWILIO_NUMBER,
        To: ADA,
        ApiVersion: "2010-04-01",
        MessageStatus,
        SmsStatus: MessageStatus,
        ...extra,
      });
    const sentCallback = await status("sent");
    expect(sentCallback.status).toBe(204);
    expect((await status("delivered")).status).toBe(204);
    // A late "sent" does not move it back.
    expect((await status("sent")).status).toBe(204);
    expect(await deliveryOf(reply.body.id)).toMatchObject({ status_key: "delivered", error_code: null });
  });

  it("undelivered with 30007: the delivery fails with Twilio's code and reason", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const hello = await adaWritesIn(ws, account, connection.id);
    const reply = await ws.owner.post(`/v1/conversations/${hello.conversation_id}/messages`, { body: "Buy now!!!" });
    const delivery = await eventually(() => deliveryOf(reply.body.id), (d) => d.status_key === "sent");
    for (const MessageStatus of ["queued", "sending", "sent"]) {
      await postTwilio(account, connection.id, "status", { MessageSid: delivery.provider_message_id!, MessageStatus, AccountSid: account.sid });
    }
    await postTwilio(account, connection.id, "status", { MessageSid: delivery.provider_message_id!, MessageStatus: "undelivered", ErrorCode: "30007", AccountSid: account.sid });
    expect(await deliveryOf(reply.body.id)).toMatchObject({
      status_key: "failed",
      error_code: "30007",
      error_message: "undelivered: Message filtered by the carrier",
    });
    // Another connection's callback for the same sid changes nothing.
    const other = await newWorkspace();
    const theirs = await connectTwilio(other.owner);
    await postTwilio(theirs.account, theirs.connection.id, "status", { MessageSid: delivery.provider_message_id!, MessageStatus: "delivered", AccountSid: theirs.account.sid });
    expect((await deliveryOf(reply.body.id)).status_key).toBe("failed");
  });

  it("sends through the Messaging Service when the connection has one, files as signed links Twilio can fetch", async () => {
    const ws = await newWorkspace();
    const service = twilioSid("MG");
    const { account, connection } = await connectTwilio(ws.owner, { messagingServiceSid: service, from: null });
    const hello = await adaWritesIn(ws, account, connection.id);
    const upload = await request("POST", "/v1/attachments", {
      token: ws.owner.token,
      rawBody: (() => {
        const form = new FormData();
        form.append("file", new File([new Uint8Array([1, 2, 3, 4])], "quote.png", { type: "image/png" }));
        return form;
      })(),
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    const reply = await ws.owner.post(`/v1/conversations/${hello.conversation_id}/messages`, { body: "The quote", attachmentIds: [upload.body.id] });
    expect(reply.status).toBe(201);
    await eventually(() => deliveryOf(reply.body.id), (d) => d.status_key === "sent");
    const [sent] = await twilioCalls(account, "/Messages.json");
    expect(sent!.params).toMatchObject({ To: ADA, MessagingServiceSid: service, Body: "The quote" });
    expect(sent!.params.From).toBeUndefined();
    const mediaUrl = String(sent!.params.MediaUrl);
    expect(mediaUrl).toMatch(new RegExp(`^https://parley\\.test/files/${upload.body.id}\\?expires=\\d+&sig=[0-9a-f]+$`));
    const fetched = await request("GET", mediaUrl.replace("https://parley.test", ""));
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get("content-type")).toBe("image/png");
  });

  it("a text to a contact without any number is refused before anything is stored", async () => {
    const ws = await newWorkspace();
    await connectTwilio(ws.owner);
    const contact = (await ws.owner.post("/v1/contacts", { name: "No Number" })).body;
    const conversation = (await ws.owner.post(`/v1/contacts/${contact.id}/conversations`)).body;
    expectError(await ws.owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "hello?", channelKey: "sms" }), 409, "conflict", "contact.phone");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    // With a number on the contact (no SMS identity yet), the text goes to it.
    expect((await ws.owner.patch(`/v1/contacts/${contact.id}`, { phone: "(415) 555-0123" })).status).toBe(200);
    const sent = await ws.owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "hello?", channelKey: "sms" });
    expect(sent.status).toBe(201);
    await eventually(() => deliveryOf(sent.body.id), (d) => d.status_key === "sent");
  });
});

/**
 * An answer to Ada arranged as the send service stores it — message, queued Delivery and
 * deliver_message job — but not put on the queue, so the test drives the consumer itself.
 */
async function queuedAnswer(body = "Here is our offer") {
  const ws = await newWorkspace();
  const twilio = await connectTwilio(ws.owner);
  const hello = await adaWritesIn(ws, twilio.account, twilio.connection.id);
  const message = await one<{ id: number }>(
    "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'sms', ?, 1, 1) RETURNING id",
    ws.workspace.id,
    hello.conversation_id,
    ws.user.id,
    body,
  );
  const delivery = await one<{ id: number }>(
    "INSERT INTO deliveries (workspace_id, message_id, channel_key, status_key, attempt, connection_id, created_at, updated_at) VALUES (?, ?, 'sms', 'queued', 1, ?, 1, 1) RETURNING id",
    ws.workspace.id,
    message.id,
    twilio.connection.id,
  );
  const job = await one<{ id: number }>(
    "INSERT INTO jobs (workspace_id, kind_key, input_json, created_at, updated_at) VALUES (?, 'deliver_message', ?, 1, 1) RETURNING id",
    ws.workspace.id,
    JSON.stringify({ deliveryId: delivery.id }),
  );
  const run = (attempts = 1) => consume({ kind: "deliver_message", jobId: job.id, workspaceId: ws.workspace.id }, attempts);
  return { ws, ...twilio, messageId: message.id, run };
}

describe("Twilio's errors", () => {
  it("21610 (unsubscribed recipient) fails the delivery at once with Twilio's code and words, without a retry", async () => {
    const { account, messageId, run } = await queuedAnswer();
    await failNextTwilio(account, "Messages", { status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" });
    expect(await run()).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryOf(messageId)).toMatchObject({ status_key: "failed", error_code: "21610", error_message: "Twilio 21610: Attempt to send to unsubscribed recipient" });
    expect(await twilioCalls(account, "/Messages.json")).toHaveLength(1);
  });

  it("21211, 21408 and 21614 fail at once too", async () => {
    for (const [code, message] of [
      [21211, "The 'To' number is not a valid phone number."],
      [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"],
      [21614, "'To' number is not a valid mobile number"],
    ] as const) {
      const { account, messageId, run } = await queuedAnswer();
      await failNextTwilio(account, "Messages", { status: 400, code, message });
      expect(await run()).toEqual({ acked: true, retriedAfter: null });
      expect(await deliveryOf(messageId)).toMatchObject({ status_key: "failed", error_code: String(code) });
    }
  });

  it("429 (20429) is retried after Twilio's wait, then sent", async () => {
    const { account, messageId, run } = await queuedAnswer();
    await failNextTwilio(account, "Messages", { status: 429, code: 20429, message: "Too Many Requests", retryAfter: 3 });
    expect(await run()).toEqual({ acked: false, retriedAfter: 3 });
    expect((await deliveryOf(messageId)).status_key).toBe("queued");
    expect(await run(2)).toEqual({ acked: true, retriedAfter: null });
    expect((await deliveryOf(messageId)).status_key).toBe("sent");
    expect(await twilioCalls(account, "/Messages.json")).toHaveLength(2);
  });

  it("5xx and an unreachable Twilio are retried with backoff; after the last attempt the delivery fails with the reason", async () => {
    const { account, messageId, run } = await queuedAnswer();
    await failNextTwilio(account, "Messages", { status: 503, code: 20503, message: "Service Unavailable" });
    expect(await run()).toEqual({ acked: false, retriedAfter: 10 });
    await failNextTwilio(account, "Messages", { status: 0, network: true });
    const second = await run(2);
    expect(second.acked).toBe(false);
    expect((await deliveryOf(messageId)).status_key).toBe("queued");
    // The fifth and last attempt.
    await env.DB.prepare("UPDATE jobs SET attempts = 4 WHERE kind_key = 'deliver_message' AND input_json = ?").bind(JSON.stringify({ deliveryId: (await deliveryOf(messageId)).id })).run();
    await failNextTwilio(account, "Messages", { status: 500, code: 20500, message: "Internal Server Error" });
    expect(await run(5)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryOf(messageId)).toMatchObject({ status_key: "failed", error_code: "20500", error_message: "Twilio 20500: Internal Server Error" });
  });
});
