// Discord's REST API from the Worker: plain fetch on DISCORD_API_BASE_URL (…/api/v10), the bot's
// `Authorization: Bot <token>` (none for interaction webhooks, which the interaction token
// authorises), and Discord's error envelope `{code, message}` / 429 `{retry_after, global}` turned
// into a DiscordApiError that callers map to a refusal, a retry or a permanent failure.
import type { Bindings } from "../../env";

/** Discord asks every bot for a User-Agent of this form. */
const USER_AGENT = "DiscordBot (https://github.com/parley-crm/parley, 0.1)";

export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    /** Discord's JSON error code (50007 cannot DM the user, 10062 unknown interaction…); 0 when none. */
    readonly code: number,
    message: string,
    /** Seconds to wait, on a 429. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

/** The network failed or Discord answered something that is not its API (a proxy's HTML page). */
export class DiscordUnreachable extends Error {}

export interface DiscordFile {
  name: string;
  contentType: string;
  data: Uint8Array;
}

export interface DiscordRest {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** multipart/form-data: `payload_json` plus `files[n]` (Create Message with attachments). */
  upload<T>(path: string, payload: unknown, files: DiscordFile[]): Promise<T>;
}

async function errorOf(response: Response, route: string): Promise<DiscordApiError> {
  let body: { code?: unknown; message?: unknown; retry_after?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON: the status says it all.
  }
  const header = Number(response.headers.get("retry-after"));
  const retryAfter = typeof body.retry_after === "number" ? body.retry_after : Number.isFinite(header) && header > 0 ? header : null;
  const code = typeof body.code === "number" ? body.code : 0;
  const message = typeof body.message === "string" ? body.message : `HTTP ${response.status}`;
  return new DiscordApiError(response.status, code, `Discord ${route}: ${response.status} ${code ? `${code} ` : ""}${message}`, response.status === 429 ? retryAfter : null);
}

export function discordRest(env: Pick<Bindings, "DISCORD_API_BASE_URL">, botToken: string | null): DiscordRest {
  const base = env.DISCORD_API_BASE_URL.replace(/\/+$/, "");
  const headers = (extra: Record<string, string>) => ({
    "user-agent": USER_AGENT,
    ...(botToken ? { authorization: `Bot ${botToken}` } : {}),
    ...extra,
  });

  async function send<T>(method: string, path: string, init: RequestInit): Promise<T> {
    const route = `${method} ${path.replace(/\/webhooks\/(\d+)\/[^/]+/, "/webhooks/$1/<token>")}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { method, ...init });
    } catch (error) {
      throw new DiscordUnreachable(`Discord ${route}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) throw await errorOf(response, route);
    if (response.status === 204) return null as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new DiscordUnreachable(`Discord ${route}: the answer is not JSON`);
    }
  }

  return {
    request<T>(method: string, path: string, body?: unknown) {
      return send<T>(method, path, {
        headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    upload<T>(path: string, payload: unknown, files: DiscordFile[]) {
      const form = new FormData();
      form.append("payload_json", JSON.stringify(payload));
      files.forEach((file, i) => form.append(`files[${i}]`, new Blob([file.data], { type: file.contentType }), file.name));
      return send<T>("POST", path, { headers: headers({}), body: form });
    },
  };
}

/** A bot's user (GET /users/@me). */
export interface DiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

/** The bot's application (GET /applications/@me). */
export interface DiscordApplication {
  id: string;
  name: string;
  /** The hex Ed25519 public key interactions are signed with. */
  verify_key: string;
}

export interface DiscordMessage {
  id: string;
  channel_id: string;
}
