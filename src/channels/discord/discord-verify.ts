// The two ways a request proves it comes from Discord (or from our own gateway bridge):
// interactions carry Discord's Ed25519 signature over timestamp + raw body, checked with the
// application's public key; DMs forwarded by `npm run discord:gateway` carry an HMAC-SHA256 over
// timestamp + "." + raw body, keyed with the bot token only the bridge and the Worker know.
import { hmac, timingSafeEqual, toHex, verifyEd25519 } from "../../lib/crypto";
import type { Verification, WebhookRequest } from "../channel-adapter";

/** How old a signed timestamp may be: a captured request cannot be replayed later. */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

const fresh = (timestamp: string, now: number): boolean => {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now / 1000 - Number(timestamp)) <= MAX_SIGNATURE_AGE_SECONDS;
};

function signedBytes(timestamp: string, separator: string, body: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(timestamp + separator);
  const bytes = new Uint8Array(prefix.length + body.length);
  bytes.set(prefix);
  bytes.set(body, prefix.length);
  return bytes;
}

/** Discord's X-Signature-Ed25519 over X-Signature-Timestamp + body (Discord probes with bad ones: 401). */
export async function verifyInteraction(publicKey: string, request: WebhookRequest, now = Date.now()): Promise<Verification> {
  const signature = request.headers.get("x-signature-ed25519");
  const timestamp = request.headers.get("x-signature-timestamp");
  if (!signature || !timestamp) return { ok: false, reason: "missing X-Signature-Ed25519 or X-Signature-Timestamp" };
  if (!(await verifyEd25519(publicKey, signature, signedBytes(timestamp, "", request.rawBody)))) {
    return { ok: false, reason: "invalid request signature" };
  }
  if (!fresh(timestamp, now)) return { ok: false, reason: "X-Signature-Timestamp is not within 5 minutes of now" };
  return { ok: true };
}

/** The HMAC `npm run discord:gateway` puts on a forwarded DM, as `sha256=<hex>`. */
export async function gatewaySignature(botToken: string, timestamp: string, body: Uint8Array): Promise<string> {
  return `sha256=${toHex(await hmac("SHA-256", botToken, signedBytes(timestamp, ".", body)))}`;
}

export async function verifyGatewayForward(botToken: string, request: WebhookRequest, now = Date.now()): Promise<Verification> {
  const signature = request.headers.get("x-parley-signature");
  const timestamp = request.headers.get("x-parley-timestamp");
  if (!signature || !timestamp) return { ok: false, reason: "missing X-Parley-Signature or X-Parley-Timestamp" };
  if (!fresh(timestamp, now)) return { ok: false, reason: "X-Parley-Timestamp is not within 5 minutes of now" };
  if (!timingSafeEqual(signature, await gatewaySignature(botToken, timestamp, request.rawBody))) {
    return { ok: false, reason: "wrong X-Parley-Signature" };
  }
  return { ok: true };
}
