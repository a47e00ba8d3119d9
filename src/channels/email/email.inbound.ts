// Mail from Email Routing (the Worker's `email()` export): the recipient picks the connection,
// the raw message is written to R2 before anything else, then parsed and stored through
// `ingestInbound` like every channel's messages. Files (attachments, the HTML body) are not
// written here: they are queued as media refs into the stored raw message, and the generic
// `channel.fetch_media` task extracts them — retried until done, so a Worker that dies midway
// loses nothing, and a retried mail stores nothing twice.
import { and, eq } from "drizzle-orm";
import type { Email } from "postal-mime";
import { createDb } from "../../db/client";
import { deliveries, messages } from "../../db/schema";
import type { Bindings } from "../../env";
import { PermanentJobError } from "../../jobs/errors";
import { sha256Hex } from "../../lib/crypto";
import { normalizeEmail } from "../../lib/phone";
import { workspaceFilePrefix } from "../../modules/attachments/attachments.service";
import { findLiveConnectionByAccount } from "../../modules/channels-config/channels.service";
import { transitionDelivery } from "../../modules/deliveries/deliveries.service";
import { ingestInbound } from "../../modules/messages/ingest.service";
import type { ConnectionRow, InboundMessage, MediaRef, ProviderContext } from "../channel-adapter";
import {
  authenticationOf,
  automaticReason,
  bodyTextOf,
  bounceOf,
  mailboxesOf,
  MailTooLargeError,
  messageIdsIn,
  parseMail,
  readRaw,
  senderOf,
} from "./email-parse";
import { conversationOfIds, conversationOfToken, findOutbound, splitRecipient, type ThreadRule } from "./email-threading";

/** Longer text is stored cut, with the whole text as a `message.txt` attachment. */
export const MAX_BODY_CHARS = 200_000;
const MAX_LISTED_IDS = 50;

type Db = ReturnType<typeof createDb>;
type MessageRow = typeof messages.$inferSelect;

/** The mailbox a recipient names: exactly, else without its plus tag. */
async function connectionFor(db: Db, to: string): Promise<{ connection: ConnectionRow; tag: string | null } | null> {
  const recipient = splitRecipient(to);
  const exact = await findLiveConnectionByAccount(db, "email", recipient.address);
  if (exact) return { connection: exact, tag: null };
  if (recipient.tag === null) return null;
  const mailbox = await findLiveConnectionByAccount(db, "email", recipient.mailbox);
  return mailbox ? { connection: mailbox, tag: recipient.tag } : null;
}

const EXTENSIONS: Record<string, string> = {
  "message/rfc822": ".eml",
  "text/calendar": ".ics",
  "application/pdf": ".pdf",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "text/plain": ".txt",
  "text/html": ".html",
};

const byteLengthOf = (content: Email["attachments"][number]["content"]) => (typeof content === "string" ? content.length : content.byteLength);

/** Where each part of a stored message is: `<raw key>#<part>`. */
const partRef = (rawKey: string, part: string) => `${rawKey}#${part}`;

function mediaOf(email: Email, rawKey: string, textCut: boolean): MediaRef[] {
  const media: MediaRef[] = email.attachments.map((a, i) => ({
    ref: partRef(rawKey, `a${i}`),
    key: `a${i}`,
    fileName: a.filename ?? `attachment-${i + 1}${EXTENSIONS[a.mimeType] ?? ""}`,
    contentType: a.mimeType || "application/octet-stream",
    sizeBytes: byteLengthOf(a.content),
  }));
  // The HTML is kept as a file (served as a download, never rendered by Parley).
  if (email.html) media.push({ ref: partRef(rawKey, "html"), key: "html", fileName: "message.html", contentType: "text/html; charset=utf-8" });
  if (textCut) media.push({ ref: partRef(rawKey, "text"), key: "text", fileName: "message.txt", contentType: "text/plain; charset=utf-8" });
  return media;
}

interface Received {
  message: ForwardableEmailMessage;
  connection: ConnectionRow;
  tag: string | null;
  rawKey: string;
  rawHash: string;
  rawSize: number;
}

/** A parsed mail as the inbox stores it, with the thread it continues and the bounce it reports. */
async function inboundOf(db: Db, env: Bindings, mail: Received, email: Email): Promise<{ inbound: InboundMessage; bouncedDeliveryId: number | null; bounceReason: string | null }> {
  const { message, connection, rawKey } = mail;
  const scope = { workspaceId: connection.workspaceId, connectionId: connection.id };
  const envelopeFrom = message.from.includes("@") ? normalizeEmail(message.from.replace(/^<|>$/g, "")) : null;
  const sender = senderOf(email) ?? { name: null, address: envelopeFrom ?? "unknown-sender@invalid" };
  const messageId = messageIdsIn(email.messageId)[0] ?? messageIdsIn(message.headers.get("message-id"))[0] ?? `<${mail.rawHash}@parley.invalid>`;
  const inReplyTo = messageIdsIn(email.inReplyTo).slice(0, MAX_LISTED_IDS);
  const references = messageIdsIn(email.references).slice(-MAX_LISTED_IDS);
  const authentication = authenticationOf(email);
  const unverified = authentication?.dmarc === "fail" ? `DMARC fail (${authentication.header.slice(0, 300)})` : undefined;
  const automatic = automaticReason(email, message.from);
  const bounce = automatic ? bounceOf(email) : null;

  // A bounce of one of our mails (and not a forged one) belongs to that mail's conversation and
  // recipient, not to a MAILER-DAEMON contact.
  const bounced = bounce?.failed && !unverified ? await findOutbound(db, connection.id, bounce.originalMessageIds) : undefined;
  let from: InboundMessage["from"] = { externalId: sender.address, email: sender.address, name: sender.name, ...(unverified ? { unverified } : {}) };
  let thread: { conversationId: number; rule: ThreadRule | "bounce"; id?: string } | null = null;
  if (bounced) {
    const [original] = await db
      .select({ conversationId: messages.conversationId })
      .from(messages)
      .where(and(eq(messages.workspaceId, connection.workspaceId), eq(messages.id, bounced.messageId)));
    if (original) thread = { conversationId: original.conversationId, rule: "bounce", id: bounced.headerId };
    from = { externalId: bounced.recipient, email: bounced.recipient };
  }
  if (!thread && mail.tag !== null) {
    const conversationId = await conversationOfToken(env, connection.id, mail.tag);
    if (conversationId !== null) thread = { conversationId, rule: "reply-token" };
  }
  thread ??= await conversationOfIds(db, scope, { inReplyTo, references });

  const text = bodyTextOf(email);
  const textCut = text.length > MAX_BODY_CHARS;
  const payload = {
    subject: email.subject ?? null,
    messageId,
    inReplyTo,
    references,
    date: email.date ?? null,
    from: sender,
    to: mailboxesOf(email.to),
    cc: mailboxesOf(email.cc),
    replyTo: mailboxesOf(email.replyTo),
    envelope: { from: message.from, to: message.to },
    authentication,
    thread,
    raw: { key: rawKey, sizeBytes: mail.rawSize },
    html: email.html !== undefined,
    ...(textCut ? { bodyTruncated: true } : {}),
    ...(automatic ? { automatic } : {}),
    ...(bounce ? { bounce } : {}),
  };
  const inbound: InboundMessage = {
    channel: "email",
    externalId: messageId,
    from,
    body: textCut ? `${text.slice(0, MAX_BODY_CHARS)}\n[…the whole text is attached as message.txt]` : text,
    kind: email.attachments.length > 0 ? "media" : "text",
    payload,
    media: mediaOf(email, rawKey, textCut),
    ...(thread ? { conversationId: thread.conversationId } : {}),
    ...(automatic ? { automatic: true } : {}),
  };
  const bounceReason = bounce ? [bounce.status, bounce.diagnostic].filter(Boolean).join(" ") || "the recipient's server returned the e-mail" : null;
  return { inbound, bouncedDeliveryId: bounced?.deliveryId ?? null, bounceReason };
}

/** A mail postal-mime could not read: kept, with its raw bytes attached, for a person to look at. */
function unreadableInbound(mail: Received, reason: string): InboundMessage {
  const { message, rawKey } = mail;
  const from = message.from.includes("@") ? normalizeEmail(message.from.replace(/^<|>$/g, "")) : "unknown-sender@invalid";
  return {
    channel: "email",
    externalId: messageIdsIn(message.headers.get("message-id"))[0] ?? `<${mail.rawHash}@parley.invalid>`,
    from: { externalId: from, email: from },
    body: `This e-mail could not be read (${reason}). The original is attached as message.eml.`,
    kind: "media",
    payload: { subject: message.headers.get("subject"), parseError: reason, envelope: { from: message.from, to: message.to }, raw: { key: rawKey, sizeBytes: mail.rawSize } },
    media: [{ ref: partRef(rawKey, "raw"), key: "raw", fileName: "message.eml", contentType: "message/rfc822", sizeBytes: mail.rawSize }],
  };
}

/** The stored message's raw object, when a retried mail found it stored already. */
function rawKeyOf(row: MessageRow): string | null {
  try {
    const key = (JSON.parse(row.payloadJson ?? "{}") as { raw?: { key?: unknown } }).raw?.key;
    return typeof key === "string" ? key : null;
  } catch {
    return null;
  }
}

/**
 * The `email()` handler. An address with no live connection is refused (the sender's server
 * gets a permanent error naming it). Anything failing after the raw bytes are in R2 is thrown,
 * so Email Routing reports a failure rather than the mail vanishing silently.
 */
export async function receiveEmail(message: ForwardableEmailMessage, env: Bindings): Promise<void> {
  const db = createDb(env.DB);
  const target = await connectionFor(db, message.to);
  if (!target) {
    message.setReject(`${message.to}: no such mailbox here (the address is not connected to Parley)`);
    return;
  }
  const { connection, tag } = target;
  let raw: ArrayBuffer;
  try {
    raw = await readRaw(message.raw, message.rawSize);
  } catch (error) {
    if (!(error instanceof MailTooLargeError)) throw error;
    message.setReject(error.message);
    return;
  }
  // Named by its content: a redelivered mail writes the same object, a different mail never overwrites it.
  const rawHash = await sha256Hex(raw);
  const rawKey = `${workspaceFilePrefix(connection.workspaceId)}email/${connection.id}/${rawHash}.eml`;
  await env.FILES.put(rawKey, raw, { httpMetadata: { contentType: "message/rfc822" } });
  const mail: Received = { message, connection, tag, rawKey, rawHash, rawSize: raw.byteLength };

  let email: Email | null = null;
  let parseError = "";
  try {
    email = await parseMail(raw);
  } catch (error) {
    parseError = error instanceof Error ? error.message : String(error);
  }
  const parsed = email ? await inboundOf(db, env, mail, email) : null;
  const inbound = parsed?.inbound ?? unreadableInbound(mail, parseError);
  const result = await ingestInbound(db, env, { ...inbound, workspaceId: connection.workspaceId, connectionId: connection.id });
  if (!result.created) {
    // Same Message-ID, other bytes: the first one stored is the message; this copy is not kept.
    const stored = rawKeyOf(result.message);
    if (stored && stored !== rawKey) await env.FILES.delete(rawKey);
    return;
  }
  if (parsed?.bouncedDeliveryId) {
    const [delivery] = await db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.workspaceId, connection.workspaceId), eq(deliveries.id, parsed.bouncedDeliveryId)));
    if (delivery) await transitionDelivery(db, delivery, { status: "failed", errorCode: "bounced", errorMessage: parsed.bounceReason });
  }
}

// ---- the queued media task's side: a part of a stored message ------------------------------

/** One parse per task run: the task asks for every part of a message with the same row. */
const parsedMessages = new WeakMap<MessageRow, Promise<Email>>();

async function storedRaw(env: Bindings, key: string): Promise<ArrayBuffer> {
  const object = await env.FILES.get(key);
  if (!object) throw new PermanentJobError(`the stored e-mail ${key} is gone`, "file_unavailable");
  return object.arrayBuffer();
}

const toArrayBuffer = (content: string | ArrayBuffer | Uint8Array): ArrayBuffer =>
  typeof content === "string"
    ? (new TextEncoder().encode(content).buffer as ArrayBuffer)
    : content instanceof Uint8Array
      ? (content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength) as ArrayBuffer)
      : content;

/** `downloadMedia`: a part of a received mail, from the raw message stored in R2. */
export async function downloadEmailPart({ env }: ProviderContext, media: MediaRef, message: MessageRow): Promise<{ data: ArrayBuffer }> {
  const hash = media.ref.lastIndexOf("#");
  const key = media.ref.slice(0, hash);
  const part = media.ref.slice(hash + 1);
  if (hash === -1 || !key.startsWith(workspaceFilePrefix(message.workspaceId))) throw new PermanentJobError(`${media.ref} is not a part of this workspace's mail`, "invalid_media_ref");
  if (part === "raw") return { data: await storedRaw(env, key) };
  let parsing = parsedMessages.get(message);
  if (!parsing) {
    parsing = storedRaw(env, key).then(parseMail);
    parsedMessages.set(message, parsing);
  }
  const email = await parsing;
  if (part === "html") return { data: toArrayBuffer(email.html ?? "") };
  if (part === "text") return { data: toArrayBuffer(bodyTextOf(email)) };
  const attachment = /^a(\d+)$/.test(part) ? email.attachments[Number(part.slice(1))] : undefined;
  if (!attachment) throw new PermanentJobError(`${media.ref} names no part of the stored e-mail`, "invalid_media_ref");
  return { data: toArrayBuffer(attachment.content) };
}
