// What a failed Bot API call means for queue work: Telegram's error codes mapped to a permanent
// failure (no retry) or a transient one (retry, after Telegram's own `retry_after` when it gives one).
import { GrammyError, HttpError } from "grammy";
import { PermanentJobError, TransientJobError } from "../../jobs/errors";

export function telegramJobError(error: unknown): Error {
  if (error instanceof PermanentJobError || error instanceof TransientJobError) return error;
  if (error instanceof GrammyError) {
    const what = `Telegram ${error.method}: ${error.error_code} ${error.description}`;
    const code = error.error_code;
    // Flood control: Telegram says how long to wait.
    if (code === 429) return new TransientJobError(what, "telegram_rate_limited", error.parameters.retry_after);
    // Bot blocked by the user, user deactivated, bot kicked: sending again cannot help.
    if (code === 403) return new PermanentJobError(what, "telegram_forbidden");
    if (code === 400 && /chat not found|user not found|PEER_ID_INVALID/i.test(error.description)) {
      return new PermanentJobError(what, "telegram_chat_not_found");
    }
    if (code === 401 || code === 404) return new PermanentJobError(what, "telegram_unauthorized");
    if (code >= 500) return new TransientJobError(what, "telegram_unavailable");
    return new PermanentJobError(what, "telegram_bad_request");
  }
  if (error instanceof HttpError) return new TransientJobError(error.message, "telegram_unreachable");
  return error instanceof Error ? error : new Error(String(error));
}
