// Request budgets through the Workers Rate Limiting bindings. A signed-in request spends its
// user's budget (RATE_LIMITER: every token of a user shares it, so minting tokens adds nothing).
// Where no user is known yet the client's address pays (IP_RATE_LIMITER): bad tokens, the
// operator route; and webhook requests that fail (a bad signature, an unknown connection) — a
// provider's genuine traffic, however busy, never spends anything.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";

/** The bindings' period (wrangler.toml `simple.period`): the longest a client must wait. */
const RETRY_AFTER_SECONDS = 60;

/** Cloudflare's own header: the client's address, which a client cannot set through the edge. */
export const clientAddress = (c: Context<AppEnv>): string => c.req.header("cf-connecting-ip") ?? "unknown";

function limited(c: Context<AppEnv>): AppError {
  c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return new AppError("rate_limited", `too many requests; retry after ${RETRY_AFTER_SECONDS} s`);
}

async function spend(c: Context<AppEnv>, limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw limited(c);
}

/** After authentication: the caller's user pays. */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  await spend(c, c.env.RATE_LIMITER, `user:${c.var.caller.userId}`);
  await next();
});

/** Before anything else runs on a route reached without a user: the address pays. */
export const addressRateLimit = (scope: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await spend(c, c.env.IP_RATE_LIMITER, `${scope}:${clientAddress(c)}`);
    await next();
  });

/**
 * Provider webhooks: each request that fails — a signature that does not verify, a connection
 * that does not exist — costs its address one unit of IP_RATE_LIMITER; an address that spent its
 * budget is refused before any lookup or signature check for the rest of the period. Signed
 * traffic spends nothing: a busy WhatsApp number is never throttled (a 429 would only make Meta
 * retry later), while a flood of forged requests stops costing HMACs and lookups.
 */
export const webhookRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  refuseKnownBadAddress(c, Date.now(), "webhook");
  await next();
  if (c.res.status === 401 || c.res.status === 404) await spendBadRequest(c, "webhook");
});

/**
 * Bad tokens: each token that resolves to no user costs its address one unit of IP_RATE_LIMITER.
 * Once an address has spent its budget it is refused before its tokens are even looked up, for
 * the rest of the period (remembered per isolate; another isolate learns it on the address's next
 * bad token). Good tokens never spend this budget.
 */
const refusedAddresses = new Map<string, number>();
const MAX_REFUSED = 10_000;

type BadScope = "bad-token" | "webhook";

export function refuseKnownBadAddress(c: Context<AppEnv>, now = Date.now(), scope: BadScope = "bad-token"): void {
  const key = `${scope}:${clientAddress(c)}`;
  const until = refusedAddresses.get(key);
  if (until === undefined) return;
  if (until > now) throw limited(c);
  refusedAddresses.delete(key);
}

/** One failed request of an address: true while its budget lasts; once spent, it is refused for the period. */
async function spendBadRequest(c: Context<AppEnv>, scope: BadScope, now = Date.now()): Promise<boolean> {
  const key = `${scope}:${clientAddress(c)}`;
  const { success } = await c.env.IP_RATE_LIMITER.limit({ key });
  if (success) return true;
  if (refusedAddresses.size >= MAX_REFUSED) refusedAddresses.delete(refusedAddresses.keys().next().value!);
  refusedAddresses.set(key, now + RETRY_AFTER_SECONDS * 1000);
  return false;
}

export async function spendBadToken(c: Context<AppEnv>, now = Date.now()): Promise<void> {
  if (!(await spendBadRequest(c, "bad-token", now))) throw limited(c);
}
