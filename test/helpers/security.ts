// The checks every route must pass: no token → 401, another workspace's resource → 404.
import { expect } from "vitest";
import { type Client, request } from "./api";

export async function expectUnauthorized(method: string, path: string, body?: unknown) {
  const missing = await request(method, path, { body });
  expect(missing.status, `${method} ${path} without a token`).toBe(401);
  expect(missing.body.error.code).toBe("unauthorized");
  const wrong = await request(method, path, { body, token: "prl_not-a-real-token" });
  expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
}

/** `outsider` belongs to another workspace: the resource must not exist for them. */
export async function expectInvisibleTo(outsider: Client, method: string, path: string, body?: unknown) {
  const res = await request(method, path, { token: outsider.token, body });
  expect(res.status, `${method} ${path} from another workspace`).toBe(404);
  expect(res.body.error.code).toBe("not_found");
}

export function expectError(res: { status: number; body: any }, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe("string");
  if (field) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
}
