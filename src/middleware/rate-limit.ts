// Request budgets through the Workers Rate Limiting bindings. A signed-in request spends its
// user's budget (RATE_LIMITER: every token of a user shares it, so minting tokens adds nothing).
// Where no user is known yet the client's address pays (IP_RATE_LIMITER): bad tokens, the
// operator route; and each provider webhook URL has a budget per sending address.
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
 * Provider webhooks: a budget per webhook URL (one connection) and sending address, so a flood
 * aimed at one connection spends neither another connection's budget nor the API's.
 */
export const webhookRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  await spend(c, c.env.RATE_LIMITER, `webhook:${c.req.path}:${clientAddress(c)}`);
  await next();
});

/**
 * Bad tokens: each token that resolves to no user costs its address one unit of IP_RATE_LIMITER.
 * Once an address has spent its budget it is refused before its tokens are even looked up, for
 * the rest of the period (remembered per isolate; another isolate learns it on the address's next
 * bad token). Good tokens never spend this budget.
 */
const refusedAddresses = new Map<string, number>();
const MAX_REFUSED = 10_000;

export function refuseKnownBadAddress(c: Context<AppEnv>, now = Date.now()): void {
  const address = clientAddress(c);
  const until = refusedAddresses.get(address);
  if (until === undefined) return;
  if (until > now) throw limited(c);
  refusedAddresses.delete(address);
}

export async function spendBadToken(c: Context<AppEnv>, now = Date.now()): Promise<void> {
  const address = clientAddress(c);
  const { success } = await c.env.IP_RATE_LIMITER.limit({ key: `bad-token:${address}` });
  if (success) return;
  if (refusedAddresses.size >= MAX_REFUSED) refusedAddresses.delete(refusedAddresses.keys().next().value!);
  refusedAddresses.set(address, now + RETRY_AFTER_SECONDS * 1000);
  throw limited(c);
}
