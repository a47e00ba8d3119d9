// Answers reaching contacts on WhatsApp: text and files from the number the contact wrote to,
// contextual replies, the 24-hour window and templates, status callbacks, and Meta's errors
// mapped to retries or failures.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Client, newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { consume } from "./helpers/queue";
import { expectError } from "./helpers/security";
import { connectBot, eventually, messageUpdate, postUpdate } from "./helpers/telegram";
import {
  type Connected,
  connectNumber,
  failNext,
  graphCalls,
  inbound,
  postNotification,
  seconds,
  type Sender,
  sentMessages,
  status,
  statuses,
  text,
} from "./helpers/whatsapp";

const ana: Sender = { waId: "16505551234", name: "Ana Lima" };
const bruno: Sender = { waId: "5511987654321", name: "Bruno Souza" };
const HOUR = 3_600_000;

/** The contact writes to the number (at `at`); their message and its conversation. */
async function writesIn(ws: { workspace: { id: number } }, wa: Connected, from: Sender, body = "hi", at = Date.now()) {
  const msg = text(from, body, { timestamp: seconds(at) });
  const res = await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, from, msg));
  expect(res.status).toBe(200);
  return one<{ id: number; conversation_id: number; external_id: string }>(
    "SELECT id, conversation_id, external_id FROM messages WHERE workspace_id = ? AND external_id = ?",
    ws.workspace.id,
    msg.id,
  );
}

const deliveryRow = (id: number) =>
  one<{ status_key: string; provider_message_id: string | null; error_code: string | null; error_message: string | null; connection_id: number | null }>(
    "SELECT status_key, provider_message_id, error_code, error_message, connection_id FROM deliveries WHERE id = ?",
    id,
  );

const sentDelivery = (id: number) => eventually(() => deliveryRow(id), (d) => d.status_key !== "queued");

async function upload(api: Client, bytes: Uint8Array, type: string, name: string) {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type }), name);
  return (await request("POST", "/v1/attachments", { token: api.token, rawBody: form })).body as { id: number };
}

describe("sending on WhatsApp", () => {
  it("sends text from the number the contact wrote to, as a contextual reply; the delivery is sent with the wamid", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const question = await writesIn(ws, wa, ana, "Does it come in blue?");
    const res = await ws.owner.post(`/v1/conversations/${question.conversation_id}/messages`, { body: "Yes — see https://shop.example/blue", replyToMessageId: question.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ channelKey: "whatsapp", replyToMessageId: question.id, delivery: { statusKey: "queued" } });

    const delivery = await sentDelivery(res.body.delivery.id);
    const [call] = await graphCalls(wa.phoneNumberId, "messages");
    expect(call).toMatchObject({ method: "POST", path: `/${env.WHATSAPP_API_VERSION}/${wa.phoneNumberId}/messages`, authorization: `Bearer ${wa.accessToken}` });
    expect(call!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: ana.waId,
      context: { message_id: question.external_id },
      type: "text",
      text: { body: "Yes — see https://shop.example/blue", preview_url: true },
    });
    expect(delivery).toMatchObject({ status_key: "sent", error_code: null, connection_id: wa.connection.id });
    expect(delivery.provider_message_id).toMatch(/^wamid\./);
    const listed = (await ws.owner.get(`/v1/conversations/${question.conversation_id}/messages`)).body.data;
    expect(listed.at(-1)).toMatchObject({ replyToMessageId: question.id, delivery: { statusKey: "sent", providerMessageId: delivery.provider_message_id } });
  });

  it("a contact known only by a business-scoped user id (a username, no phone) is written to as `recipient`", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const bsuid = "US.13491208655302741918";
    const msg = { from_user_id: bsuid, id: `wamid.bsuid${Date.now()}`, timestamp: seconds(), type: "text", text: { body: "hi, it's @sheena" } };
    const body = {
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1", phone_number_id: wa.phoneNumberId }, contacts: [{ profile: { name: "Sheena", username: "@sheena" }, user_id: bsuid }], messages: [msg] } }] }],
    };
    expect((await postNotification(wa.connection, wa.appSecret, body)).status).toBe(200);
    const stored = await one<{ conversation_id: number; author_contact_id: number }>("SELECT conversation_id, author_contact_id FROM messages WHERE workspace_id = ?", ws.workspace.id);
    expect(await one("SELECT name, phone FROM contacts WHERE id = ?", stored.author_contact_id)).toEqual({ name: "Sheena", phone: null });
    expect(await one("SELECT external_id, handle FROM contact_identities WHERE contact_id = ?", stored.author_contact_id)).toEqual({ external_id: bsuid, handle: "@sheena" });
    const res = await ws.owner.post(`/v1/conversations/${stored.conversation_id}/messages`, { body: "Hi Sheena" });
    expect(await sentDelivery(res.body.delivery.id)).toMatchObject({ status_key: "sent" });
    const [sent] = await sentMessages(wa.phoneNumberId);
    expect(sent).toMatchObject({ recipient: bsuid, type: "text", text: { body: "Hi Sheena" } });
    expect(sent.to).toBeUndefined();
  });

  it("refuses a reply to a message of another conversation, storing nothing", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const fromAna = await writesIn(ws, wa, ana);
    const fromBruno = await writesIn(ws, wa, bruno);
    const res = await ws.owner.post(`/v1/conversations/${fromAna.conversation_id}/messages`, { body: "hi", replyToMessageId: fromBruno.id });
    expectError(res, 422, "validation_failed", "body.replyToMessageId");
    const outsider = await newWorkspace();
    const theirs = await writesIn(outsider, await connectNumber(outsider.owner), ana);
    expectError(await ws.owner.post(`/v1/conversations/${fromAna.conversation_id}/messages`, { body: "hi", replyToMessageId: theirs.id }), 422, "validation_failed", "body.replyToMessageId");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(0);
  });

  it("uploads attachments (multipart) and sends them by id, the text as the first image's caption", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const question = await writesIn(ws, wa, ana, "send me the brochure");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]);
    const pdf = new TextEncoder().encode("%PDF-1.7 brochure");
    const image = await upload(ws.owner, png, "image/png", "shop.png");
    const doc = await upload(ws.owner, pdf, "application/pdf", "brochure 2026.pdf");
    const res = await ws.owner.post(`/v1/conversations/${question.conversation_id}/messages`, { body: "Here you go", attachmentIds: [image.id, doc.id] });
    expect(res.status).toBe(201);
    expect(await sentDelivery(res.body.delivery.id)).toMatchObject({ status_key: "sent" });

    const uploads = await graphCalls(wa.phoneNumberId, "media");
    expect(uploads.map((u) => [u.body.messaging_product, u.body.type, u.body.file.fileName, u.body.file.type, atob(u.body.file.base64)])).toEqual([
      ["whatsapp", "image/png", "shop.png", "image/png", String.fromCharCode(...png)],
      ["whatsapp", "application/pdf", "brochure 2026.pdf", "application/pdf", "%PDF-1.7 brochure"],
    ]);
    const sent = await sentMessages(wa.phoneNumberId);
    expect(sent.map((m) => [m.type, m[m.type]])).toEqual([
      ["image", { id: expect.any(String), caption: "Here you go" }],
      ["document", { id: expect.any(String), filename: "brochure 2026.pdf" }],
    ]);
    expect(sent[0].image.id).not.toBe(sent[1].document.id);
  });
});

describe("the 24-hour customer-service window", () => {
  it("outside it a free-form send is refused at once naming when it closed; a template goes out at any time", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const wroteAt = Math.floor((Date.now() - 25 * HOUR) / 1000) * 1000;
    const old = await writesIn(ws, wa, ana, "old question", wroteAt);
    const refused = await ws.owner.post(`/v1/conversations/${old.conversation_id}/messages`, { body: "Sorry for the delay!" });
    expectError(refused, 409, "outside_customer_window");
    expect(refused.body.error.message).toContain(new Date(wroteAt + 24 * HOUR).toISOString());
    expect(refused.body.error.message).toContain("template");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM deliveries WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    // A note to the team is not a send to the contact.
    expect((await ws.owner.post(`/v1/conversations/${old.conversation_id}/messages`, { body: "call her", channelKey: "internal" })).status).toBe(201);

    const template = { name: "order_update", language: "en_US", components: [{ type: "body", parameters: [{ type: "text", text: "Ana" }] }] };
    const sent = await ws.owner.post(`/v1/conversations/${old.conversation_id}/messages`, { template });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ channelKey: "whatsapp", body: "Template order_update (en_US)", payload: { template } });
    expect(await sentDelivery(sent.body.delivery.id)).toMatchObject({ status_key: "sent" });
    expect(await sentMessages(wa.phoneNumberId)).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: ana.waId,
        type: "template",
        template: { name: "order_update", language: { code: "en_US" }, components: template.components },
      },
    ]);

    // The contact writes again: the window is open for 24 hours from then.
    const again = await writesIn(ws, wa, ana, "thanks, and the price?", Date.now() - 23 * HOUR);
    expect(again.conversation_id).toBe(old.conversation_id);
    expect((await ws.owner.post(`/v1/conversations/${old.conversation_id}/messages`, { body: "It is 40 €", replyToMessageId: again.id })).status).toBe(201);
  });

  it("a contact who never wrote to the number has no window", async () => {
    const ws = await newWorkspace();
    await connectNumber(ws.owner);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Cold Lead", identities: [{ channelKey: "whatsapp", externalId: "447700900555" }] })).body;
    const conversation = (await ws.owner.post(`/v1/contacts/${contact.id}/conversations`)).body;
    const refused = await ws.owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "Hello!", channelKey: "whatsapp" });
    expectError(refused, 409, "outside_customer_window");
    expect(refused.body.error.message).toContain("has not written");
    const template = await ws.owner.post(`/v1/conversations/${conversation.id}/messages`, { channelKey: "whatsapp", template: { name: "hello_world", language: "en_US" }, body: "Hello world" });
    expect(template.status).toBe(201);
    expect(template.body.body).toBe("Hello world");
  });

  it("validates templates, and refuses them on channels that have none", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const { conversation_id } = await writesIn(ws, wa, ana);
    const send = (body: unknown) => ws.owner.post(`/v1/conversations/${conversation_id}/messages`, body);
    expectError(await send({ template: { name: "Order Update", language: "en_US" } }), 422, "validation_failed", "body.template.name");
    expectError(await send({ template: { name: "order_update", language: "english" } }), 422, "validation_failed", "body.template.language");
    expectError(await send({ template: { name: "order_update" } }), 422, "validation_failed", "body.template.language");
    expectError(await send({ template: { name: "order_update", language: "en", components: [{ parameters: [] }] } }), 422, "validation_failed", "body.template.components.0.type");
    const image = await upload(ws.owner, new Uint8Array([1, 2, 3]), "image/png", "a.png");
    expectError(await send({ template: { name: "order_update", language: "en" }, attachmentIds: [image.id] }), 422, "validation_failed", "body.attachmentIds");
    expectError(await send({ template: { name: "order_update", language: "en" }, channelKey: "internal" }), 422, "validation_failed", "body.template");

    const tg = await newWorkspace();
    const bot = await connectBot(tg.owner);
    await postUpdate(bot.connection, bot.secret, messageUpdate({ id: 640001, first_name: "Tom" }, "hi"));
    const { conversation_id: tgConversation } = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ?", tg.workspace.id);
    expectError(await tg.owner.post(`/v1/conversations/${tgConversation}/messages`, { template: { name: "order_update", language: "en" } }), 422, "validation_failed", "body.template");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id IN (?, ?) AND author_kind_key = 'user'", ws.workspace.id, tg.workspace.id)).toBe(0);
  });
});

describe("status callbacks", () => {
  async function sentAnswer() {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const question = await writesIn(ws, wa, ana);
    const res = await ws.owner.post(`/v1/conversations/${question.conversation_id}/messages`, { body: "On its way" });
    const delivery = await sentDelivery(res.body.delivery.id);
    return { ws, wa, deliveryId: res.body.delivery.id as number, wamid: delivery.provider_message_id! };
  }

  it("sent → read → delivered: forward only, read may skip delivered, the late delivered is ignored", async () => {
    const { ws, wa, deliveryId, wamid } = await sentAnswer();
    const post = (state: string) => postNotification(wa.connection, wa.appSecret, statuses(wa.phoneNumberId, status(wamid, state, ana.waId)));
    expect((await post("sent")).status).toBe(200);
    expect((await post("read")).status).toBe(200);
    expect((await post("delivered")).status).toBe(200);
    expect((await deliveryRow(deliveryId)).status_key).toBe("read");
    const changes = await all<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'delivery.status_changed' ORDER BY id",
      ws.workspace.id,
    );
    expect(changes.map((c) => JSON.parse(c.payload_json)).map((p) => `${p.before}→${p.after}`)).toEqual(["queued→sent", "sent→read"]);
  });

  it("failed keeps the first error's code and title; statuses in one notification are all applied", async () => {
    const { wa, deliveryId, wamid } = await sentAnswer();
    const failed = status(wamid, "failed", ana.waId, {
      errors: [
        {
          code: 131047,
          title: "Re-engagement message",
          message: "Re-engagement message",
          error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
        },
        { code: 131026, title: "Message undeliverable" },
      ],
    });
    const unknown = status("wamid.NOT-OURS", "delivered", ana.waId);
    expect((await postNotification(wa.connection, wa.appSecret, statuses(wa.phoneNumberId, unknown, failed))).status).toBe(200);
    const delivery = await deliveryRow(deliveryId);
    expect(delivery).toMatchObject({ status_key: "failed", error_code: "131047" });
    expect(delivery.error_message).toMatch(/^Re-engagement message: Message failed to send because more than 24 hours/);
    // A failure is final: a later "read" does not revive it.
    await postNotification(wa.connection, wa.appSecret, statuses(wa.phoneNumberId, status(wamid, "read", ana.waId)));
    expect((await deliveryRow(deliveryId)).status_key).toBe("failed");
  });

  it("a status for another workspace's (or another number's) wamid changes nothing", async () => {
    const { ws, wa, deliveryId, wamid } = await sentAnswer();
    const otherNumber = await connectNumber(ws.owner);
    const outsider = await newWorkspace();
    const theirs = await connectNumber(outsider.owner);
    for (const target of [theirs, otherNumber]) {
      const res = await postNotification(target.connection, target.appSecret, statuses(target.phoneNumberId, status(wamid, "failed", ana.waId, { errors: [{ code: 131026, title: "x" }] })));
      expect(res.status).toBe(200);
    }
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "sent", error_code: null });
    // Signed by the right app but posted for this number: only then does it count.
    await postNotification(wa.connection, wa.appSecret, statuses(wa.phoneNumberId, status(wamid, "delivered", ana.waId)));
    expect((await deliveryRow(deliveryId)).status_key).toBe("delivered");
  });
});

describe("two numbers in one workspace", () => {
  it("each keeps working: replies leave through the number the contact last wrote to, inside that number's window", async () => {
    const ws = await newWorkspace();
    const sales = await connectNumber(ws.owner);
    const support = await connectNumber(ws.owner);
    // Ana wrote to sales a day and a half ago, and to support just now.
    await writesIn(ws, sales, ana, "old, to sales", Date.now() - 36 * HOUR);
    const toSupport = await writesIn(ws, support, ana, "now, to support");
    const fromBruno = await writesIn(ws, sales, bruno, "bruno to sales");
    expect(new Set([toSupport.conversation_id, fromBruno.conversation_id]).size).toBe(2);

    const reply = await ws.owner.post(`/v1/conversations/${toSupport.conversation_id}/messages`, { body: "support here" });
    expect(reply.status).toBe(201);
    expect(await sentDelivery(reply.body.delivery.id)).toMatchObject({ status_key: "sent", connection_id: support.connection.id });
    const toBruno = await ws.owner.post(`/v1/conversations/${fromBruno.conversation_id}/messages`, { body: "sales here" });
    expect(await sentDelivery(toBruno.body.delivery.id)).toMatchObject({ status_key: "sent", connection_id: sales.connection.id });
    expect((await sentMessages(support.phoneNumberId)).map((m) => [m.to, m.text.body])).toEqual([[ana.waId, "support here"]]);
    expect((await sentMessages(sales.phoneNumberId)).map((m) => [m.to, m.text.body])).toEqual([[bruno.waId, "sales here"]]);

    // Ana writes to sales again: the next answer leaves from sales.
    await writesIn(ws, sales, ana, "back to sales");
    const again = await ws.owner.post(`/v1/conversations/${toSupport.conversation_id}/messages`, { body: "sales again" });
    expect(await sentDelivery(again.body.delivery.id)).toMatchObject({ status_key: "sent", connection_id: sales.connection.id });
    // Each number's status callbacks reach only its own deliveries.
    const { provider_message_id } = await deliveryRow(again.body.delivery.id);
    await postNotification(support.connection, support.appSecret, statuses(support.phoneNumberId, status(provider_message_id!, "read", ana.waId)));
    expect((await deliveryRow(again.body.delivery.id)).status_key).toBe("sent");
    await postNotification(sales.connection, sales.appSecret, statuses(sales.phoneNumberId, status(provider_message_id!, "read", ana.waId)));
    expect((await deliveryRow(again.body.delivery.id)).status_key).toBe("read");
  });
});

describe("Meta's errors (deliver_message run by hand)", () => {
  /** A contact's recent message and an answer queued for it, arranged in the database and not on the queue. */
  async function queuedAnswer(wa?: Connected, ws?: Awaited<ReturnType<typeof newWorkspace>>) {
    const workspace = ws ?? (await newWorkspace());
    const number = wa ?? (await connectNumber(workspace.owner));
    const question = await writesIn(workspace, number, ana);
    const message = await one<{ id: number }>(
      "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'whatsapp', 'Here is our offer', 1, 1) RETURNING id",
      workspace.workspace.id,
      question.conversation_id,
      workspace.user.id,
    );
    const delivery = await one<{ id: number }>(
      "INSERT INTO deliveries (workspace_id, message_id, channel_key, connection_id, status_key, attempt, created_at, updated_at) VALUES (?, ?, 'whatsapp', ?, 'queued', 1, 1, 1) RETURNING id",
      workspace.workspace.id,
      message.id,
      number.connection.id,
    );
    const job = await one<{ id: number }>(
      "INSERT INTO jobs (workspace_id, kind_key, input_json, created_at, updated_at) VALUES (?, 'deliver_message', ?, 1, 1) RETURNING id",
      workspace.workspace.id,
      JSON.stringify({ deliveryId: delivery.id }),
    );
    const run = (attempts = 1) => consume({ kind: "deliver_message", jobId: job.id, workspaceId: workspace.workspace.id }, attempts);
    return { ws: workspace, wa: number, deliveryId: delivery.id, jobId: job.id, run, conversationId: question.conversation_id };
  }

  const jobRow = (id: number) => one<{ status_key: string; attempts: number; result_json: string | null }>("SELECT status_key, attempts, result_json FROM jobs WHERE id = ?", id);

  it("131047, 131026, 100, 190, 368 and other 4xx fail at once with Meta's code and reason, without a retry", async () => {
    const first = await queuedAnswer();
    const cases: [number, number, string][] = [
      [400, 131047, "Re-engagement message"],
      [400, 131026, "Message undeliverable"],
      [400, 100, "(#100) Invalid parameter"],
      [401, 190, "Error validating access token: Session has expired"],
      [400, 368, "Temporarily blocked for policies violations"],
      [400, 131030, "(#131030) Recipient phone number not in allowed list"],
      [403, 200, "(#200) Permissions error"],
    ];
    for (const [i, [httpStatus, code, message]] of cases.entries()) {
      const arranged = i === 0 ? first : await queuedAnswer(first.wa, first.ws);
      const before = (await graphCalls(first.wa.phoneNumberId, "messages")).length;
      await failNext(first.wa.phoneNumberId, "messages", { status: httpStatus, error: { message, code, error_data: { messaging_product: "whatsapp", details: `${message} (details)` } } });
      expect(await arranged.run(), `code ${code}`).toEqual({ acked: true, retriedAfter: null });
      const delivery = await deliveryRow(arranged.deliveryId);
      expect(delivery, `code ${code}`).toMatchObject({ status_key: "failed", error_code: String(code) });
      expect(delivery.error_message).toContain(message);
      expect(await jobRow(arranged.jobId)).toMatchObject({ status_key: "failed", attempts: 1 });
      expect((await graphCalls(first.wa.phoneNumberId, "messages")).length).toBe(before + 1);
    }
  });

  it("130429 is retried after the wait Meta names, then sent", async () => {
    const { wa, deliveryId, jobId, run } = await queuedAnswer();
    await failNext(wa.phoneNumberId, "messages", {
      status: 429,
      error: { message: "(#130429) Rate limit hit", code: 130429, error_data: { messaging_product: "whatsapp", details: "Cloud API message throughput has been reached." } },
      headers: { "retry-after": "17" },
    });
    expect(await run()).toEqual({ acked: false, retriedAfter: 17 });
    expect((await deliveryRow(deliveryId)).status_key).toBe("queued");
    const waiting = await jobRow(jobId);
    expect(waiting).toMatchObject({ status_key: "queued", attempts: 1 });
    expect(JSON.parse(waiting.result_json!)).toMatchObject({ error: { code: "130429" }, retryInSeconds: 17 });
    expect(await run(2)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "sent", error_code: null });
    expect(await graphCalls(wa.phoneNumberId, "messages")).toHaveLength(2);
  });

  it("131056, Meta's 5xx and an unreachable API are retried with backoff; the last attempt fails with the reason", async () => {
    const { wa, deliveryId, jobId, run } = await queuedAnswer();
    await failNext(wa.phoneNumberId, "messages", { status: 400, error: { message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", code: 131056 } });
    expect(await run()).toEqual({ acked: false, retriedAfter: 10 });
    await failNext(wa.phoneNumberId, "messages", { status: 500, error: { message: "An unknown error has occurred.", code: 1, is_transient: true } });
    expect(await run(2)).toEqual({ acked: false, retriedAfter: 30 });
    await failNext(wa.phoneNumberId, "messages", { network: true });
    expect(await run(3)).toMatchObject({ acked: false });
    expect(JSON.parse((await jobRow(jobId)).result_json!)).toMatchObject({ error: { code: "whatsapp_unreachable" } });
    expect((await deliveryRow(deliveryId)).status_key).toBe("queued");

    await env.DB.prepare("UPDATE jobs SET attempts = 4 WHERE id = ?").bind(jobId).run();
    await failNext(wa.phoneNumberId, "messages", { status: 503, error: { message: "(#131000) Something went wrong", code: 131000 } });
    expect(await run(5)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "failed", error_code: "131000" });
  });

  it("a message whose window closed while it waited is failed without calling Meta", async () => {
    const { ws, wa, deliveryId, run, conversationId } = await queuedAnswer();
    await env.DB.prepare("UPDATE messages SET created_at = ? WHERE workspace_id = ? AND conversation_id = ? AND author_kind_key = 'contact'")
      .bind(Date.now() - 30 * HOUR, ws.workspace.id, conversationId)
      .run();
    expect(await run()).toEqual({ acked: true, retriedAfter: null });
    const delivery = await deliveryRow(deliveryId);
    expect(delivery).toMatchObject({ status_key: "failed", error_code: "outside_customer_window" });
    expect(delivery.error_message).toContain("window closed at");
    expect(await graphCalls(wa.phoneNumberId, "messages")).toEqual([]);
  });
});
