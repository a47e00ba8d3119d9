// The handler of each job kind and of each task. Each kind's module adds its line here.
import { deliverMessage } from "./deliver-message.job";
import { deliveryOutcome } from "./delivery-outcome.task";
import { exportContactsJob } from "./export-contacts.job";
import { importContactsJob } from "./import-contacts.job";
import { notifyReps } from "./notify-reps.task";
import { refreshCards } from "./refresh-cards.task";
import type { JobHandlers } from "./runner";
import type { TaskHandlers } from "./tasks";
import { telegramFetchMedia } from "./telegram-fetch-media.task";

export const jobHandlers: JobHandlers = {
  deliver_message: deliverMessage,
  import_contacts: importContactsJob,
  export_contacts: exportContactsJob,
};

export const taskHandlers: TaskHandlers = {
  "telegram.fetch_media": telegramFetchMedia,
  notify_reps: notifyReps,
  refresh_cards: refreshCards,
  delivery_outcome: deliveryOutcome,
};
