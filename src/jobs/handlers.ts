// The handler of each job kind and of each task. Each kind's module adds its line here.
import { classifyConversationJob } from "./classify-conversation.job";
import { deliverMessage } from "./deliver-message.job";
import { exportContactsJob } from "./export-contacts.job";
import { importContactsJob } from "./import-contacts.job";
import { notifyReps } from "./notify-reps.task";
import type { JobHandlers } from "./runner";
import type { TaskHandlers } from "./tasks";
import { telegramFetchMedia } from "./telegram-fetch-media.task";

export const jobHandlers: JobHandlers = {
  deliver_message: deliverMessage,
  classify_conversation: classifyConversationJob,
  import_contacts: importContactsJob,
  export_contacts: exportContactsJob,
};

export const taskHandlers: TaskHandlers = {
  "telegram.fetch_media": telegramFetchMedia,
  notify_reps: notifyReps,
};
