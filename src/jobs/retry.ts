// How often and how patiently queue work is retried: shared by jobs and tasks.

/** Attempts before a job is marked failed (the queue's max_retries is 5, so ≤ 6 deliveries). */
export const MAX_ATTEMPTS = 5;
const BACKOFF_SECONDS = [10, 30, 90, 270, 600];

export const backoffSeconds = (attempt: number): number =>
  BACKOFF_SECONDS[Math.min(Math.max(attempt, 1), BACKOFF_SECONDS.length) - 1]!;
