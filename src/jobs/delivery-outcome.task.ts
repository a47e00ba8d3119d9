// delivery_outcome: tell the author of an outbound message, in their linked chat apps, that it was
// sent — or that it could not be delivered, and why.
import { tellTelegramOutcome } from "../../bots/telegram/outcome";
import type { TaskHandler } from "./tasks";

export const deliveryOutcome: TaskHandler<"delivery_outcome"> = ({ db, env }, task) => tellTelegramOutcome(db, env, task);
