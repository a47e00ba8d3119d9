// What a Twilio failure means for queue work, and the words for Twilio's error codes where a
// status callback carries only the number. Rate limits (HTTP 429, 20429), Twilio's own 5xx and
// an unreachable Twilio are retried with backoff; every other refusal (21211 invalid number,
// 21610 unsubscribed recipient, 21408 region not enabled, 21614 not a mobile number, …) fails the
// delivery at once with Twilio's code and words: sending again cannot change the answer.
import { PermanentJobError, TransientJobError } from "../../jobs/errors";
import { TwilioApiError, TwilioUnreachableError } from "./twilio-api";

/** Twilio's error codes Parley meets most, as twilio.com/docs/api/errors words them. */
const KNOWN: Record<string, string> = {
  "20003": "Authentication failed",
  "20429": "Too many requests",
  "21211": "Invalid 'To' phone number",
  "21408": "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
  "21610": "Attempt to send to unsubscribed recipient (they replied STOP)",
  "21614": "'To' number is not a valid mobile number",
  "21608": "The 'To' phone number is not verified (trial account)",
  "21612": "The 'To' phone number is not currently reachable via SMS",
  "21619": "A text message body or media urls must be specified",
  "21635": "'To' number cannot be a landline",
  "30003": "Unreachable destination handset",
  "30004": "Message blocked",
  "30005": "Unknown destination handset",
  "30006": "Landline or unreachable carrier",
  "30007": "Message filtered by the carrier",
  "30008": "Unknown error",
};

export function describeTwilioCode(code: string): string {
  return KNOWN[code] ?? `Twilio error ${code}`;
}

export function twilioJobError(error: unknown): Error {
  if (error instanceof PermanentJobError || error instanceof TransientJobError) return error;
  if (error instanceof TwilioUnreachableError) return new TransientJobError(error.message, "twilio_unreachable");
  if (error instanceof TwilioApiError) {
    const code = error.code === null ? `http_${error.status}` : String(error.code);
    const what = `Twilio ${error.code ?? error.status}: ${error.message}`;
    if (error.status === 429 || error.code === 20429) return new TransientJobError(what, code, error.retryAfterSeconds);
    if (error.status >= 500) return new TransientJobError(what, code);
    return new PermanentJobError(what, code);
  }
  return error instanceof Error ? error : new Error(String(error));
}
