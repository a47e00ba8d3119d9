// import_contacts: one message per chunk of rows (chunk 0 prepares the file).
import { runImportChunk } from "../modules/contact-io/import.service";
import type { JobHandler } from "./runner";

export const importContactsJob: JobHandler<"import_contacts"> = (ctx, job, message) => runImportChunk(ctx, job, message);
