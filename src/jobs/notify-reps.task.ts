// notify_reps: tell the reps who have an inbound message unread, in the chat apps they linked.
// Each platform's notifier claims per (message, rep) before sending, so a redelivery is a no-op.
import { notifyTelegramReps } from "../../bots/telegram/notify";
import type { TaskHandler } from "./tasks";

export const notifyReps: TaskHandler<"notify_reps"> = async ({ db, env }, task) => {
  await notifyTelegramReps(db, env, task);
};
