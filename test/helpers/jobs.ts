// Files in and out of the API, and waiting for the queue consumer to finish a job.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Bindings, Caller } from "../../src/env";
import { jobHandlers } from "../../src/jobs/handlers";
import type { JobMessage } from "../../src/jobs/job-message";
import { consumeBatch, type JobHandlers } from "../../src/jobs/runner";
import { type Client, request } from "./api";

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * Wait until the real queue consumer has finished a job, then return it as the API shows it.
 * The row is polled in D1 directly, so waiting spends none of the token's rate limit.
 */
export async function waitForJob(api: Client, id: number, timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await env.DB.prepare("SELECT status_key FROM jobs WHERE id = ?").bind(id).first<{ status_key: string }>();
    if (row?.status_key === "succeeded" || row?.status_key === "failed") break;
    if (Date.now() > deadline) {
      const full = await env.DB.prepare("SELECT * FROM jobs WHERE id = ?").bind(id).first();
      throw new Error(`job ${id} still ${row?.status_key}: ${JSON.stringify(full)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const res = await api.get(`/v1/jobs/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** POST a file as multipart `file`, with options as query parameters. */
export async function uploadFile(
  api: Client,
  content: string | Uint8Array,
  opts: { fileName?: string; type?: string; query?: string; fields?: Record<string, string> } = {},
) {
  const form = new FormData();
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  form.append("file", new File([bytes], opts.fileName ?? "contacts.csv", { type: opts.type ?? "text/csv" }));
  for (const [key, value] of Object.entries(opts.fields ?? {})) form.append(key, value);
  return request("POST", `/v1/contacts/imports${opts.query ? `?${opts.query}` : ""}`, { token: api.token, rawBody: form });
}

/** GET a file as bytes (the JSON helpers would decode it as text). */
export async function downloadBytes(api: Client, path: string) {
  const response = await exports.default.fetch(
    new Request(`https://parley.test${path}`, { headers: { authorization: `Bearer ${api.token}` } }),
  );
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** A job's file as text (CSV). */
export async function downloadText(api: Client, jobId: number) {
  const { status, headers, bytes } = await downloadBytes(api, `/v1/jobs/${jobId}/file`);
  return { status, headers, text: new TextDecoder().decode(bytes) };
}

/** A stand-in for the JOBS queue binding that keeps what is sent, so a test delivers it itself. */
export class FakeQueue {
  readonly sent: JobMessage[] = [];
  /** The options of each send, in order (delays). */
  readonly options: (QueueSendOptions | undefined)[] = [];
  async send(body: JobMessage, options?: QueueSendOptions): Promise<void> {
    this.sent.push(structuredClone(body));
    this.options.push(options);
  }
  async sendBatch(messages: Iterable<MessageSendRequest<JobMessage>>): Promise<void> {
    for (const m of messages) {
      this.sent.push(structuredClone(m.body));
      this.options.push(m.delaySeconds === undefined ? undefined : { delaySeconds: m.delaySeconds });
    }
  }
}

/** The Worker's bindings with the job queue swapped for a FakeQueue. */
export function envWithFakeQueue() {
  const queue = new FakeQueue();
  return { queue, env: { ...env, JOBS: queue as unknown as Queue } as Bindings };
}

let messageCounter = 0;

/** Deliver messages to the consumer as one batch; answers what it acked and retried. */
export async function deliver(
  bindings: Bindings,
  bodies: JobMessage[],
  opts: { attempts?: number; queue?: string; handlers?: JobHandlers } = {},
) {
  const batch = createMessageBatch<JobMessage>(
    opts.queue ?? "parley-jobs",
    bodies.map((body) => ({ id: `m${++messageCounter}`, timestamp: new Date(), attempts: opts.attempts ?? 1, body })),
  );
  const ctx = createExecutionContext();
  // The retry delays each message asked for, as the consumer passed them.
  const retryDelays: (number | undefined)[] = [];
  const watched: MessageBatch<JobMessage> = {
    queue: batch.queue,
    metadata: batch.metadata,
    messages: batch.messages.map((m) => ({
      id: m.id,
      timestamp: m.timestamp,
      body: m.body,
      attempts: m.attempts,
      ack: () => m.ack(),
      retry: (options?: QueueRetryOptions) => {
        retryDelays.push(options?.delaySeconds);
        m.retry(options);
      },
    })),
    ackAll: () => batch.ackAll(),
    retryAll: (options?: QueueRetryOptions) => batch.retryAll(options),
  };
  await consumeBatch(watched, bindings, opts.handlers ?? jobHandlers);
  return { ...(await getQueueResult(batch, ctx)), retryDelays };
}

/**
 * Run a job to the end through a FakeQueue, one message at a time; with `redeliver`, every
 * message is delivered a second time after it was handled (at-least-once delivery).
 */
export async function drain(bindings: Bindings, queue: FakeQueue, opts: { redeliver?: boolean } = {}) {
  let delivered = 0;
  while (queue.sent.length > 0) {
    const body = queue.sent.shift()!;
    await deliver(bindings, [body]);
    if (opts.redeliver) await deliver(bindings, [body], { attempts: 2 });
    delivered += 1;
    if (delivered > 1000) throw new Error("the job keeps queueing messages");
  }
  return delivered;
}

/** The caller a service function needs, for a workspace made by newWorkspace(). */
export function callerOf(ws: { workspace: { id: number }; user: { id: number } }, defaultCountry = "US"): Caller {
  return { userId: ws.user.id, workspaceId: ws.workspace.id, role: "owner", tokenId: 0, defaultCountry, timeZone: "UTC" };
}
