// How a job handler says what went wrong: a transient failure is retried with backoff, a
// permanent one fails the job at once. Any other thrown error counts as transient.

export class TransientJobError extends Error {
  constructor(
    message: string,
    readonly code = "transient_error",
    /** Provider-requested wait (e.g. Telegram's retry_after); overrides the backoff. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export class PermanentJobError extends Error {
  constructor(
    message: string,
    readonly code = "permanent_error",
  ) {
    super(message);
  }
}
