// Tasks: queue work without a Job row (media downloads, rep notifications). Each handler re-reads
// what its message names and is idempotent; a message is acked on success, retried with the job
// runner's backoff (or the provider's requested wait) on error, and after the last attempt — or
// on a permanent error — logged and acked, so nothing loops forever.
import { createDb, type Db } from "../db/client";
import type { Bindings } from "../env";
import { PermanentJobError, TransientJobError } from "./errors";
import type { TaskMessage, TaskMessageOf, TaskName } from "./job-message";
import { enqueue } from "./outbox";
import { backoffSeconds, MAX_ATTEMPTS } from "./retry";

export interface TaskContext {
  db: Db;
  env: Bindings;
}

export type TaskHandler<T extends TaskName> = (ctx: TaskContext, message: TaskMessageOf<T>) => Promise<void>;

export type TaskHandlers = { [T in TaskName]?: TaskHandler<T> };

/** Put a task on the jobs queue (through the outbox: a refused send is the cron's to retry). */
export async function enqueueTask(env: Pick<Bindings, "JOBS" | "DB">, task: TaskMessage): Promise<void> {
  await enqueue(createDb(env.DB), env, task.workspaceId, [task]);
}

function logTask(level: "warn" | "error", message: Message<TaskMessage>, outcome: string, error?: unknown) {
  const log = level === "warn" ? console.warn : console.error;
  log(
    JSON.stringify({
      task: message.body.task,
      body: message.body,
      attempts: message.attempts,
      outcome,
      ...(error === undefined
        ? {}
        : {
            code: error instanceof TransientJobError || error instanceof PermanentJobError ? error.code : "internal_error",
            error: error instanceof Error ? error.message : String(error),
          }),
    }),
  );
}

export async function runTask(env: Bindings, handlers: TaskHandlers, message: Message<TaskMessage>): Promise<void> {
  const handler = handlers[message.body.task] as TaskHandler<TaskName> | undefined;
  if (!handler) {
    logTask("error", message, "no handler");
    message.ack();
    return;
  }
  try {
    await handler({ db: createDb(env.DB), env }, message.body);
    message.ack();
  } catch (error) {
    if (error instanceof PermanentJobError || message.attempts >= MAX_ATTEMPTS) {
      logTask("error", message, "given up", error);
      message.ack();
      return;
    }
    const delaySeconds =
      error instanceof TransientJobError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds : backoffSeconds(message.attempts);
    logTask("warn", message, `retry in ${delaySeconds}s`, error);
    message.retry({ delaySeconds });
  }
}
