// Driving the Worker's queue consumer by hand, seeing exactly what it did with a message.
import { env } from "cloudflare:workers";
import type { QueueMessage } from "../../src/jobs/job-message";
import worker from "../../src/index";

export interface ConsumerOutcome {
  acked: boolean;
  /** The delay the consumer asked for when it retried; null when it did not retry. */
  retriedAfter: number | null | undefined;
}

/**
 * Deliver one message to the consumer of `queue` as delivery number `attempts`. A hand-made batch
 * rather than cloudflare:test's createMessageBatch, whose getQueueResult does not report retry delays.
 */
export async function consume(body: QueueMessage, attempts = 1, queue = "parley-jobs"): Promise<ConsumerOutcome> {
  const outcome: ConsumerOutcome = { acked: false, retriedAfter: null };
  const message = {
    id: `msg-${crypto.randomUUID()}`,
    timestamp: new Date(),
    attempts,
    body,
    ack: () => void (outcome.acked = true),
    retry: (options?: QueueRetryOptions) => void (outcome.retriedAfter = options?.delaySeconds),
  };
  const batch = { queue, messages: [message], ackAll: () => undefined, retryAll: () => undefined };
  await worker.queue(batch as unknown as MessageBatch<QueueMessage>, env);
  return outcome;
}
