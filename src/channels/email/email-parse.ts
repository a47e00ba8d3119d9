// Reading a received e-mail: the raw RFC 822 bytes off the stream (bounded, in one buffer),
// parsed with postal-mime, and the facts Parley keeps of it — the text, the addresses, the
// threading ids, the authentication verdicts, whether a robot sent it, what a bounce reports.
// Every scan here is linear in the input: mail is attacker-controlled.
import PostalMime, { type Address, type Attachment, type Email, type Mailbox } from "postal-mime";
import { normalizeEmail } from "../../lib/phone";

/** Email Routing refuses mail over 25 MiB; a little room on top for local deliveries. */
export const MAX_RAW_BYTES = 30 * 1024 * 1024;

/** The raw message is larger than Parley accepts. */
export class MailTooLargeError extends Error {}

/**
 * The whole message in one buffer, sized once from the size Email Routing announces (grown only
 * if the stream turns out longer). An exactly filled buffer goes to the parser without a copy.
 */
export async function readRaw(stream: ReadableStream<Uint8Array>, rawSize: number): Promise<ArrayBuffer> {
  if (rawSize > MAX_RAW_BYTES) throw new MailTooLargeError(`the message is ${rawSize} bytes; Parley accepts mail up to ${MAX_RAW_BYTES} bytes`);
  let buffer = new Uint8Array(rawSize > 0 ? rawSize : 64 * 1024);
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.byteLength > buffer.byteLength) {
      if (length + value.byteLength > MAX_RAW_BYTES) {
        await reader.cancel();
        throw new MailTooLargeError(`the message is over ${MAX_RAW_BYTES} bytes`);
      }
      const grown = new Uint8Array(Math.min(MAX_RAW_BYTES, Math.max(buffer.byteLength * 2, length + value.byteLength)));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(value, length);
    length += value.byteLength;
  }
  return length === buffer.byteLength ? (buffer.buffer as ArrayBuffer) : (buffer.buffer.slice(0, length) as ArrayBuffer);
}

/**
 * One set of parser options for every reader of a stored message: the inbound handler and the
 * queued task that extracts the files must see the same attachments in the same order.
 */
export const parseMail = (raw: ArrayBuffer): Promise<Email> => PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });

export const headerValue = (email: Email, key: string): string | undefined => email.headers.find((h) => h.key === key)?.value;

/** `<id@host>` tokens of a Message-ID / In-Reply-To / References value, in order, brackets kept. */
export function messageIdsIn(value: string | undefined | null): string[] {
  if (!value) return [];
  const ids: string[] = [];
  for (const match of value.matchAll(/<([^<>\s]{1,500})>/g)) ids.push(`<${match[1]}>`);
  if (ids.length > 0) return ids;
  // Some senders drop the brackets: take the bare tokens that look like ids.
  for (const token of value.split(/[\s,]+/)) {
    if (/^[^<>\s@]{1,400}@[^<>\s@]{1,200}$/.test(token)) ids.push(`<${token}>`);
  }
  return ids;
}

/** The mailboxes of an address list, groups unwrapped, addresses normalised. */
export function mailboxesOf(addresses: Address[] | undefined, limit = 50): { name: string | null; address: string }[] {
  const out: { name: string | null; address: string }[] = [];
  for (const entry of addresses ?? []) {
    for (const mailbox of entry.group ?? [entry as Mailbox]) {
      if (!mailbox.address || out.length >= limit) continue;
      out.push({ name: mailbox.name?.trim() || null, address: normalizeEmail(mailbox.address) });
    }
  }
  return out;
}

/** The one sender a From header names (the first mailbox, even inside a group). */
export function senderOf(email: Email): { name: string | null; address: string } | null {
  return mailboxesOf(email.from ? [email.from] : [], 1)[0] ?? null;
}

export interface AuthenticationVerdicts {
  spf: string | null;
  dkim: string | null;
  dmarc: string | null;
  /** The header the verdicts were read from, and its value (trimmed). */
  source: "authentication-results" | "arc-authentication-results";
  header: string;
}

/**
 * The SPF/DKIM/DMARC verdicts the receiving server recorded: the topmost Authentication-Results
 * (the last server to add one is the one that handed the mail to us), else the topmost
 * ARC-Authentication-Results. Null when the mail carries neither.
 */
export function authenticationOf(email: Email): AuthenticationVerdicts | null {
  for (const source of ["authentication-results", "arc-authentication-results"] as const) {
    const value = headerValue(email, source);
    if (!value) continue;
    const verdict = (method: string) => new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, "i").exec(value)?.[1]?.toLowerCase() ?? null;
    return { spf: verdict("spf"), dkim: verdict("dkim"), dmarc: verdict("dmarc"), source, header: value.trim().slice(0, 1000) };
  }
  return null;
}

const ROBOT_LOCAL_PARTS = new Set(["mailer-daemon", "postmaster"]);
const localPart = (address: string) => address.split("@")[0]!.trim().toLowerCase();

/**
 * Why this mail came from a robot rather than a person, or null: auto-replies (RFC 3834
 * Auto-Submitted, X-Autoreply), bulk and list mail (Precedence, List-Id), bounces (the null
 * sender, MAILER-DAEMON, postmaster, a delivery report). Such mail is kept but notifies nobody,
 * and Parley never answers it automatically, so two auto-responders cannot loop through it.
 */
export function automaticReason(email: Email, envelopeFrom: string): string | null {
  const autoSubmitted = headerValue(email, "auto-submitted")?.trim().toLowerCase().split(/[\s;(]/)[0];
  if (autoSubmitted && autoSubmitted !== "no") return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = headerValue(email, "precedence")?.trim().toLowerCase();
  if (precedence === "bulk" || precedence === "junk" || precedence === "list") return `Precedence: ${precedence}`;
  const listId = headerValue(email, "list-id");
  if (listId) return `List-Id: ${listId.trim().slice(0, 200)}`;
  if (headerValue(email, "x-autoreply") || headerValue(email, "x-autorespond")) return "X-Autoreply";
  const envelope = envelopeFrom.trim();
  if (envelope === "" || envelope === "<>") return "null envelope sender (a bounce)";
  const from = senderOf(email)?.address;
  for (const address of [from, envelope]) {
    if (address && ROBOT_LOCAL_PARTS.has(localPart(address))) return `sent by ${localPart(address)}`;
  }
  if (email.attachments.some(isDeliveryReport)) return "delivery status report";
  return null;
}

const isDeliveryReport = (a: Attachment) => a.mimeType === "message/delivery-status" || a.mimeType === "message/global-delivery-status";
const ORIGINAL_PARTS = new Set(["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"]);

export function textOf(content: Attachment["content"]): string {
  return typeof content === "string" ? content : new TextDecoder("utf-8").decode(content);
}

/** Header-style fields (`Name: value`, folded lines joined), in blocks separated by blank lines. */
function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let block = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (block.size > 0) blocks.push(block);
      block = new Map();
      last = null;
    } else if (/^[ \t]/.test(line) && last) {
      block.set(last, `${block.get(last)} ${line.trim()}`);
    } else {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      if (!block.has(last)) block.set(last, line.slice(colon + 1).trim());
    }
  }
  if (block.size > 0) blocks.push(block);
  return blocks;
}

export interface BounceReport {
  /** True when the report says the mail will not be delivered (Action: failed, or a 5.x.x status). */
  failed: boolean;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  recipient: string | null;
  /** The Message-IDs of the mail the report is about. */
  originalMessageIds: string[];
}

/** What a delivery status notification (RFC 3464) says, or null for any other mail. */
export function bounceOf(email: Email): BounceReport | null {
  const report = email.attachments.find(isDeliveryReport);
  if (!report) return null;
  const blocks = fieldBlocks(textOf(report.content).slice(0, 100_000));
  // The first block is about the message; the next ones are per recipient.
  const perRecipient = blocks.slice(1);
  const block = perRecipient.find((b) => b.get("action")?.toLowerCase() === "failed") ?? perRecipient[0] ?? new Map<string, string>();
  const action = block.get("action")?.toLowerCase() ?? null;
  const status = block.get("status") ?? null;
  const recipientField = block.get("final-recipient") ?? block.get("original-recipient") ?? null;
  const recipient = recipientField ? recipientField.replace(/^[^;]*;/, "").trim() : null;
  const originalMessageIds: string[] = [];
  for (const part of email.attachments) {
    if (!ORIGINAL_PARTS.has(part.mimeType)) continue;
    const text = textOf(part.content);
    const headerEnd = text.search(/\r?\n\r?\n/);
    const headers = fieldBlocks(headerEnd === -1 ? text.slice(0, 200_000) : text.slice(0, headerEnd))[0];
    originalMessageIds.push(...messageIdsIn(headers?.get("message-id")));
  }
  originalMessageIds.push(...messageIdsIn(email.inReplyTo));
  return {
    failed: action === "failed" || (action === null && /^5\./.test(status ?? "")),
    action,
    status,
    diagnostic: block.get("diagnostic-code")?.slice(0, 1000) ?? null,
    recipient: recipient && recipient.includes("@") ? normalizeEmail(recipient) : null,
    originalMessageIds: [...new Set(originalMessageIds)],
  };
}

const BLOCK_TAGS = new Set(["p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr", "section", "article", "header", "footer"]);
const SKIPPED_TAGS = new Set(["script", "style", "head", "title", "template"]);
const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  copy: "©",
  reg: "®",
  euro: "€",
  bull: "•",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Readable text from an HTML body, for mail that has no text part: tags dropped, blocks on
 * their own lines, scripts and styles skipped, entities decoded. One pass over the input.
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf("<", i);
    if (open === -1) {
      parts.push(html.slice(i));
      break;
    }
    parts.push(html.slice(i, open));
    if (html.startsWith("<!--", open)) {
      const end = html.indexOf("-->", open + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const close = html.indexOf(">", open + 1);
    if (close === -1) {
      parts.push(html.slice(open));
      break;
    }
    const tag = /^(\/?)\s*([a-zA-Z][a-zA-Z0-9]*)/.exec(html.slice(open + 1, Math.min(close, open + 40)));
    i = close + 1;
    if (!tag) continue;
    const name = tag[2]!.toLowerCase();
    if (!tag[1] && SKIPPED_TAGS.has(name)) {
      // Up to its closing tag; the search starts where this one ended, so nothing is scanned twice.
      const ending = new RegExp(`</${name}\\s*>`, "gi");
      ending.lastIndex = i;
      i = ending.exec(html) ? ending.lastIndex : html.length;
      continue;
    }
    if (name === "li") {
      if (!tag[1]) parts.push("\n- ");
    } else if (BLOCK_TAGS.has(name)) {
      parts.push("\n");
    }
  }
  return decodeEntities(parts.join(""))
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v\u00a0\r]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The message's text: its text part verbatim, else text derived from its HTML. */
export const bodyTextOf = (email: Email): string => email.text ?? (email.html ? htmlToText(email.html) : "");
