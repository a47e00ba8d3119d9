// The Worker: HTTP API, the job queue consumer (and its dead-letter queue), mail from Email
// Routing, and the cron.
import { createApp, createProviderApp, isProviderPath } from "./app";
import { receiveEmail } from "./channels/email/email.inbound";
import type { Bindings } from "./env";
import { jobHandlers, taskHandlers } from "./jobs/handlers";
import type { QueueMessage } from "./jobs/job-message";
import { runMaintenance } from "./jobs/maintenance";
import { consumeBatch } from "./jobs/runner";

const api = createApp();
const providers = createProviderApp();

export default {
  fetch: (request: Request, env: Bindings, ctx: ExecutionContext) => (isProviderPath(new URL(request.url).pathname) ? providers : api).fetch(request, env, ctx),
  queue: (batch, env) => consumeBatch(batch, env, jobHandlers, taskHandlers),
  email: (message, env) => receiveEmail(message, env),
  // Every minute (wrangler.toml [triggers]): the queue outbox's stragglers, then retention.
  scheduled: async (controller, env) => void (await runMaintenance(env, controller.scheduledTime)),
} satisfies ExportedHandler<Bindings, QueueMessage>;
