// `Idempotency-Key` on mutating POSTs: the same key and body within 24 h replays the first
// response and does nothing twice; the same key with another body is refused.
import { and, eq, lt } from "drizzle-orm";
import type { HonoRequest } from "hono";
import { createMiddleware } from "hono/factory";
import { idempotencyKeys } from "../db/schema";
import type { AppEnv } from "../env";
import { sha256Hex, toHex } from "../lib/crypto";
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
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await bodyDigest(c.req)}`);
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
    return new Response(existing.responseBody, {
      status: existing.statusCode,
      headers: { "content-type": "application/json", "idempotent-replayed": "true" },
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
  const responseBody = await c.res.clone().text();
  await db
    .update(idempotencyKeys)
    .set({ statusCode: c.res.status, responseBody })
    .where(eq(idempotencyKeys.id, rowId));
});
