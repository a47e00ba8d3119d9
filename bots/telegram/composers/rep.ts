// What every rep feature shares: the linked rep, and turning a refused action into an alert.
import { AppError } from "../../../src/lib/errors";
import type { Caller } from "../../../src/env";
import type { BotContext } from "../context";

/** The rep behind this update; features are only installed behind the rep gate. */
export function repOf(ctx: BotContext): Caller {
  if (!ctx.parley.rep) throw new Error("rep feature reached without a linked rep");
  return ctx.parley.rep;
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
