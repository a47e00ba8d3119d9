// Twilio's webhook requests: form-encoded parameters, parsed once per request, and the
// X-Twilio-Signature check (twilio-node's getExpectedTwilioSignature): base64(HMAC-SHA1(Auth
// Token, the URL Twilio called — with its query — followed by every POST parameter sorted by name,
// each name immediately followed by its value)). Every received parameter counts, including ones
// Parley does not read: Twilio adds parameters without notice.
import { hmac, timingSafeEqual, toBase64 } from "../../lib/crypto";
import type { WebhookRequest } from "../channel-adapter";

/** The sub-paths Twilio calls for voice: the two pasted in the console, and the ones our TwiML names. */
export const VOICE_SUBPATHS = ["voice", "voiceStatus", "dial", "voicemail", "recording"] as const;

const parsed = new WeakMap<Uint8Array, URLSearchParams>();

export function formOf(request: WebhookRequest): URLSearchParams {
  let form = parsed.get(request.rawBody);
  if (!form) {
    form = new URLSearchParams(new TextDecoder().decode(request.rawBody));
    parsed.set(request.rawBody, form);
  }
  return form;
}

/** The signed string: the URL, then `name + value` per parameter in name order (repeated names: values sorted, once each). */
export function signedData(url: string, form: URLSearchParams): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of form) byName.set(name, [...(byName.get(name) ?? []), value]);
  let data = url;
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...new Set(byName.get(name))].sort()) data += name + value;
  }
  return data;
}

export async function twilioSignature(authToken: string, url: string, form: URLSearchParams): Promise<string> {
  return toBase64(await hmac("SHA-1", authToken, signedData(url, form)));
}

/** The URL as Twilio may have signed it: as configured, and with or without the default port (as twilio-node accepts). */
function urlVariants(url: string): string[] {
  const variants = [url];
  try {
    const parsedUrl = new URL(url);
    const defaultPort = parsedUrl.protocol === "https:" ? "443" : "80";
    const withPort = url.replace(`//${parsedUrl.host}`, `//${parsedUrl.hostname}:${parsedUrl.port || defaultPort}`);
    const withoutPort = parsedUrl.port === defaultPort || parsedUrl.port === "" ? url.replace(`//${parsedUrl.host}`, `//${parsedUrl.hostname}`) : url;
    for (const variant of [withPort, withoutPort]) if (!variants.includes(variant)) variants.push(variant);
  } catch {
    // Not a URL: only the string itself can match.
  }
  return variants;
}

export async function verifyTwilioSignature(authToken: string, request: WebhookRequest): Promise<boolean> {
  const presented = request.headers.get("x-twilio-signature");
  if (!presented) return false;
  const form = formOf(request);
  let ok = false;
  // Every variant is checked, so the time taken does not say which one matched.
  for (const url of urlVariants(request.publicUrl)) {
    if (timingSafeEqual(presented, await twilioSignature(authToken, url, form))) ok = true;
  }
  return ok;
}

/** `<?xml …?><Response/>` and its kin: TwiML answers, text/xml. */
export const twiml = (inner = "", status = 200) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>${inner ? `<Response>${inner}</Response>` : "<Response/>"}`, {
    status,
    headers: { "content-type": "text/xml; charset=utf-8" },
  });

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
export const xml = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/** Twilio's `Timestamp` (RFC 2822), as epoch ms; undefined when absent or unreadable. */
export function timestampOf(value: string | null): number | undefined {
  if (!value) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
}
