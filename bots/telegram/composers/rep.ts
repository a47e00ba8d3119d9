// What every rep feature shares: the linked rep as a rep-action context, and logging what failed
// after an action had already committed (it must not fail the update).
import type { RepContext } from "../../rep-actions";
import type { BotContext } from "../context";

/** The rep behind this update; features are only installed behind the rep gate. */
export function repContext(ctx: BotContext): RepContext {
  if (!ctx.parley.rep) throw new Error("rep feature reached without a linked rep");
  return { db: ctx.parley.db, env: ctx.parley.env, rep: ctx.parley.rep, link: ctx.parley.link };
}

export function logFailure(step: string, error: unknown): void {
  console.error(JSON.stringify({ telegram: step, error: error instanceof Error ? error.message : String(error) }));
}
