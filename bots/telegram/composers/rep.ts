// What every rep feature shares: the linked rep as a rep-action context, and turning a refused
// action into an alert.
import { AppError } from "../../../src/lib/errors";
import type { RepContext } from "../../rep-actions";
import type { BotContext } from "../context";

/** The rep behind this update; features are only installed behind the rep gate. */
export function repContext(ctx: BotContext): RepContext {
  if (!ctx.parley.rep) throw new Error("rep feature reached without a linked rep");
  return { db: ctx.parley.db, env: ctx.parley.env, rep: ctx.parley.rep };
}

/** Run a button's action; a refusal (404 of another workspace, 409, 422) shows as an alert. */
export async function answerFailure(ctx: BotContext, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await ctx.answerCallbackQuery({ text: error.message.slice(0, 190), show_alert: true });
  }
}
