// classify_conversation: ask the Qualifier about a conversation and record its answer on the
// conversation and its contact (see classification.service.ts).
import { runClassification } from "../modules/qualification/classification.service";
import type { JobHandler } from "./runner";

export const classifyConversationJob: JobHandler<"classify_conversation"> = (ctx, job) => runClassification(ctx, job);
