// Running the Worker's cron (its scheduled() handler) inside workerd, as Cloudflare would.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import worker from "../../src/index";

/** One run of the every-minute cron, as if it were `at` (a time in ms: tests look into the future). */
export async function cron(at: number, bindings: Bindings = env as Bindings) {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), bindings);
}
