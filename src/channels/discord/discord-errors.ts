// What a failed Discord call means for queue work: Discord's JSON error codes and statuses mapped
// to a permanent failure (no retry) or a transient one (retry, after Discord's `retry_after`).
import { PermanentJobError, TransientJobError } from "../../jobs/errors";
import { DiscordApiError, DiscordUnreachable } from "./discord-api";

/** Discord's JSON codes for a person the bot cannot write to. */
export const CANNOT_MESSAGE_USER = 50007;
const NO_MUTUAL_GUILDS = 50278;
const UNKNOWN_USER = 10013;
const UNKNOWN_CHANNEL = 10003;

export function discordJobError(error: unknown): Error {
  if (error instanceof PermanentJobError || error instanceof TransientJobError) return error;
  if (error instanceof DiscordUnreachable) return new TransientJobError(error.message, "discord_unreachable");
  if (!(error instanceof DiscordApiError)) return error instanceof Error ? error : new Error(String(error));
  if (error.status === 429) return new TransientJobError(error.message, "discord_rate_limited", Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1)));
  if (error.status >= 500) return new TransientJobError(error.message, "discord_unavailable");
  // The user blocks DMs from the server's members or shares no server with the bot: a retry cannot help.
  if (error.code === CANNOT_MESSAGE_USER || error.code === NO_MUTUAL_GUILDS) return new PermanentJobError(error.message, "discord_cannot_message_user");
  if (error.code === UNKNOWN_USER || error.code === UNKNOWN_CHANNEL) return new PermanentJobError(error.message, "discord_unknown_recipient");
  if (error.status === 401 || error.status === 403) return new PermanentJobError(error.message, "discord_unauthorized");
  return new PermanentJobError(error.message, "discord_bad_request");
}
