// What a failed Graph call means for queue work. Retried (with backoff, or after the wait the
// answer names): throughput limits (130429), the per-recipient pair limit (131056), Meta's own
// failures (HTTP 5xx, codes 1, 2, 131000, or `is_transient`) and the API not answering. Failed at
// once, the reason kept: everything else — the closed 24-hour window (131047), undeliverable
// (131026), invalid parameter (100), a bad token (190), a blocked account (368), other 4xx.
// The delivery's errorCode is Meta's code as text, the same whether the error came back from the
// send or later in a `failed` status callback.
import { PermanentJobError, TransientJobError } from "../../jobs/errors";
import { AppError } from "../../lib/errors";
import { WhatsAppApiError } from "./whatsapp-api";

/** Codes Meta documents as worth another try. */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131056, 133004]);

export function whatsappJobError(error: unknown): Error {
  if (error instanceof PermanentJobError || error instanceof TransientJobError) return error;
  if (error instanceof AppError) return new PermanentJobError(error.message, "whatsapp_misconfigured");
  if (!(error instanceof WhatsAppApiError)) return error instanceof Error ? error : new Error(String(error));
  if (error.status === 0) return new TransientJobError(error.message, "whatsapp_unreachable");
  const code = error.graph?.code;
  const errorCode = code === undefined ? `http_${error.status}` : String(code);
  const transient =
    error.status >= 500 || error.status === 429 || (code !== undefined && TRANSIENT_CODES.has(code)) || error.graph?.is_transient === true;
  return transient ? new TransientJobError(error.message, errorCode, error.retryAfterSeconds) : new PermanentJobError(error.message, errorCode);
}
