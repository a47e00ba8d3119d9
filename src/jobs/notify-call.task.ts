// notify_call: tell the reps, in the chat apps they linked, that a contact is calling.
import { notifyTelegramRepsOfCall } from "../../bots/telegram/notify-call";
import type { TaskHandler } from "./tasks";

export const notifyCall: TaskHandler<"notify_call"> = async ({ db, env }, task) => {
  await notifyTelegramRepsOfCall(db, env, task);
};
