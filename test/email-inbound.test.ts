// Mail reaching the inbox through Email Routing: raw RFC 822 fixtures handed to the Worker's
// `email` export. What is stored of a mail (text, addresses, ids, verdicts, files), how a reply
// finds its thread (reply token, In-Reply-To, References — also when another client rewrote the
// chain), robots and bounces, unauthenticated senders, and mail for nobody or for another
// workspace.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Client, newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { downloadBytes } from "./helpers/jobs";
import { connectMailbox, deliverMail, emailApiCalls, fixture, type FixtureName, type Mailbox } from "./helpers/email";
import { eventually, linkedRep, sentTo } from "./helpers/telegram";

const ANA = "ana@example.test";

interface StoredMessage {
  id: number;
  conversation_id: number;
  author_contact_id: number | null;
  body: string;
  kind_key: string;
  external_id: string | null;
  payload: any;
}

async function messagesOf(workspaceId: number): Promise<StoredMessage[]> {
  const rows = await all<Omit<StoredMessage, "payload"> & { payload_json: string | null }>(
    "SELECT id, conversation_id, author_contact_id, body, kind_key, external_id, payload_json FROM messages WHERE workspace_id = ? ORDER BY id",
    workspaceId,
  );
  return rows.map(({ payload_json, ...row }) => ({ ...row, payload: payload_json ? JSON.parse(payload_json) : null }));
}

async function mailbox() {
  const ws = await newWorkspace();
  return { ws, box: await connectMailbox(ws.owner) };
}

/** A fixture to the mailbox (or `to`), from Ana unless told otherwise. */
const mail = (box: Mailbox, name: FixtureName, vars: Record<string, string> = {}, envelope: { from?: string; to?: string } = {}) =>
  deliverMail(fixture(name, { TO: envelope.to ?? box.address, ...vars }), { from: envelope.from ?? ANA, to: envelope.to ?? box.address });

/** The files the queued media task stored for a message, with their bytes. */
async function filesOf(api: Client, conversationId: number, messageId: number, expected: number) {
  const message = await eventually(
    async () => ((await api.get(`/v1/conversations/${conversationId}/messages`)).body.data as any[]).find((m) => m.id === messageId),
    (m) => m?.attachments.length === expected,
  );
  return Promise.all(
    (message.attachments as { id: number; fileName: string; contentType: string; sizeBytes: number }[]).map(async (a) => {
      const file = await downloadBytes(api, `/v1/attachments/${a.id}`);
      expect(file.status).toBe(200);
      return { ...a, bytes: file.bytes };
    }),
  );
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

describe("what is stored of a mail", () => {
  it("a plain mail: the text verbatim, subject, ids, addresses and the SPF/DKIM/DMARC verdicts; the sender becomes a contact by address, named as they sign", async () => {
    const { ws, box } = await mailbox();
    const outcome = await mail(box, "plain", { FROM: ANA, MESSAGE_ID: "ana-first@example.test" });
    expect(outcome).toEqual({ rejected: [], forwarded: [], replied: 0 });

    const [message] = await messagesOf(ws.workspace.id);
    expect(message!.body).toBe("Hello,\n\ncould you send us a quote for 20 seats?\n  (indented line, kept as written)\n\nThanks,\nAna\n");
    expect(message!.external_id).toBe("<ana-first@example.test>");
    expect(message!.kind_key).toBe("text");
    expect(message!.payload).toMatchObject({
      subject: "Quote for 20 seats",
      messageId: "<ana-first@example.test>",
      inReplyTo: [],
      references: [],
      from: { name: "Ana Example", address: ANA },
      to: [{ name: "Acme Sales", address: box.address }],
      cc: [{ name: "Bob Buyer", address: "bob@example.test" }],
      envelope: { from: ANA, to: box.address },
      authentication: { spf: "pass", dkim: "pass", dmarc: "pass", source: "authentication-results" },
      html: false,
    });
    expect(message!.payload.automatic).toBeUndefined();
    const contact = await one<{ name: string; email: string; unverified_reason: string | null }>(
      "SELECT name, email, unverified_reason FROM contacts WHERE id = ?",
      message!.author_contact_id,
    );
    expect(contact).toEqual({ name: "Ana Example", email: ANA, unverified_reason: null });
    expect(await one("SELECT channel_key, external_id, connection_id FROM contact_identities WHERE contact_id = ?", message!.author_contact_id)).toEqual({
      channel_key: "email",
      external_id: ANA,
      connection_id: box.connection.id,
    });
    // The raw message is kept in R2 before anything is parsed.
    const raw = await env.FILES.get(message!.payload.raw.key);
    expect(await raw!.text()).toContain("Message-ID: <ana-first@example.test>");
  });

  it("an HTML-only mail: readable text derived from the HTML (no script, no style, entities decoded); the HTML itself kept as a downloadable file", async () => {
    const { ws, box } = await mailbox();
    await mail(box, "html-only", {}, { from: "carla@example.test" });
    const [message] = await messagesOf(ws.workspace.id);
    expect(message!.body).toBe("Hello team,\n\nWe need SSO & audit logs – soon.\n\n- 20 seats\n- Annual billing\n\nCarla");
    expect(message!.payload.html).toBe(true);
    const [html] = await filesOf(ws.owner, message!.conversation_id, message!.id, 1);
    expect(html).toMatchObject({ fileName: "message.html", contentType: "text/html; charset=utf-8" });
    expect(text(html!.bytes)).toContain('<script type="text/javascript">alert("not text")</script>');
  });

  it("a multipart mail with two attachments: the text part as the body; both files stored byte for byte under their names (RFC 2231 included)", async () => {
    const { ws, box } = await mailbox();
    await mail(box, "multipart-attachments", {}, { from: "dora@example.test" });
    const [message] = await messagesOf(ws.workspace.id);
    expect(message!.body).toBe("Please find the signed order form and the seat list attached.\n\nDora\n");
    expect(message!.kind_key).toBe("media");
    const files = await filesOf(ws.owner, message!.conversation_id, message!.id, 3);
    const byName = Object.fromEntries(files.map((f) => [f.fileName, f]));
    expect(Object.keys(byName).sort()).toEqual(["Bestellung Müller.pdf", "message.html", "seats.csv"]);
    expect(byName["Bestellung Müller.pdf"]).toMatchObject({ contentType: "application/pdf", sizeBytes: 96 });
    expect(byName["Bestellung Müller.pdf"]!.bytes).toEqual(
      fromBase64("JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCnRyYWlsZXIKPDwgL1Jvb3QgMSAwIFIgPj4KJSVFT0YK"),
    );
    expect(text(byName["seats.csv"]!.bytes)).toBe("name,email\nAna,ana@example.test\nBob,bob@example.test\n");
    // A redelivered media task finds every file stored and adds none.
    const { consume } = await import("./helpers/queue");
    await consume({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: message!.id });
    expect(await count("SELECT count(*) AS n FROM message_attachments WHERE message_id = ?", message!.id)).toBe(3);
  });

  it("a mail in ISO-8859-1: subject, sender name and text decoded to Unicode", async () => {
    const { ws, box } = await mailbox();
    await mail(box, "latin1", {}, { from: "juergen@example.test" });
    const [message] = await messagesOf(ws.workspace.id);
    expect(message!.payload.subject).toBe("Grüße aus Köln");
    expect(message!.body).toBe("Guten Tag,\n\nwir hätten gern ein Angebot für 20 Plätze.\n\nGrüße, Jürgen\n");
    expect(await one("SELECT name FROM contacts WHERE id = ?", message!.author_contact_id)).toEqual({ name: "Jürgen Müller" });
  });

  it("the same Message-ID twice on a connection is one message, one contact, one stored original", async () => {
    const { ws, box } = await mailbox();
    const vars = { FROM: ANA, MESSAGE_ID: "twice@example.test" };
    await mail(box, "plain", vars);
    await mail(box, "plain", vars);
    // Other bytes under the same id (a resend with another Received: trail) are not kept either.
    await deliverMail(`X-Resent: yes\r\n${fixture("plain", { ...vars, TO: box.address })}`, { from: ANA, to: box.address });
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(1);
    const stored = await env.FILES.list({ prefix: `ws/${ws.workspace.id}/email/` });
    expect(stored.objects).toHaveLength(1);
  });

  it("a mail the parser refuses (MIME nested 300 deep) is kept, not lost: a message saying why, with the original attached", async () => {
    const { ws, box } = await mailbox();
    let raw = `From: Ana Example <${ANA}>\r\nTo: ${box.address}\r\nSubject: deep\r\nMessage-ID: <deep@example.test>\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n`;
    for (let i = 0; i < 300; i++) raw += `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}\r\n\r\n`;
    expect((await deliverMail(raw, { from: ANA, to: box.address })).rejected).toEqual([]);
    const [message] = await messagesOf(ws.workspace.id);
    expect(message!.external_id).toBe("<deep@example.test>");
    expect(message!.body).toContain("could not be read (Maximum MIME nesting depth of 256 levels exceeded)");
    expect(message!.payload).toMatchObject({ subject: "deep", parseError: expect.stringContaining("nesting depth") });
    const [original] = await filesOf(ws.owner, message!.conversation_id, message!.id, 1);
    expect(original).toMatchObject({ fileName: "message.eml", contentType: "message/rfc822" });
    expect(text(original!.bytes)).toBe(raw);
  });

  it("mail for an address no one connected is refused with the reason; nothing is stored", async () => {
    const { ws, box } = await mailbox();
    const outcome = await mail(box, "plain", { FROM: ANA, MESSAGE_ID: "lost@example.test" }, { to: "nobody@acme.test" });
    expect(outcome.rejected).toHaveLength(1);
    expect(outcome.rejected[0]).toContain("nobody@acme.test");
    expect(outcome.rejected[0]).toContain("not connected");
    // A disconnected mailbox refuses too.
    expect((await ws.owner.delete(`/v1/channels/${box.connection.id}`)).status).toBe(204);
    expect((await mail(box, "plain", { FROM: ANA, MESSAGE_ID: "late@example.test" })).rejected).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
  });

  it("mail to one workspace's address is never seen by another's, not even when it names the other's thread", async () => {
    const first = await mailbox();
    const second = await mailbox();
    await mail(first.box, "plain", { FROM: ANA, MESSAGE_ID: "ana-to-first@example.test" });
    const [inFirst] = await messagesOf(first.ws.workspace.id);
    expect(await messagesOf(second.ws.workspace.id)).toEqual([]);
    expect((await second.ws.owner.get("/v1/conversations")).body.data).toEqual([]);

    // To the second mailbox, replying to the first workspace's mail, with the first's reply token.
    const firstToken = (await firstReplyAddress(first.ws.owner, first.box, inFirst!.conversation_id)).split("+")[1]!.split("@")[0]!;
    const tagged = second.box.address.replace("@", `+${firstToken}@`);
    await mail(second.box, "reply-in-reply-to", { MESSAGE_ID: "ana-to-second@example.test", PARENT: "<ana-to-first@example.test>" }, { to: tagged });
    const [inSecond] = await messagesOf(second.ws.workspace.id);
    expect(inSecond!.payload.thread).toBeNull();
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'", first.ws.workspace.id)).toBe(1);
    expect(await one("SELECT workspace_id FROM conversations WHERE id = ?", inSecond!.conversation_id)).toEqual({ workspace_id: second.ws.workspace.id });
  });
});

/** The Reply-To Parley puts on an answer in the conversation (read off the fake provider). */
async function firstReplyAddress(owner: Client, box: Mailbox, conversationId: number): Promise<string> {
  const sent = await owner.post(`/v1/conversations/${conversationId}/messages`, { body: "Here is the quote." });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  const [call] = await eventually(
    () => emailApiCalls(box.apiKey),
    (calls) => calls.length > 0,
  );
  return call!.body.reply_to as string;
}

/**
 * Ana's first mail opens conversation A, which is closed; a second conversation B is opened with
 * her and closed too. Without threading her next mail would reopen B, the newest.
 */
async function twoClosedConversations() {
  const { ws, box } = await mailbox();
  await mail(box, "plain", { FROM: ANA, MESSAGE_ID: "ana-first@example.test" });
  const [first] = await messagesOf(ws.workspace.id);
  const a = first!.conversation_id;
  const contactId = first!.author_contact_id!;
  expect((await ws.owner.put(`/v1/conversations/${a}/status`, { statusKey: "closed" })).status).toBe(200);
  const opened = await ws.owner.post(`/v1/contacts/${contactId}/conversations`);
  expect(opened.status).toBe(201);
  const b = opened.body.id as number;
  expect((await ws.owner.put(`/v1/conversations/${b}/status`, { statusKey: "closed" })).status).toBe(200);
  return { ws, box, a, b, contactId };
}

const statusOf = async (id: number) => (await one<{ status_key: string }>("SELECT status_key FROM conversations WHERE id = ?", id)).status_key;

describe("threading", () => {
  it("a reply whose In-Reply-To names a stored Message-ID reopens that conversation", async () => {
    const { ws, box, a, b } = await twoClosedConversations();
    await mail(box, "reply-in-reply-to", { MESSAGE_ID: "ana-reply@example.test", PARENT: "<ana-first@example.test>" });
    const reply = (await messagesOf(ws.workspace.id)).at(-1)!;
    expect(reply.conversation_id).toBe(a);
    expect(reply.payload.thread).toEqual({ conversationId: a, rule: "in-reply-to", id: "<ana-first@example.test>" });
    expect(await statusOf(a)).toBe("open");
    expect(await statusOf(b)).toBe("closed");
  });

  it("a reply naming the thread only in References (newest first) lands there too", async () => {
    const { ws, box, a } = await twoClosedConversations();
    await mail(box, "reply-references-only", { MESSAGE_ID: "ana-refs@example.test", PARENT: "<ana-first@example.test>" });
    const reply = (await messagesOf(ws.workspace.id)).at(-1)!;
    expect(reply.payload.inReplyTo).toEqual([]);
    expect(reply.payload.thread).toEqual({ conversationId: a, rule: "references", id: "<ana-first@example.test>" });
  });

  it("an Outlook reply whose In-Reply-To names a mail Parley never saw still lands in the thread by its References", async () => {
    const { ws, box, a } = await twoClosedConversations();
    await mail(box, "reply-outlook", { MESSAGE_ID: "AM0PR07MB9999@outlook.example", PARENT: "<ana-first@example.test>" });
    const reply = (await messagesOf(ws.workspace.id)).at(-1)!;
    expect(reply.payload.inReplyTo).toEqual(["<AM0PR07MB1234ABCD5678EF90@AM0PR07MB1234.eurprd07.prod.outlook.com>"]);
    expect(reply.conversation_id).toBe(a);
    expect(reply.payload.thread.rule).toBe("references");
  });

  it("a reply to the plus-address Parley sets as Reply-To lands in that conversation, even without threading headers; a forged token does not", async () => {
    const { ws, box, a, b } = await twoClosedConversations();
    // Parley's answer in A carries the conversation's reply address.
    expect((await ws.owner.put(`/v1/conversations/${a}/status`, { statusKey: "open" })).status).toBe(200);
    const replyTo = await firstReplyAddress(ws.owner, box, a);
    expect(replyTo).toMatch(new RegExp(`^${box.address.split("@")[0]}\\+c${a}-[0-9a-f]{12}@acme\\.test$`));
    expect((await ws.owner.put(`/v1/conversations/${a}/status`, { statusKey: "closed" })).status).toBe(200);

    await mail(box, "reply-plus-address", { MESSAGE_ID: "ana-plus@example.test" }, { to: replyTo });
    const reply = (await messagesOf(ws.workspace.id)).at(-1)!;
    expect(reply.payload.thread).toEqual({ conversationId: a, rule: "reply-token" });
    expect(reply.conversation_id).toBe(a);

    // A made-up token for B's id: not Parley's, so no thread — and the mail is still kept.
    expect((await ws.owner.put(`/v1/conversations/${a}/status`, { statusKey: "closed" })).status).toBe(200);
    const forged = box.address.replace("@", `+c${b}-000000000000@`);
    expect((await mail(box, "reply-plus-address", { MESSAGE_ID: "ana-forged@example.test" }, { to: forged })).rejected).toEqual([]);
    const kept = (await messagesOf(ws.workspace.id)).at(-1)!;
    expect(kept.payload.thread).toBeNull();
  });
});

describe("robots and strangers", () => {
  it("an auto-reply is stored in the conversation, marked automatic, and notifies no rep (a person's mail does)", async () => {
    const ws = await newWorkspace();
    const rita = { id: 660201, first_name: "Rita" };
    const { bot } = await linkedRep(ws, rita);
    const box = await connectMailbox(ws.owner);
    await mail(box, "auto-reply");
    await mail(box, "plain", { FROM: ANA, MESSAGE_ID: "ana-person@example.test" });
    const [auto, person] = await messagesOf(ws.workspace.id);
    expect(auto!.payload.automatic).toBe("Auto-Submitted: auto-replied");
    expect(auto!.conversation_id).toBe(person!.conversation_id);
    await eventually(
      () => sentTo(bot.botToken, rita.id),
      (sent) => sent.some((m) => m.text.includes("quote for 20 seats")),
    );
    expect((await sentTo(bot.botToken, rita.id)).some((m) => m.text.includes("out of the office"))).toBe(false);
    expect(await one("SELECT payload_json FROM events WHERE type_key = 'message.received' AND entity_id = ?", auto!.id)).toMatchObject({
      payload_json: expect.stringContaining('"automatic":true'),
    });
  });

  it("a bounce of one of our mails fails that delivery with the bounce's reason and is kept in its conversation, not as a MAILER-DAEMON contact", async () => {
    const { ws, box } = await mailbox();
    const gone = "gone@example.test";
    await mail(box, "plain", { FROM: gone, MESSAGE_ID: "gone-first@example.test" }, { from: gone });
    const [first] = await messagesOf(ws.workspace.id);
    const sent = await ws.owner.post(`/v1/conversations/${first!.conversation_id}/messages`, { body: "Here is the quote." });
    const [call] = await eventually(
      () => emailApiCalls(box.apiKey),
      (calls) => calls.length > 0,
    );
    const ourId = call!.body.headers["Message-ID"] as string;
    await eventually(
      () => one<{ status_key: string }>("SELECT status_key FROM deliveries WHERE message_id = ?", sent.body.id),
      (d) => d.status_key === "sent",
    );

    const outcome = await mail(box, "bounce", { RECIPIENT: gone, ORIGINAL_ID: ourId }, { from: "" });
    expect(outcome.rejected).toEqual([]);
    expect(await one("SELECT status_key, error_code, error_message FROM deliveries WHERE message_id = ?", sent.body.id)).toEqual({
      status_key: "failed",
      error_code: "bounced",
      error_message: expect.stringContaining("550 5.1.1"),
    });
    const bounce = (await messagesOf(ws.workspace.id)).at(-1)!;
    expect(bounce.conversation_id).toBe(first!.conversation_id);
    expect(bounce.author_contact_id).toBe(first!.author_contact_id);
    expect(bounce.payload).toMatchObject({ automatic: expect.any(String), bounce: { failed: true, status: "5.1.1", recipient: gone }, thread: { rule: "bounce" } });
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND lower(email) LIKE 'mailer-daemon%'", ws.workspace.id)).toBe(0);
  });

  it("a mail failing DMARC never joins the contact its From names: it opens a new contact flagged unverified, who cannot be answered by e-mail until checked", async () => {
    const { ws, box } = await mailbox();
    await mail(box, "plain", { FROM: ANA, MESSAGE_ID: "ana-real@example.test" });
    const [real] = await messagesOf(ws.workspace.id);
    await mail(box, "dmarc-fail", {}, { from: "bounce@spoofer.test" });
    await mail(box, "dmarc-fail", {}, { from: "bounce@spoofer.test" }); // the same mail again: stored once
    const messages = await messagesOf(ws.workspace.id);
    expect(messages).toHaveLength(2);
    const spoofed = messages[1]!;
    expect(spoofed.author_contact_id).not.toBe(real!.author_contact_id);
    expect(spoofed.conversation_id).not.toBe(real!.conversation_id);
    expect(spoofed.payload.authentication).toMatchObject({ dmarc: "fail", spf: "softfail", dkim: "none" });
    const contact = await ws.owner.get(`/v1/contacts/${spoofed.author_contact_id}`);
    expect(contact.body).toMatchObject({ name: "Ana Example", email: null, unverifiedReason: expect.stringContaining("DMARC fail") });
    // Ana's real contact is untouched and keeps her address.
    expect(await one("SELECT email, unverified_reason FROM contacts WHERE id = ?", real!.author_contact_id)).toEqual({ email: ANA, unverified_reason: null });

    // A second spoofed mail goes to the same unverified contact, not to Ana.
    await deliverMail(fixture("dmarc-fail", { TO: box.address }).replace("dmarc-fail-1@", "dmarc-fail-2@"), { from: "bounce@spoofer.test", to: box.address });
    expect((await messagesOf(ws.workspace.id)).at(-1)!.author_contact_id).toBe(spoofed.author_contact_id);

    const answer = await ws.owner.post(`/v1/conversations/${spoofed.conversation_id}/messages`, { body: "Which account?" });
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain("unverified");
  });
});
