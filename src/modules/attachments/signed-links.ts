// Signed attachment links: providers that fetch media by URL (Twilio MMS) get a short-lived link
// to one attachment, served without a bearer token until it expires. The signature (HMAC-SHA256
// under a key derived from ENCRYPTION_KEY) binds the attachment and the expiry, so a link can
// neither be pointed at another file nor extended.
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { messageAttachments } from "../../db/schema";
import type { AppEnv, Bindings } from "../../env";
import { fromBase64, hmac, timingSafeEqual, toHex } from "../../lib/crypto";
import { AppError, notFound } from "../../lib/errors";

/** Long enough for a provider to fetch the file after the send, short enough to be useless later. */
export const SIGNED_LINK_TTL_SECONDS = 60 * 60;

async function signature(env: Pick<Bindings, "ENCRYPTION_KEY">, attachmentId: number, expires: number): Promise<string> {
  // A key of its own (not the AES key itself): HMAC of a label under the secret.
  const key = await hmac("SHA-256", fromBase64(env.ENCRYPTION_KEY), "parley signed attachment links v1");
  return toHex(await hmac("SHA-256", key, `${attachmentId}.${expires}`));
}

export async function signedAttachmentUrl(
  env: Pick<Bindings, "ENCRYPTION_KEY" | "PUBLIC_BASE_URL">,
  attachmentId: number,
  ttlSeconds = SIGNED_LINK_TTL_SECONDS,
  now = Date.now(),
): Promise<string> {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  const sig = await signature(env, attachmentId, expires);
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/files/${attachmentId}?expires=${expires}&sig=${sig}`;
}

/** GET /files/{id}?expires=&sig= — the attachment, for whoever holds an unexpired link. */
export const signedLinksRouter = new Hono<AppEnv>().get("/files/:id{[0-9]+}", async (c) => {
  const id = Number(c.req.param("id"));
  const expires = Number(c.req.query("expires"));
  const sig = c.req.query("sig") ?? "";
  if (!Number.isSafeInteger(expires) || !/^[0-9a-f]{64}$/.test(sig)) throw new AppError("unauthorized", "a signed link needs expires and sig");
  if (!timingSafeEqual(sig, await signature(c.env, id, expires))) throw new AppError("unauthorized", "the link's signature does not match");
  if (expires * 1000 < Date.now()) throw new AppError("forbidden", "the link has expired");
  const [attachment] = await c.var.db
    .select()
    .from(messageAttachments)
    .where(eq(messageAttachments.id, id));
  const object = attachment ? await c.env.FILES.get(attachment.url) : null;
  if (!attachment || !object) throw notFound("attachment");
  return new Response(object.body, {
    headers: {
      "content-type": attachment.contentType,
      "content-length": String(object.size),
      "cache-control": "private, no-store",
    },
  });
});
