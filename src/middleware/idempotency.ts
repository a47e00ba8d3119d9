// `Idempotency-Key` on mutating POSTs: the same key and request (method, path, query string and
// body) within 24 h replays the first response — status, body and the headers that matter, such
// as Location — and does nothing twice; the same key with another request is refused. Stored
// responses are sealed with ENCRYPTION_KEY: some carry secrets (new tokens, link codes).
import { and, eq, lt } from "drizzle-orm";
import type { HonoRequest } from "hono";
import { createMiddleware } from "hono/factory";
import { idempotencyKeys } from "../db/schema";
import type { AppEnv } from "../env";
import { aesKey, decryptJson, encryptJson, sha256Hex, toHex } from "../lib/crypto";
import { AppError } from "../lib/errors";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * SHA-256 of the request body, streamed: the body is teed, one branch hashed and the other left
 * for the handler, so a 50 MB upload is held once rather than copied for the hash.
 */
async function bodyDigest(req: HonoRequest): Promise<string> {
  const raw = req.raw;
  if (!raw.body) return sha256Hex("");
  const [forHash, forHandler] = raw.body.tee();
  req.raw = new Request(raw, { body: forHandler });
  const digest = new crypto.DigestStream("SHA-256");
  await forHash.pipeTo(digest);
  return toHex(await digest.digest);
}

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (c.req.method !== "POST" || key === undefined) return next();
  if (!KEY_PATTERN.test(key)) {
    throw new AppError("validation_failed", "Idempotency-Key must be 1–255 printable ASCII characters", [
      { path: "header.idempotency-key", message: "invalid" },
    ]);
  }
  const db = c.var.db;
  const scope = c.var.idempotencyScope;
  // Before any work: a server that could not seal the response must not do the work either.
  await aesKey(c.env.ENCRYPTION_KEY);
  const url = new URL(c.req.url);
  const requestHash = await sha256Hex(`${c.req.method} ${url.pathname}${url.search}\n${await bodyDigest(c.req)}`);
  const now = Date.now();

  const [, claimed] = await db.batch([
    db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS),
        ),
      ),
    db
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: idempotencyKeys.id }),
  ]);

  if (claimed.length === 0) {
    const [existing] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    if (!existing) throw new AppError("request_in_progress", "retry the request");
    if (existing.requestHash !== requestHash) {
      throw new AppError("idempotency_key_reused", "this Idempotency-Key was used with a different request");
    }
    if (existing.statusCode === null || existing.responseBody === null) {
      throw new AppError("request_in_progress", "a request with this Idempotency-Key is still being processed");
    }
    const stored =
      existing.responseIv === null
        ? { headers: { "content-type": "application/json" }, body: existing.responseBody }
        : await unseal(c.env.ENCRYPTION_KEY, existing.responseBody, existing.responseIv);
    return new Response(stored.body, {
      status: existing.statusCode,
      headers: { ...stored.headers, "idempotent-replayed": "true" },
    });
  }

  const rowId = claimed[0]!.id;
  try {
    await next();
  } catch (error) {
    await db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, rowId));
    throw error;
  }
  // Hono renders a handler's thrown error (onError) before control returns here, so c.res is
  // the final response. 4xx answers are replayed like successes; a 5xx is forgotten so the
  // client's retry runs again.
  if (c.res.status >= 500) {
    await db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, rowId));
    return;
  }
  const headers: Record<string, string> = {};
  c.res.headers.forEach((value, name) => {
    if (!UNREPLAYED_HEADERS.has(name)) headers[name] = value;
  });
  const sealed = await encryptJson(c.env.ENCRYPTION_KEY, { headers, body: await c.res.clone().text() } satisfies StoredResponse);
  await db
    .update(idempotencyKeys)
    .set({ statusCode: c.res.status, responseBody: sealed.ciphertext, responseIv: sealed.iv })
    .where(eq(idempotencyKeys.id, rowId));
});

/** Headers of the first response that a replay does not repeat (each response gets its own). */
const UNREPLAYED_HEADERS = new Set(["x-request-id", "content-length", "date", "set-cookie"]);

interface StoredResponse {
  headers: Record<string, string>;
  body: string;
}

async function unseal(secret: string | undefined, ciphertext: string, iv: string): Promise<StoredResponse> {
  try {
    return await decryptJson<StoredResponse>(secret, { ciphertext, iv });
  } catch {
    // Sealed under another ENCRYPTION_KEY (it was rotated): the first response is gone for good.
    throw new AppError("idempotency_key_reused", "the first response to this Idempotency-Key can no longer be replayed; send the request with a new key");
  }
}
