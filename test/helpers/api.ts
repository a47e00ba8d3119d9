// Real HTTP requests to the Worker under test, and workspaces to make them as.
import { exports } from "cloudflare:workers";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body`. */
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export async function request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  // Each request from an address of its own unless the test names one: the per-address budgets
  // (bad tokens, operator route, webhooks) are under test only where a test says so.
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", randomAddress());
  let body: BodyInit | undefined = opts.rawBody;
  if (body === undefined && opts.body !== undefined && method !== "GET" && method !== "HEAD") {
    body = JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const response = await exports.default.fetch(new Request(`https://parley.test${path}`, { method, headers, body }));
  const text = await response.text();
  let parsed: unknown = text;
  if (response.headers.get("content-type")?.includes("json") && text) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export const ADMIN_TOKEN = "test-admin-token";

/** A documentation-range IPv6 address (RFC 3849), different each time. */
export const randomAddress = () => `2001:db8::${crypto.getRandomValues(new Uint16Array(3)).join(":").replace(/\d+/g, (n) => Number(n).toString(16))}`;

export type Client = ReturnType<typeof client>;

export function client(token: string) {
  const call =
    (method: string) =>
    <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>(method, path, { token, body, headers });
  return {
    token,
    get: call("GET"),
    post: call("POST"),
    put: call("PUT"),
    patch: call("PATCH"),
    delete: call("DELETE"),
  };
}

let counter = 0;

/** A fresh workspace with its owner; tests never share one, so none depends on another's rows. */
export async function newWorkspace(opts: { defaultCountry?: string; name?: string } = {}) {
  counter += 1;
  const res = await request("POST", "/v1/workspaces", {
    token: ADMIN_TOKEN,
    body: {
      name: opts.name ?? `Workspace ${counter}`,
      defaultCountry: opts.defaultCountry ?? "US",
      user: { name: `Owner ${counter}`, email: `owner${counter}-${crypto.randomUUID()}@example.com` },
    },
  });
  if (res.status !== 201) throw new Error(`workspace creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  const owner = client(res.body.token);
  return {
    workspace: res.body.workspace as { id: number; name: string },
    user: res.body.user as { id: number; email: string },
    owner,
    /** Add a member and return a client acting as them. */
    async member(name = "Rep") {
      const created = await owner.post("/v1/users", { name, email: `${crypto.randomUUID()}@example.com`, role: "member" });
      if (created.status !== 201) throw new Error(`user creation failed: ${JSON.stringify(created.body)}`);
      return { user: created.body.user as { id: number }, api: client(created.body.token) };
    },
  };
}
