// Twilio's REST API (2010-04-01) at TWILIO_API_BASE_URL: form-encoded requests with HTTP Basic
// auth (Account SID : Auth Token), JSON answers, and errors as {code, message, more_info, status}.
import type { Bindings } from "../../env";
import type { TwilioCredentials } from "./twilio-credentials";

/** A refusal from Twilio, with its error code when it gave one (21211, 20429, …). */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
    /** Seconds Twilio asked to wait (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Twilio could not be reached at all (DNS, TLS, connection reset). */
export class TwilioUnreachableError extends Error {}

export const basicAuth = (credentials: TwilioCredentials) => `Basic ${btoa(`${credentials.accountSid}:${credentials.authToken}`)}`;

export const twilioBase = (env: Pick<Bindings, "TWILIO_API_BASE_URL">) => env.TWILIO_API_BASE_URL.replace(/\/+$/, "");

/** `/2010-04-01/Accounts/{sid}` + `path`. */
export const accountPath = (accountSid: string, path = "") => `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}${path}`;

/** Form fields; an array value repeats the field (MediaUrl, StatusCallbackEvent). */
export type TwilioForm = Record<string, string | readonly string[] | null | undefined>;

function encodeForm(form: TwilioForm): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (value === null || value === undefined) continue;
    for (const item of typeof value === "string" ? [value] : value) body.append(key, item);
  }
  return body;
}

export async function twilioRequest<T>(
  env: Pick<Bindings, "TWILIO_API_BASE_URL">,
  credentials: TwilioCredentials,
  method: "GET" | "POST",
  path: string,
  form?: TwilioForm,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${twilioBase(env)}${path}`, {
      method,
      headers: {
        authorization: basicAuth(credentials),
        accept: "application/json",
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? encodeForm(form).toString() : undefined,
    });
  } catch (error) {
    throw new TwilioUnreachableError(`Twilio could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const envelope = (json ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof envelope.code === "number" ? envelope.code : null;
    const message = typeof envelope.message === "string" ? envelope.message : text.slice(0, 200) || `HTTP ${response.status}`;
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new TwilioApiError(response.status, code, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  if (json === null) throw new TwilioApiError(response.status, null, "Twilio answered without JSON");
  return json as T;
}
