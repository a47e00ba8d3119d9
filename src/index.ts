// The Worker: HTTP API and the job queue consumer (and its dead-letter queue).
import { createApp } from "./app";
import type { Bindings } from "./env";
import { jobHandlers, taskHandlers } from "./jobs/handlers";
import type { QueueMessage } from "./jobs/job-message";
import { consumeBatch } from "./jobs/runner";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatch(batch, env, jobHandlers, taskHandlers),
} satisfies ExportedHandler<Bindings, QueueMessage>;
