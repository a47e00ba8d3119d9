// The handler of each job kind and of each task. Each kind's module adds its line here.
import { classifyConversationJob } from "./classify-conversation.job";
import { deliverMessage } from "./deliver-message.job";
import { deliveryOutcome } from "./delivery-outcome.task";
import { exportContactsJob } from "./export-contacts.job";
import { fetchMedia } from "./fetch-media.task";
import { importContactsJob } from "./import-contacts.job";
import { notifyCall } from "./notify-call.task";
import { notifyReps } from "./notify-reps.task";
import { refreshCards } from "./refresh-cards.task";
import type { JobHandlers } from "./runner";
import type { TaskHandlers } from "./tasks";

export const jobHandlers: JobHandlers = {
  deliver_message: deliverMessage,
  classify_conversation: classifyConversationJob,
  import_contacts: importContactsJob,
  export_contacts: exportContactsJob,
};

export const taskHandlers: TaskHandlers = {
  "channel.fetch_media": fetchMedia,
  notify_reps: notifyReps,
  notify_call: notifyCall,
  refresh_cards: refreshCards,
  delivery_outcome: deliveryOutcome,
};
