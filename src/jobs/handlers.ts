// The job handler of each kind. Each kind's module adds its line here.
import type { JobHandlers } from "./runner";

export const jobHandlers: JobHandlers = {};
