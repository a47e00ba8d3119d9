// The WhatsApp Cloud API (Meta's Graph API) at WHATSAPP_API_BASE_URL, version WHATSAPP_API_VERSION:
// one request helper that sends the bearer token and turns Graph's error envelope
// ({error:{message,type,code,error_subcode,error_data,is_transient,fbtrace_id}}) into a typed error.
import type { Bindings } from "../../env";
import { AppError } from "../../lib/errors";

/** The Graph API version used when WHATSAPP_API_VERSION is not set (the newest, released 2026-11-04). */
export const DEFAULT_GRAPH_VERSION = "v27.0";

type GraphEnv = Pick<Bindings, "WHATSAPP_API_BASE_URL"> & { WHATSAPP_API_VERSION?: string };

/** The Graph API version every call names; a malformed setting is named, never guessed around. */
export function graphVersion(env: GraphEnv): string {
  const version = env.WHATSAPP_API_VERSION?.trim() || DEFAULT_GRAPH_VERSION;
  if (!/^v\d+\.\d+$/.test(version)) {
    throw new AppError("internal_error", `WHATSAPP_API_VERSION must look like ${DEFAULT_GRAPH_VERSION}; it is "${version}"`);
  }
  return version;
}

/** `<base>/<version>/<path>` */
export function graphUrl(env: GraphEnv, path: string): string {
  const base = env.WHATSAPP_API_BASE_URL?.trim().replace(/\/+$/, "");
  if (!base) throw new AppError("internal_error", "WHATSAPP_API_BASE_URL is not set (https://graph.facebook.com in production)");
  return `${base}/${graphVersion(env)}/${path.replace(/^\/+/, "")}`;
}

/** Graph's error object, as Meta documents it (only `message`, `type` and `code` are always there). */
export interface GraphError {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details?: string };
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

/** A Graph call that failed: no answer (network), or an HTTP error with Graph's error object when it sent one. */
export class WhatsAppApiError extends Error {
  constructor(
    readonly what: string,
    /** HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    readonly graph: GraphError | null,
    /** A wait the answer named (Retry-After), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    const reason = graph
      ? `${graph.code}${graph.error_subcode ? `/${graph.error_subcode}` : ""} ${graph.message}${graph.error_data?.details && !graph.message.includes(graph.error_data.details) ? ` (${graph.error_data.details})` : ""}`
      : status === 0
        ? "unreachable"
        : `HTTP ${status}`;
    super(`WhatsApp ${what}: ${reason}`);
  }
}

function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function graphErrorOf(body: unknown): GraphError | null {
  const error = (body as { error?: Partial<GraphError> } | null)?.error;
  if (!error || typeof error !== "object" || typeof error.code !== "number") return null;
  return { ...error, message: typeof error.message === "string" ? error.message : "", code: error.code };
}

export interface GraphRequest {
  method?: "GET" | "POST" | "DELETE";
  /** Path below the version: `<phone-number-id>/messages`. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
}

/** One Graph call with the bearer token; the answer's JSON, or a WhatsAppApiError. */
export async function graph<T>(env: GraphEnv, accessToken: string, what: string, request: GraphRequest): Promise<T> {
  const url = new URL(graphUrl(env, request.path));
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
  let body: BodyInit | undefined;
  if (request.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(request.json);
  } else if (request.form) {
    body = request.form;
  }
  let response: Response;
  try {
    response = await fetch(url, { method: request.method ?? (body ? "POST" : "GET"), headers, body });
  } catch (error) {
    throw new WhatsAppApiError(`${what} (${error instanceof Error ? error.message : String(error)})`, 0, null);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const graphError = graphErrorOf(parsed);
  if (!response.ok || graphError) {
    throw new WhatsAppApiError(what, response.ok ? 400 : response.status, graphError, retryAfterOf(response));
  }
  return parsed as T;
}
