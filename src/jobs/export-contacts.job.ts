// export_contacts: the whole file in one message, streamed into R2.
import { runExport } from "../modules/contact-io/export.service";
import type { JobHandler } from "./runner";

export const exportContactsJob: JobHandler<"export_contacts"> = (ctx, job, message) => runExport(ctx, job, message);
