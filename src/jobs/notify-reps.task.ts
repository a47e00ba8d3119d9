// notify_reps: tell the reps who have an inbound message unread, in the chat apps they linked.
// Each platform's notifier claims per (message, rep) before sending, so a redelivery is a no-op;
// every platform gets its turn before a failure of one retries the task.
import { notifyDiscordReps } from "../../bots/discord/notify";
import { notifyTelegramReps } from "../../bots/telegram/notify";
import type { TaskHandler } from "./tasks";

export const notifyReps: TaskHandler<"notify_reps"> = async ({ db, env }, task) => {
  const outcomes = await Promise.allSettled([notifyTelegramReps(db, env, task), notifyDiscordReps(db, env, task)]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
};
