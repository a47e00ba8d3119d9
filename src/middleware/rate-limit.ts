// Per-token request budget through the Workers Rate Limiting binding.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";

/** The binding's period (wrangler.toml `simple.period`): the longest a client must wait. */
const RETRY_AFTER_SECONDS = 60;

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const { success } = await c.env.RATE_LIMITER.limit({ key: `token:${c.var.caller.tokenId}` });
  if (!success) {
    c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    throw new AppError("rate_limited", `too many requests; retry after ${RETRY_AFTER_SECONDS} s`);
  }
  await next();
});
