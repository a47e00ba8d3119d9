// Contacts writing in on WhatsApp: signed notifications through the webhook road, every message
// type, every entry × change × message, replays, and files fetched into R2 by queue work.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { expectError } from "./helpers/security";
import { eventually } from "./helpers/telegram";
import {
  connectNumber,
  graphCalls,
  inbound,
  message,
  notification,
  postNotification,
  registerMedia,
  seconds,
  signature,
  text,
  value,
} from "./helpers/whatsapp";

const ana = { waId: "16505551234", name: "Ana Lima" };
const bruno = { waId: "5511987654321", name: "Bruno Souza" };

const storedMessages = (workspaceId: number) =>
  all<{ body: string; kind_key: string; external_id: string; payload_json: string | null; author_contact_id: number; connection_id: number; created_at: number }>(
    "SELECT body, kind_key, external_id, payload_json, author_contact_id, connection_id, created_at FROM messages WHERE workspace_id = ? ORDER BY id",
    workspaceId,
  );

describe("the X-Hub-Signature-256 check", () => {
  it("a good signature is stored; a wrong, missing or other app's signature, or an altered body, is 401 and stores nothing", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const other = await connectNumber(ws.owner);
    const body = JSON.stringify(inbound(wa.phoneNumberId, ana, text(ana, "Does it come in blue?")));

    const post = (headers: Record<string, string>, raw = body) =>
      request("POST", `/webhooks/whatsapp/${wa.connection.id}`, { rawBody: raw, headers: { "content-type": "application/json", ...headers } });
    expectError(await post({}), 401, "unauthorized");
    expectError(await post({ "x-hub-signature-256": "sha256=" + "0".repeat(64) }), 401, "unauthorized");
    expectError(await post({ "x-hub-signature-256": await signature(other.appSecret, body) }), 401, "unauthorized");
    const altered = body.replace("blue", "red!");
    expectError(await post({ "x-hub-signature-256": await signature(wa.appSecret, body) }, altered), 401, "unauthorized");
    // The signature is over the bytes as sent: the same JSON re-spaced is not what was signed.
    expectError(await post({ "x-hub-signature-256": await signature(wa.appSecret, body) }, JSON.stringify(JSON.parse(body), null, 1)), 401, "unauthorized");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(0);

    const good = await post({ "x-hub-signature-256": await signature(wa.appSecret, body) });
    expect(good.status).toBe(200);
    expect((await storedMessages(ws.workspace.id)).map((m) => m.body)).toEqual(["Does it come in blue?"]);
  });

  it("checks the raw bytes, so non-ASCII escaped as Meta sends it verifies; a verified body that is not JSON is a 400", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    // Meta escapes non-ASCII as \uXXXX in what it signs and sends.
    const raw = JSON.stringify(inbound(wa.phoneNumberId, ana, text(ana, "Olá, preço?"))).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    expect(raw).toContain("\\u00e1");
    expect((await postNotification(wa.connection, wa.appSecret, raw)).status).toBe(200);
    expect((await storedMessages(ws.workspace.id))[0]!.body).toBe("Olá, preço?");
    expectError(await postNotification(wa.connection, wa.appSecret, "{not json"), 400, "bad_request");
  });
});

describe("inbound messages", () => {
  it("stores text verbatim, finds or creates the contact by wa_id with profile name and E.164 phone", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const words = "  Hi!\nIs the *blue* one in stock? 🙂  ";
    const sent = Date.now() - 60_000;
    const first = text(ana, words, { timestamp: seconds(sent) });
    expect((await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, ana, first))).status).toBe(200);
    const [stored] = await storedMessages(ws.workspace.id);
    expect(stored).toMatchObject({ body: words, kind_key: "text", external_id: first.id, connection_id: wa.connection.id });
    expect(stored!.created_at).toBe(Math.floor(sent / 1000) * 1000);
    expect(JSON.parse(stored!.payload_json!).whatsapp).toMatchObject({ phoneNumberId: wa.phoneNumberId, message: first, contact: { wa_id: ana.waId, profile: { name: "Ana Lima" } } });
    const contact = await one<{ name: string; phone: string }>("SELECT name, phone FROM contacts WHERE id = ?", stored!.author_contact_id);
    expect(contact).toEqual({ name: "Ana Lima", phone: "+16505551234" });
    expect(await one("SELECT external_id, connection_id FROM contact_identities WHERE contact_id = ?", stored!.author_contact_id)).toEqual({
      external_id: ana.waId,
      connection_id: wa.connection.id,
    });
    // A stranger's contact, first conversation and message are written together, each event naming the new rows.
    const contactId = stored!.author_contact_id;
    const conversation = await one<{ id: number; contact_id: number; status_key: string }>(
      "SELECT id, contact_id, status_key FROM conversations WHERE workspace_id = ?",
      ws.workspace.id,
    );
    expect(conversation).toMatchObject({ contact_id: contactId, status_key: "open" });
    expect(await one("SELECT contact_id FROM conversation_participants WHERE conversation_id = ?", conversation!.id)).toEqual({ contact_id: contactId });
    const events = await all<{ type_key: string; entity_id: number; payload_json: string }>(
      "SELECT type_key, entity_id, payload_json FROM events WHERE workspace_id = ? AND type_key IN ('contact.created', 'conversation.opened', 'message.received') ORDER BY id",
      ws.workspace.id,
    );
    const messageId = (await one<{ id: number }>("SELECT id FROM messages WHERE external_id = ?", first.id))!.id;
    expect(events.map((e) => ({ ...e, payload_json: JSON.parse(e.payload_json) }))).toEqual([
      { type_key: "contact.created", entity_id: contactId, payload_json: { after: { name: "Ana Lima", phone: "+16505551234", email: null } } },
      { type_key: "conversation.opened", entity_id: conversation!.id, payload_json: { kindKey: "contact", contactId } },
      {
        type_key: "message.received",
        entity_id: messageId,
        payload_json: { channelKey: "whatsapp", connectionId: wa.connection.id, externalId: first.id, contactId },
      },
    ]);

    // The same wa_id again: the same contact, the same conversation.
    await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, ana, text(ana, "hello?")));
    const both = await all<{ author_contact_id: number; conversation_id: number }>("SELECT author_contact_id, conversation_id FROM messages WHERE workspace_id = ?", ws.workspace.id);
    expect(new Set(both.map((m) => m.author_contact_id)).size).toBe(1);
    expect(new Set(both.map((m) => m.conversation_id)).size).toBe(1);
    // A contact the workspace already has with that phone gains the identity instead of a twin.
    const known = await ws.owner.post("/v1/contacts", { name: "Bruno (CRM)", phone: "+55 11 98765-4321" });
    await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, bruno, text(bruno, "oi")));
    const brunos = await all<{ author_contact_id: number }>("SELECT author_contact_id FROM messages WHERE workspace_id = ? AND body = 'oi'", ws.workspace.id);
    expect(brunos[0]!.author_contact_id).toBe(known.body.id);
  });

  it("every message type becomes a message: files by reference, locations, shared contacts and replies readable", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const media = (type: string, object: Record<string, unknown>) => message(ana, type, { [type]: { sha256: "SfInY0=", ...object } });
    const messages = [
      text(ana, "plain text"),
      media("image", { id: "img-1", mime_type: "image/jpeg", caption: "Taj Mahal" }),
      media("document", { id: "doc-1", mime_type: "application/pdf", filename: "receipt.pdf", caption: "my receipt" }),
      media("audio", { id: "aud-1", mime_type: "audio/ogg; codecs=opus", voice: true }),
      media("video", { id: "vid-1", mime_type: "video/mp4", caption: "unboxing" }),
      media("sticker", { id: "stk-1", mime_type: "image/webp", animated: false }),
      message(ana, "location", { location: { latitude: 37.44221496582, longitude: -122.16165924072, name: "Philz Coffee", address: "101 Forest Ave, Palo Alto", url: "https://philz.example" } }),
      message(ana, "contacts", {
        contacts: [
          {
            name: { formatted_name: "Lucía Gómez", first_name: "Lucía", last_name: "Gómez" },
            org: { company: "Google" },
            phones: [{ phone: "+1 (983) 555-2319", wa_id: "19835552319", type: "MOBILE" }],
            emails: [{ email: "lucia@example.com", type: "WORK" }],
          },
        ],
      }),
      message(ana, "interactive", { context: { from: "15550783881", id: "wamid.OURS1" }, interactive: { type: "button_reply", button_reply: { id: "cancel-button", title: "Cancel" } } }),
      message(ana, "interactive", {
        context: { from: "15550783881", id: "wamid.OURS2" },
        interactive: { type: "list_reply", list_reply: { id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days" } },
      }),
      message(ana, "button", { context: { from: "15550783881", id: "wamid.OURS3" }, button: { payload: "Unsubscribe", text: "Unsubscribe me" } }),
      message(ana, "reaction", { reaction: { message_id: "wamid.OURS4", emoji: "👍" } }),
      message(ana, "unsupported", { errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown" }] }),
    ];
    expect((await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, ana, ...messages))).status).toBe(200);
    const stored = await storedMessages(ws.workspace.id);
    expect(stored.map((m) => [m.kind_key, m.body])).toEqual([
      ["text", "plain text"],
      ["media", "Taj Mahal"],
      ["media", "my receipt"],
      ["media", ""],
      ["media", "unboxing"],
      ["media", ""],
      ["text", "Location: Philz Coffee, 101 Forest Ave, Palo Alto (37.44221496582, -122.16165924072)\nhttps://philz.example"],
      ["text", "Contact: Lucía Gómez (Google) · +1 (983) 555-2319 · lucia@example.com"],
      ["text", "Cancel"],
      ["text", "Priority Mail Express"],
      ["text", "Unsubscribe me"],
      ["text", "👍"],
      ["text", "[unsupported message: Message type unknown]"],
    ]);
    // Every message keeps the raw object, and the ids Meta gave them.
    stored.forEach((m, i) => {
      expect(m.external_id).toBe(messages[i]!.id);
      expect(JSON.parse(m.payload_json!).whatsapp.message).toEqual(messages[i]);
    });
    const refs = stored.slice(1, 6).map((m) => JSON.parse(m.payload_json!).media[0]);
    expect(refs).toEqual([
      { ref: "img-1", key: "img-1", fileName: "image-img-1.jpg", contentType: "image/jpeg", sizeBytes: null },
      { ref: "doc-1", key: "doc-1", fileName: "receipt.pdf", contentType: "application/pdf", sizeBytes: null },
      { ref: "aud-1", key: "aud-1", fileName: "voice-aud-1.ogg", contentType: "audio/ogg; codecs=opus", sizeBytes: null },
      { ref: "vid-1", key: "vid-1", fileName: "video-vid-1.mp4", contentType: "video/mp4", sizeBytes: null },
      { ref: "stk-1", key: "stk-1", fileName: "sticker-stk-1.webp", contentType: "image/webp", sizeBytes: null },
    ]);
    // The interactive reply keeps which of our messages it answered.
    expect(JSON.parse(stored[8]!.payload_json!).whatsapp.message.context.id).toBe("wamid.OURS1");
  });

  it("processes every entry, change and message of one notification: 2 entries × 3 messages", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const carla = { waId: "447700900123", name: "Carla" };
    const body = notification(
      [value(wa.phoneNumberId, { senders: [ana], messages: [text(ana, "a1"), text(ana, "a2")] }), value(wa.phoneNumberId, { senders: [bruno], messages: [text(bruno, "b1")] })],
      [value(wa.phoneNumberId, { senders: [carla, ana], messages: [text(carla, "c1"), text(ana, "a3"), text(carla, "c2")] })],
    );
    expect((await postNotification(wa.connection, wa.appSecret, body)).status).toBe(200);
    const stored = await all<{ body: string; name: string }>(
      "SELECT m.body, c.name FROM messages m JOIN contacts c ON c.id = m.author_contact_id WHERE m.workspace_id = ? ORDER BY m.id",
      ws.workspace.id,
    );
    expect(stored.map((m) => `${m.name}: ${m.body}`)).toEqual(["Ana Lima: a1", "Ana Lima: a2", "Bruno Souza: b1", "Carla: c1", "Ana Lima: a3", "Carla: c2"]);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(3);
  });

  it("a replayed notification is stored once; a change for another number is not this connection's", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const body = JSON.stringify(inbound(wa.phoneNumberId, ana, text(ana, "once"), text(ana, "twice?")));
    for (let i = 0; i < 3; i++) expect((await postNotification(wa.connection, wa.appSecret, body)).status).toBe(200);
    expect((await storedMessages(ws.workspace.id)).map((m) => m.body)).toEqual(["once", "twice?"]);
    expect(await count("SELECT count(*) AS n FROM message_receipts WHERE workspace_id = ?", ws.workspace.id)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'message.received'", ws.workspace.id)).toBe(2);

    // Meta sends every number of an app to the app's callback URL unless the number has its own.
    const elsewhere = inbound("109999999999", bruno, text(bruno, "for another number"));
    expect((await postNotification(wa.connection, wa.appSecret, elsewhere)).status).toBe(200);
    // Other objects the app subscribes to (a Page, Instagram) carry nothing for WhatsApp.
    expect((await postNotification(wa.connection, wa.appSecret, { object: "page", entry: [{ id: "1", changes: [] }] })).status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(2);
  });

  it("fetches files into R2 by queue work: GET /{media-id} for the URL, then the download with the bearer token", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
    const pdf = new TextEncoder().encode("%PDF-1.7 price list");
    const imageId = `media-${wa.phoneNumberId}-1`;
    const docId = `media-${wa.phoneNumberId}-2`;
    await registerMedia(wa.phoneNumberId, imageId, "image/jpeg", jpeg);
    await registerMedia(wa.phoneNumberId, docId, "application/pdf", pdf);
    const photo = message(ana, "image", { image: { id: imageId, mime_type: "image/jpeg", sha256: "x", caption: "this one" } });
    const doc = message(ana, "document", { document: { id: docId, mime_type: "application/pdf", sha256: "y", filename: "Price list 2026.pdf" } });
    const res = await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, ana, photo, doc));
    expect(res.status).toBe(200);

    const files = await eventually(
      () => all<{ file_name: string; content_type: string; size_bytes: number; url: string; kind_key: string }>(
        "SELECT a.file_name, a.content_type, a.size_bytes, a.url, a.kind_key FROM message_attachments a WHERE a.workspace_id = ? ORDER BY a.message_id",
        ws.workspace.id,
      ),
      (rows) => rows.length === 2,
    );
    expect(files.map((f) => [f.file_name, f.content_type, f.size_bytes])).toEqual([
      [`image-${imageId}.jpg`, "image/jpeg", jpeg.byteLength],
      ["Price list 2026.pdf", "application/pdf", pdf.byteLength],
    ]);
    const object = await env.FILES.get(files[1]!.url);
    expect(await object!.text()).toBe("%PDF-1.7 price list");
    expect(new Uint8Array(await (await env.FILES.get(files[0]!.url))!.arrayBuffer())).toEqual(jpeg);

    const calls = await graphCalls(wa.phoneNumberId);
    const info = calls.filter((c) => c.op === "media_info");
    expect(info.map((c) => c.path).sort()).toEqual([`/${env.WHATSAPP_API_VERSION}/${imageId}`, `/${env.WHATSAPP_API_VERSION}/${docId}`].sort());
    expect(info[0]).toMatchObject({ query: { phone_number_id: wa.phoneNumberId }, authorization: `Bearer ${wa.accessToken}` });
    const downloads = calls.filter((c) => c.op === "download");
    expect(downloads).toHaveLength(2);
    expect(downloads.every((d) => d.authorization === `Bearer ${wa.accessToken}`)).toBe(true);
  });

  it("a file WhatsApp no longer has is skipped; the message stays", async () => {
    const ws = await newWorkspace();
    const wa = await connectNumber(ws.owner);
    const gone = message(ana, "image", { image: { id: "media-never-registered", mime_type: "image/png", sha256: "z" } });
    await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, ana, gone, text(ana, "after the photo")));
    await eventually(() => graphCalls(wa.phoneNumberId, "media_info"), (calls) => calls.length === 1);
    // Nothing retries it: a minute later there is still one look-up and no attachment.
    await new Promise((r) => setTimeout(r, 500));
    expect(await graphCalls(wa.phoneNumberId, "media_info")).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM message_attachments WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(2);
  });
});
