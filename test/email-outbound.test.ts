// Answers leaving by e-mail and what the provider reports back: connecting a mailbox (the key
// checked against the fake Resend API), answers threaded for the contact's mail client, provider
// errors retried or failed, delivery events signed as Standard Webhooks, and complaints that
// stop further mail.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { standardWebhookSignature } from "../src/channels/email/email.webhook";
import { type Client, newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { connectMailbox, deliverMail, emailApiCalls, emailEvent, failNextEmail, fixture, type Mailbox, svixHeaders } from "./helpers/email";
import { consume } from "./helpers/queue";
import { expectError } from "./helpers/security";
import { eventually } from "./helpers/telegram";

const ANA = "ana@example.test";

/** A mailbox Ana wrote to; her conversation. */
async function anaWrote(opts: { member?: string } = {}) {
  const ws = await newWorkspace();
  const box = await connectMailbox(ws.owner);
  await deliverMail(fixture("plain", { FROM: ANA, TO: box.address, MESSAGE_ID: "ana-first@example.test" }), { from: ANA, to: box.address });
  const { conversation_id: conversationId, author_contact_id: contactId } = await one<{ conversation_id: number; author_contact_id: number }>(
    "SELECT conversation_id, author_contact_id FROM messages WHERE workspace_id = ?",
    ws.workspace.id,
  );
  const rep = opts.member ? await ws.member(opts.member) : null;
  return { ws, box, conversationId, contactId, api: rep?.api ?? ws.owner };
}

/** Send through the API and wait until the queued delivery reached the fake provider. */
async function answer(api: Client, box: Mailbox, conversationId: number, body: string, attachmentIds?: number[]) {
  const before = (await emailApiCalls(box.apiKey)).length;
  const sent = await api.post(`/v1/conversations/${conversationId}/messages`, { body, ...(attachmentIds ? { attachmentIds } : {}) });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  const calls = await eventually(
    () => emailApiCalls(box.apiKey),
    (c) => c.length > before,
  );
  const delivery = await eventually(
    () => one<{ id: number; status_key: string; provider_message_id: string | null }>("SELECT id, status_key, provider_message_id FROM deliveries WHERE message_id = ?", sent.body.id),
    (d) => d.status_key !== "queued",
  );
  return { message: sent.body, call: calls[before]!, delivery };
}

/** Upload a file for a message (POST /v1/attachments, multipart `file`). */
async function uploadAttachment(api: Client, bytes: Uint8Array, fileName: string, type: string): Promise<number> {
  const form = new FormData();
  form.append("file", new File([bytes], fileName, { type }));
  const res = await request("POST", "/v1/attachments", { token: api.token, rawBody: form });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

const postEvent = (connectionId: number, body: string, headers: Record<string, string>) =>
  request("POST", `/webhooks/email/${connectionId}`, { rawBody: body, headers });

describe("connecting a mailbox", () => {
  it("checks the key and the address's domain at the provider, seals the secrets, and gives the webhook URL", async () => {
    const ws = await newWorkspace();
    const box = await connectMailbox(ws.owner, { fromName: "Acme Sales" });
    expect(box.connection).toMatchObject({
      channelKey: "email",
      externalAccountId: box.address,
      config: { address: box.address, fromName: "Acme Sales", domainStatus: "verified", webhookSecretSet: true },
      webhookUrl: `https://parley.test/webhooks/email/${box.connection.id}`,
    });
    expect(JSON.stringify(box.connection)).not.toContain(box.apiKey);
    const sealed = await one<{ credentials_ciphertext: string }>("SELECT credentials_ciphertext FROM channel_connections WHERE id = ?", box.connection.id);
    expect(sealed.credentials_ciphertext).not.toContain(box.apiKey.slice(3, 20));
    expect((await emailApiCalls(box.apiKey, "/domains")).length).toBe(1);
  });

  it("refuses an address connected in any workspace (409), a key the provider refuses and a domain it will not send from (422), and answers 502 when the provider is down", async () => {
    const first = await newWorkspace();
    const box = await connectMailbox(first.owner);
    const other = await newWorkspace();
    const connect = (body: Record<string, unknown>) => other.owner.post("/v1/channels", { channelKey: "email", apiKey: `re_test_${crypto.randomUUID()}`, ...body });

    expectError(await connect({ address: box.address.toUpperCase() }), 409, "conflict", "body.address");
    expectError(await connect({ address: "sales@acme.test", apiKey: "re_invalid_key_123" }), 422, "validation_failed", "body.apiKey");
    expectError(await connect({ address: "sales@pending.test" }), 422, "validation_failed", "body.address");
    expectError(await connect({ address: "sales@elsewhere.test" }), 422, "validation_failed", "body.address");
    expectError(await connect({ address: "sales+eu@acme.test" }), 422, "validation_failed", "body.address");
    expectError(await connect({ address: "sales-x@acme.test", webhookSecret: "not-a-secret" }), 422, "validation_failed", "body.webhookSecret");
    const downKey = `re_test_${crypto.randomUUID()}`;
    await failNextEmail(downKey, 503, "internal_server_error", "Service unavailable", { path: "/domains" });
    expectError(await connect({ address: "sales-down@acme.test", apiKey: downKey }), 502, "upstream_error");
    // A key that may only send cannot list domains: accepted, the domain unchecked.
    const sendOnly = await connect({ address: `sales-${crypto.randomUUID().slice(0, 6)}@acme.test`, apiKey: "re_sendonly_abc12345" });
    expect(sendOnly.status).toBe(201);
    expect(sendOnly.body.config).toMatchObject({ domainStatus: null, webhookSecretSet: false });
    expect(await count("SELECT count(*) AS n FROM channel_connections WHERE workspace_id = ?", other.workspace.id)).toBe(1);
  });
});

describe("answers by e-mail (deliver_message)", () => {
  it("three answers chain In-Reply-To and References for the contact's client, under one Re: subject, from the rep via the mailbox, with the conversation's reply address", async () => {
    const { box, conversationId, api } = await anaWrote({ member: "Rita Rep" });
    const first = await answer(api, box, conversationId, "Here is the quote: 20 seats, 12 EUR each.");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 254, 255]);
    const upload = await uploadAttachment(api, png, "price sheet.png", "image/png");
    const second = await answer(api, box, conversationId, "And the price sheet.", [upload]);
    const third = await answer(api, box, conversationId, "Anything else?");

    const [m1, m2, m3] = [first, second, third].map((s) => s.call.body.headers["Message-ID"] as string);
    expect(new Set([m1, m2, m3]).size).toBe(3);
    expect(m1).toMatch(/^<parley\.\d+\.[0-9a-f]{16}@acme\.test>$/);
    for (const { call, delivery } of [first, second, third]) {
      expect(call.body).toMatchObject({
        from: `"Rita Rep via Acme Sales" <${box.address}>`,
        to: [ANA],
        subject: "Re: Quote for 20 seats",
        reply_to: expect.stringMatching(new RegExp(`^${box.address.split("@")[0]}\\+c${conversationId}-[0-9a-f]{12}@acme\\.test$`)),
      });
      expect(call.headers["idempotency-key"]).toBe(`parley-delivery-${delivery.id}`);
      expect(delivery).toMatchObject({ status_key: "sent", provider_message_id: call.response.id });
    }
    expect(first.call.body.text).toBe("Here is the quote: 20 seats, 12 EUR each.");
    expect(first.call.body.headers).toMatchObject({ "In-Reply-To": "<ana-first@example.test>", References: "<ana-first@example.test>" });
    expect(second.call.body.headers).toMatchObject({ "In-Reply-To": m1, References: `<ana-first@example.test> ${m1}` });
    expect(third.call.body.headers).toMatchObject({ "In-Reply-To": m2, References: `<ana-first@example.test> ${m1} ${m2}` });
    // The file went along, base64, with its name and type, and a Content-Length.
    expect(second.call.body.attachments).toEqual([{ filename: "price sheet.png", content_type: "image/png", content: btoa(String.fromCharCode(...png)) }]);
    expect(Number(second.call.headers["content-length"])).toBeGreaterThan(0);

    // Ana answers the third from her client: it threads, and the next answer follows her mail
    // with one Re:, never Re: Re:.
    await deliverMail(fixture("reply-in-reply-to", { TO: box.address, MESSAGE_ID: "ana-second@example.test", PARENT: m3! }), { from: ANA, to: box.address });
    const reply = await one<{ conversation_id: number; payload_json: string }>("SELECT conversation_id, payload_json FROM messages WHERE external_id = '<ana-second@example.test>'");
    expect(reply.conversation_id).toBe(conversationId);
    expect(JSON.parse(reply.payload_json).thread).toEqual({ conversationId, rule: "in-reply-to", id: m3 });
    const fourth = await answer(api, box, conversationId, "Great, sending the contract.");
    expect(fourth.call.body.subject).toBe("Re: Quote for 20 seats");
    expect(fourth.call.body.headers).toMatchObject({ "In-Reply-To": "<ana-second@example.test>", References: `${m3} <ana-second@example.test>` });
  });

  /** An answer arranged in the database with its queued delivery and job, not put on the queue. */
  async function queuedAnswer() {
    const { ws, box, conversationId } = await anaWrote();
    const message = await one<{ id: number }>(
      "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'email', 'Our offer', 1, 1) RETURNING id",
      ws.workspace.id,
      conversationId,
      ws.user.id,
    );
    const delivery = await one<{ id: number }>(
      "INSERT INTO deliveries (workspace_id, message_id, channel_key, status_key, attempt, connection_id, created_at, updated_at) VALUES (?, ?, 'email', 'queued', 1, ?, 1, 1) RETURNING id",
      ws.workspace.id,
      message.id,
      box.connection.id,
    );
    const job = await one<{ id: number }>(
      "INSERT INTO jobs (workspace_id, kind_key, input_json, created_at, updated_at) VALUES (?, 'deliver_message', ?, 1, 1) RETURNING id",
      ws.workspace.id,
      JSON.stringify({ deliveryId: delivery.id }),
    );
    const run = (attempts = 1) => consume({ kind: "deliver_message", jobId: job.id, workspaceId: ws.workspace.id }, attempts);
    const deliveryRow = () =>
      one<{ status_key: string; error_code: string | null; error_message: string | null; provider_message_id: string | null }>(
        "SELECT status_key, error_code, error_message, provider_message_id FROM deliveries WHERE id = ?",
        delivery.id,
      );
    return { ws, box, run, deliveryRow, jobId: job.id };
  }

  it("a validation error (422) fails the delivery at once with the provider's name and message", async () => {
    const { box, run, deliveryRow, jobId } = await queuedAnswer();
    await failNextEmail(box.apiKey, 422, "validation_error", "Invalid `to` field. The email address needs to follow the `email@example.com` format.");
    expect(await run()).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow()).toEqual({
      status_key: "failed",
      error_code: "validation_error",
      error_message: "Resend refused the e-mail (422 validation_error: Invalid `to` field. The email address needs to follow the `email@example.com` format.)",
      provider_message_id: null,
    });
    expect(await one("SELECT status_key FROM jobs WHERE id = ?", jobId)).toEqual({ status_key: "failed" });
  });

  it("a 503 or a 429 is retried (after the provider's Retry-After), with the same Idempotency-Key and Message-ID, until it is sent once", async () => {
    const { box, run, deliveryRow } = await queuedAnswer();
    await failNextEmail(box.apiKey, 503, "internal_server_error", "Service unavailable");
    const first = await run(1);
    expect(first.acked).toBe(false);
    expect(first.retriedAfter).toBeGreaterThan(0);
    expect(await deliveryRow()).toMatchObject({ status_key: "queued", error_code: null });

    await failNextEmail(box.apiKey, 429, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second.", { retryAfter: 17 });
    expect(await run(2)).toEqual({ acked: false, retriedAfter: 17 });

    expect(await run(3)).toEqual({ acked: true, retriedAfter: null });
    const calls = await emailApiCalls(box.apiKey);
    expect(calls.map((c) => c.status)).toEqual([503, 429, 200]);
    expect(new Set(calls.map((c) => c.headers["idempotency-key"])).size).toBe(1);
    expect(new Set(calls.map((c) => c.body.headers["Message-ID"])).size).toBe(1);
    expect(await deliveryRow()).toMatchObject({ status_key: "sent", provider_message_id: calls[2]!.response.id });
  });
});

describe("provider events (POST /webhooks/email/{connectionId})", () => {
  it("computes the Standard Webhooks signature of the specification's test vector", async () => {
    const body = new TextEncoder().encode('{"test": 2432232314}');
    expect(await standardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body)).toBe(
      "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("a good signature is applied (delivered); a wrong, stale, future or missing one is 401 and changes nothing; a rotated secret's pair is accepted", async () => {
    const { box, conversationId, api } = await anaWrote();
    const { delivery } = await answer(api, box, conversationId, "Here is the quote.");
    const delivered = JSON.stringify(emailEvent("email.delivered", delivery.provider_message_id!));
    const now = Math.floor(Date.now() / 1000);
    const status = async () => (await one<{ status_key: string }>("SELECT status_key FROM deliveries WHERE id = ?", delivery.id)).status_key;

    const wrongSecret = `whsec_${btoa("another secret, 24 bytes!")}`;
    expectError(await postEvent(box.connection.id, delivered, await svixHeaders(wrongSecret, delivered)), 401, "unauthorized");
    expectError(await postEvent(box.connection.id, delivered, await svixHeaders(box.webhookSecret, delivered, { timestamp: now - 6 * 60 })), 401, "unauthorized");
    expectError(await postEvent(box.connection.id, delivered, await svixHeaders(box.webhookSecret, delivered, { timestamp: now + 6 * 60 })), 401, "unauthorized");
    const tampered = await svixHeaders(box.webhookSecret, delivered);
    expectError(await postEvent(box.connection.id, delivered.replace("delivered", "bounced"), tampered), 401, "unauthorized");
    expectError(await postEvent(box.connection.id, delivered, { "content-type": "application/json" }), 401, "unauthorized");
    expect(await status()).toBe("sent");

    // During a rotation the provider signs with the old and the new secret.
    const good = await svixHeaders(box.webhookSecret, delivered);
    const old = await svixHeaders(wrongSecret, delivered, { id: good["svix-id"], timestamp: Number(good["svix-timestamp"]) });
    const rotated = { ...good, "svix-signature": `${old["svix-signature"]} ${good["svix-signature"]}` };
    const res = await postEvent(box.connection.id, delivered, rotated);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await status()).toBe("delivered");
  });

  it("a bounce event fails the delivery with its reason; the provider's own Message-ID threads replies like Parley's", async () => {
    const { box, conversationId, api } = await anaWrote();
    const { delivery } = await answer(api, box, conversationId, "Here is the quote.");
    const sentEvent = JSON.stringify(emailEvent("email.sent", delivery.provider_message_id!, { message_id: "<0100019a-provider-own@email.resend.test>" }));
    expect((await postEvent(box.connection.id, sentEvent, await svixHeaders(box.webhookSecret, sentEvent))).status).toBe(200);
    const bounced = JSON.stringify(
      emailEvent("email.bounced", delivery.provider_message_id!, { bounce: { type: "Permanent", subType: "General", message: "The recipient's mailbox does not exist." } }),
    );
    expect((await postEvent(box.connection.id, bounced, await svixHeaders(box.webhookSecret, bounced))).status).toBe(200);
    expect(await one("SELECT status_key, error_code, error_message FROM deliveries WHERE id = ?", delivery.id)).toEqual({
      status_key: "failed",
      error_code: "bounced",
      error_message: "Permanent/General bounce: The recipient's mailbox does not exist.",
    });
    // Opened, clicked…: nothing a delivery records, answered 200 so the provider stops.
    const opened = JSON.stringify(emailEvent("email.opened", delivery.provider_message_id!));
    expect((await postEvent(box.connection.id, opened, await svixHeaders(box.webhookSecret, opened))).status).toBe(200);

    // Ana's client knows the provider's Message-ID: her reply to it threads.
    expect((await api.put(`/v1/conversations/${conversationId}/status`, { statusKey: "closed" })).status).toBe(200);
    await deliverMail(fixture("reply-in-reply-to", { TO: box.address, MESSAGE_ID: "ana-to-provider-id@example.test", PARENT: "<0100019a-provider-own@email.resend.test>" }), {
      from: ANA,
      to: box.address,
    });
    const reply = await one<{ payload_json: string }>("SELECT payload_json FROM messages WHERE external_id = '<ana-to-provider-id@example.test>'");
    expect(JSON.parse(reply.payload_json).thread).toEqual({ conversationId, rule: "in-reply-to", id: "<0100019a-provider-own@email.resend.test>" });
  });

  it("a complaint marks the contact's address opted out (with its contact.opted_out event), and later sends are refused with 409 recipient_opted_out", async () => {
    const { ws, box, conversationId, contactId, api } = await anaWrote();
    const { delivery } = await answer(api, box, conversationId, "Our newsletter-ish offer.");
    const complained = JSON.stringify(emailEvent("email.complained", delivery.provider_message_id!, { to: [ANA] }));
    const res = await postEvent(box.connection.id, complained, await svixHeaders(box.webhookSecret, complained));
    expect(res.status).toBe(200);
    expect(await one("SELECT status_key, error_code FROM deliveries WHERE id = ?", delivery.id)).toEqual({ status_key: "failed", error_code: "complained" });
    const identity = await one<{ opted_out_at: number | null; opt_out_reason: string | null }>(
      "SELECT opted_out_at, opt_out_reason FROM contact_identities WHERE contact_id = ? AND channel_key = 'email'",
      contactId,
    );
    expect(identity.opted_out_at).toBeGreaterThan(0);
    expect(identity.opt_out_reason).toContain("complaint");
    // The provider repeats itself: one event only.
    expect((await postEvent(box.connection.id, complained, await svixHeaders(box.webhookSecret, complained))).status).toBe(200);
    expect(await all("SELECT entity_id FROM events WHERE workspace_id = ? AND type_key = 'contact.opted_out'", ws.workspace.id)).toEqual([{ entity_id: contactId }]);

    const refused = await api.post(`/v1/conversations/${conversationId}/messages`, { body: "Are you still interested?" });
    expectError(refused, 409, "recipient_opted_out");
    expect(refused.body.error.message).toContain("complaint");
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND author_kind_key = 'user'", conversationId)).toBe(1);
    expect(env.EMAIL_API_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});
