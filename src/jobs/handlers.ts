// The job handler of each kind. Each kind's module adds its line here.
import { exportContactsJob } from "./export-contacts.job";
import { importContactsJob } from "./import-contacts.job";
import type { JobHandlers } from "./runner";

export const jobHandlers: JobHandlers = {
  import_contacts: importContactsJob,
  export_contacts: exportContactsJob,
};
