// The fake Bot API is reachable from inside workerd and speaks Telegram's envelope.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("fake Telegram Bot API", () => {
  it("answers getMe and records the call", async () => {
    const token = `${Date.now() % 1e9}:secret`;
    const res = await fetch(`${env.TELEGRAM_API_BASE_URL}/bot${token}/getMe`, { method: "POST" });
    const body = (await res.json()) as { ok: boolean; result: { is_bot: boolean } };
    expect(body.ok).toBe(true);
    expect(body.result.is_bot).toBe(true);
    const calls = (await (await fetch(`${env.TELEGRAM_API_BASE_URL}/__fake/calls?token=${token}`)).json()) as { method: string }[];
    expect(calls.map((c) => c.method)).toEqual(["getMe"]);
  });
});
