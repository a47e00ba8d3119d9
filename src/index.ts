// The Worker: HTTP API, the job queue consumer (and its dead-letter queue), and mail from Email Routing.
import { createApp } from "./app";
import { receiveEmail } from "./channels/email/email.inbound";
import type { Bindings } from "./env";
import { jobHandlers, taskHandlers } from "./jobs/handlers";
import type { QueueMessage } from "./jobs/job-message";
import { consumeBatch } from "./jobs/runner";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatch(batch, env, jobHandlers, taskHandlers),
  email: (message, env) => receiveEmail(message, env),
} satisfies ExportedHandler<Bindings, QueueMessage>;
