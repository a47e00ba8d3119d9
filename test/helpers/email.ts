// E-mail in tests: raw RFC 822 fixtures (test/fixtures/email/) handed to the Worker's `email`
// export as Email Routing would (a ForwardableEmailMessage whose setReject/forward/reply are
// recorded), mailboxes connected through the API against the fake Resend API
// (test/fakes/email-api.mjs), and provider events signed exactly as Svix signs them.
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import autoReply from "../fixtures/email/auto-reply.eml?raw";
import bounce from "../fixtures/email/bounce.eml?raw";
import dmarcFail from "../fixtures/email/dmarc-fail.eml?raw";
import htmlOnly from "../fixtures/email/html-only.eml?raw";
import latin1 from "../fixtures/email/latin1.eml?raw";
import multipartAttachments from "../fixtures/email/multipart-attachments.eml?raw";
import plain from "../fixtures/email/plain.eml?raw";
import replyInReplyTo from "../fixtures/email/reply-in-reply-to.eml?raw";
import replyOutlook from "../fixtures/email/reply-outlook.eml?raw";
import replyPlusAddress from "../fixtures/email/reply-plus-address.eml?raw";
import replyReferencesOnly from "../fixtures/email/reply-references-only.eml?raw";

const fixtures = {
  "auto-reply": autoReply,
  bounce,
  "dmarc-fail": dmarcFail,
  "html-only": htmlOnly,
  latin1,
  "multipart-attachments": multipartAttachments,
  plain,
  "reply-in-reply-to": replyInReplyTo,
  "reply-outlook": replyOutlook,
  "reply-plus-address": replyPlusAddress,
  "reply-references-only": replyReferencesOnly,
};

export type FixtureName = keyof typeof fixtures;

/** A fixture with its {{PLACEHOLDERS}} filled in, with CRLF line ends as mail travels. */
export function fixture(name: FixtureName, vars: Record<string, string> = {}): string {
  return fixtures[name].replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    if (vars[key] === undefined) throw new Error(`fixture ${name} needs {{${key}}}`);
    return vars[key]!;
  }).replace(/\r?\n/g, "\r\n");
}

export interface Delivered {
  rejected: string[];
  forwarded: string[];
  replied: number;
}

/** The top-level header fields, as Email Routing's `message.headers` has them. */
function headersOf(raw: string): Headers {
  const headers = new Headers();
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Hand a raw message to the Worker's `email` export, as Email Routing does for one recipient:
 * the envelope, the raw bytes as a stream (in 4 KB chunks), the headers.
 */
export async function deliverMail(raw: string | Uint8Array, envelope: { from: string; to: string }): Promise<Delivered> {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  const outcome: Delivered = { rejected: [], forwarded: [], replied: 0 };
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 4096));
      offset += 4096;
    },
  });
  const message = {
    from: envelope.from,
    to: envelope.to,
    raw: stream,
    rawSize: bytes.length,
    headers: headersOf(typeof raw === "string" ? raw : new TextDecoder().decode(bytes.slice(0, 64 * 1024))),
    canBeForwarded: true,
    setReject: (reason: string) => void outcome.rejected.push(reason),
    forward: async (rcptTo: string) => {
      outcome.forwarded.push(rcptTo);
      return { messageId: "forwarded" };
    },
    reply: async () => {
      outcome.replied += 1;
      return { messageId: "replied" };
    },
  };
  await worker.email(message as unknown as ForwardableEmailMessage, env);
  return outcome;
}

let mailboxCounter = 0;

export interface Mailbox {
  connection: { id: number; config: Record<string, unknown>; webhookUrl: string };
  address: string;
  apiKey: string;
  webhookSecret: string;
}

/** A fresh address on the fake's verified domain, connected to the workspace with a fresh key and secret. */
export async function connectMailbox(
  owner: { post: (path: string, body?: unknown) => Promise<{ status: number; body: any }> },
  opts: { fromName?: string } = {},
): Promise<Mailbox> {
  mailboxCounter += 1;
  const address = `sales-${mailboxCounter}-${crypto.randomUUID().slice(0, 8)}@acme.test`;
  const apiKey = `re_test_${crypto.randomUUID().replace(/-/g, "")}`;
  const webhookSecret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;
  const res = await owner.post("/v1/channels", { channelKey: "email", address, apiKey, webhookSecret, fromName: opts.fromName ?? "Acme Sales" });
  if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { connection: res.body, address, apiKey, webhookSecret };
}

export interface ApiCall {
  method: string;
  path: string;
  headers: Record<string, string | null>;
  body: any;
  status: number;
  response: any;
}

/** What the fake Resend API received with this key, oldest first. */
export async function emailApiCalls(apiKey: string, path = "/emails"): Promise<ApiCall[]> {
  const calls = (await (await fetch(`${env.EMAIL_API_BASE_URL}/__fake/calls?key=${encodeURIComponent(apiKey)}`)).json()) as ApiCall[];
  return calls.filter((c) => c.path === path);
}

export async function failNextEmail(apiKey: string, status: number, name: string, message: string, opts: { path?: string; retryAfter?: number } = {}) {
  await fetch(`${env.EMAIL_API_BASE_URL}/__fake/fail`, { method: "POST", body: JSON.stringify({ key: apiKey, status, name, message, ...opts }) });
}

/** Svix / Standard Webhooks headers for `body`: v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>. */
export async function svixHeaders(secret: string, body: string, opts: { timestamp?: number; id?: string } = {}): Promise<Record<string, string>> {
  const id = opts.id ?? `msg_${crypto.randomUUID().replace(/-/g, "")}`;
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return { "svix-id": id, "svix-timestamp": timestamp, "svix-signature": `v1,${btoa(String.fromCharCode(...signature))}`, "content-type": "application/json" };
}

/** A Resend e-mail event as its webhooks deliver it. */
export function emailEvent(type: string, emailId: string, data: Record<string, unknown> = {}) {
  return {
    type,
    created_at: new Date().toISOString(),
    data: {
      created_at: new Date().toISOString(),
      email_id: emailId,
      from: "Acme Sales <sales@acme.test>",
      to: ["ana@example.test"],
      subject: "Re: Quote for 20 seats",
      ...data,
    },
  };
}
