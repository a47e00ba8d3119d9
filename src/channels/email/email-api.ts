// The outbound provider's HTTP API in Resend's shape, at EMAIL_API_BASE_URL: POST /emails (JSON,
// Bearer key, Idempotency-Key, attachments base64) → {id}; GET /domains to check a key when
// connecting. Errors come back as {statusCode, name, message}. Attachments are streamed from R2
// into the request body, base64-encoded on the way: a 25 MB file is never held whole, twice.
import type { Bindings } from "../../env";
import { PermanentJobError } from "../../jobs/errors";

/** Resend accepts up to 40 MB of attachments per e-mail. */
export const MAX_ATTACHMENTS_BYTES = 40 * 1024 * 1024;

export interface OutgoingEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  reply_to: string;
  headers: Record<string, string>;
}

export interface OutgoingFile {
  fileName: string;
  contentType: string;
  /** The R2 object holding the bytes. */
  key: string;
}

/** A refusal or failure the provider answered with (any status but 2xx). */
export class EmailApiError extends Error {
  constructor(
    readonly status: number,
    /** The provider's error name (`validation_error`, `rate_limit_exceeded`, …). */
    readonly errorName: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The provider could not be reached at all (DNS, connection, TLS). */
export class EmailApiUnreachable extends Error {}

const apiUrl = (env: Pick<Bindings, "EMAIL_API_BASE_URL">, path: string) => `${env.EMAIL_API_BASE_URL.replace(/\/+$/, "")}${path}`;

async function errorOf(response: Response): Promise<EmailApiError> {
  const text = await response.text().catch(() => "");
  let name = `http_${response.status}`;
  let message = text.slice(0, 500) || response.statusText;
  try {
    const body = JSON.parse(text) as { name?: unknown; message?: unknown };
    if (typeof body.name === "string") name = body.name;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // not the JSON envelope: keep the text
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  return new EmailApiError(response.status, name, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new EmailApiUnreachable(error instanceof Error ? error.message : String(error));
  }
}

export interface ProviderDomain {
  name: string;
  status: string;
}

/** The account's sending domains; `null` when the key may only send (Resend's `restricted_api_key`). */
export async function listDomains(env: Pick<Bindings, "EMAIL_API_BASE_URL">, apiKey: string): Promise<{ domains: ProviderDomain[]; complete: boolean } | null> {
  const response = await call(apiUrl(env, "/domains"), { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.errorName === "restricted_api_key") return null;
    throw error;
  }
  const body = (await response.json()) as { data?: { name?: unknown; status?: unknown }[]; has_more?: unknown };
  const domains = (body.data ?? []).map((d) => ({ name: String(d.name ?? "").toLowerCase(), status: String(d.status ?? "") }));
  return { domains, complete: body.has_more !== true };
}

const encoder = new TextEncoder();
const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

/** A multiple of 3 (so the slices' base64 joins without padding) small enough to spread into fromCharCode. */
const SLICE = 3 * 10_922;

/** Base64 of whole 3-byte groups. */
function base64Of(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += SLICE) out += btoa(String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + SLICE))));
  return out;
}

/** Writes an R2 object into `writer` as base64, carrying the odd bytes of each chunk to the next. */
async function writeBase64(writer: WritableStreamDefaultWriter<Uint8Array>, body: ReadableStream<Uint8Array>): Promise<void> {
  let carry = new Uint8Array(0);
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const joined = carry.length ? new Uint8Array(carry.length + value.length) : value;
    if (carry.length) {
      joined.set(carry);
      joined.set(value, carry.length);
    }
    const whole = joined.length - (joined.length % 3);
    if (whole > 0) await writer.write(encoder.encode(base64Of(joined.subarray(0, whole))));
    carry = joined.slice(whole);
  }
  if (carry.length) await writer.write(encoder.encode(btoa(String.fromCharCode(...carry))));
}

/**
 * The request body: the e-mail's JSON with `attachments: [{filename, content_type, content}]`,
 * `content` streamed from R2. Its exact length is known up front (base64 is 4 bytes per 3), so
 * it goes out with a Content-Length.
 */
async function streamedBody(files: R2Bucket, email: OutgoingEmail, attachments: OutgoingFile[]): Promise<{ body: ReadableStream | string; done: Promise<unknown> }> {
  if (attachments.length === 0) return { body: JSON.stringify(email), done: Promise.resolve() };
  const sizes: number[] = [];
  for (const file of attachments) {
    const head = await files.head(file.key);
    if (!head) throw new PermanentJobError(`the file ${file.fileName} is no longer stored`, "attachment_missing");
    sizes.push(head.size);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > MAX_ATTACHMENTS_BYTES) {
    throw new PermanentJobError(`the attachments are ${total} bytes; the e-mail provider accepts up to ${MAX_ATTACHMENTS_BYTES}`, "attachments_too_large");
  }
  const pieces: (Uint8Array | { key: string; size: number })[] = [encoder.encode(`${JSON.stringify(email).slice(0, -1)},"attachments":[`)];
  attachments.forEach((file, i) => {
    const meta = JSON.stringify({ filename: file.fileName, content_type: file.contentType });
    pieces.push(encoder.encode(`${i > 0 ? "," : ""}${meta.slice(0, -1)},"content":"`), { key: file.key, size: sizes[i]! }, encoder.encode(`"}`));
  });
  pieces.push(encoder.encode("]}"));
  const length = pieces.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : base64Length(p.size)), 0);
  const { readable, writable } = new FixedLengthStream(length);
  const writer = writable.getWriter();
  const done = (async () => {
    for (const piece of pieces) {
      if (piece instanceof Uint8Array) {
        await writer.write(piece);
        continue;
      }
      const object = await files.get(piece.key);
      if (!object || object.size !== piece.size) throw new PermanentJobError(`the file ${piece.key} changed while it was being sent`, "attachment_missing");
      await writeBase64(writer, object.body);
    }
    await writer.close();
  })().catch(async (error: unknown) => {
    await writer.abort(error).catch(() => undefined);
    throw error;
  });
  return { body: readable, done };
}

/** POST /emails; the provider's id of the e-mail. */
export async function sendEmail(
  env: Pick<Bindings, "EMAIL_API_BASE_URL" | "FILES">,
  apiKey: string,
  email: OutgoingEmail,
  attachments: OutgoingFile[],
  idempotencyKey: string,
): Promise<string> {
  const { body, done } = await streamedBody(env.FILES, email, attachments);
  // The writer's failure (a file gone) is the real reason when the request fails because of it.
  const writing = done.then(
    () => null,
    (error: unknown) => error,
  );
  let response: Response;
  try {
    response = await call(apiUrl(env, "/emails"), {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
      body,
    });
  } catch (error) {
    throw (await Promise.race([writing, new Promise((r) => setTimeout(() => r(null), 50))])) ?? error;
  }
  const writeError = await writing;
  if (writeError) throw writeError;
  if (!response.ok) throw await errorOf(response);
  const result = (await response.json()) as { id?: unknown };
  if (typeof result.id !== "string") throw new EmailApiError(response.status, "invalid_response", "the provider answered without an e-mail id");
  return result.id;
}
