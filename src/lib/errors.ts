// The closed error vocabulary of the API: every failure leaves as {error:{code,message,details}}.

export const errorStatus = {
  bad_request: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 409,
  request_in_progress: 409,
  recipient_opted_out: 409,
  outside_customer_window: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal_error: 500,
  upstream_error: 502,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `user.email` or `query.limit`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: (typeof errorStatus)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.status = errorStatus[code];
  }
}

export const notFound = (what: string): AppError => new AppError("not_found", `${what} not found`);

/** A 422 naming one field. */
export const invalidField = (path: string, message: string): AppError =>
  new AppError("validation_failed", `${path}: ${message}`, [{ path, message } satisfies ErrorDetail]);

export function errorBody(code: ErrorCode, message: string, details: unknown[] = [], requestId?: string) {
  return { error: { code, message, details, ...(requestId ? { requestId } : {}) } };
}
