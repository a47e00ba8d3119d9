// The job handler of each kind. Each kind's module adds its line here.
import { deliverMessage } from "./deliver-message.job";
import { exportContactsJob } from "./export-contacts.job";
import { importContactsJob } from "./import-contacts.job";
import type { JobHandlers } from "./runner";

export const jobHandlers: JobHandlers = {
  deliver_message: deliverMessage,
  import_contacts: importContactsJob,
  export_contacts: exportContactsJob,
};
