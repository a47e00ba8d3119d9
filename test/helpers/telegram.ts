// Talking to the fake Telegram Bot API (test/fakes/telegram-bot-api.mjs) from inside workerd.
import { env } from "cloudflare:workers";

let botCounter = 0;

/** A bot token no other test uses, so the fake's call log is this test's alone. */
export function newBotToken(): string {
  botCounter += 1;
  return `${700000000 + Math.floor(Math.random() * 1e6) * 100 + botCounter}:AAtestSecret${botCounter}`;
}

export interface FakeCall {
  method: string;
  params: Record<string, unknown>;
}

export async function telegramCalls(token: string, method?: string): Promise<FakeCall[]> {
  const calls = (await (await fetch(`${env.TELEGRAM_API_BASE_URL}/__fake/calls?token=${encodeURIComponent(token)}`)).json()) as FakeCall[];
  return method ? calls.filter((c) => c.method === method) : calls;
}

export async function failNext(token: string, method: string, status: number, description: string, retryAfter?: number) {
  await fetch(`${env.TELEGRAM_API_BASE_URL}/__fake/fail`, {
    method: "POST",
    body: JSON.stringify({ token, method, status, description, retryAfter }),
  });
}

export async function registerFile(token: string, fileId: string, filePath: string, content: Uint8Array) {
  let binary = "";
  for (const b of content) binary += String.fromCharCode(b);
  await fetch(`${env.TELEGRAM_API_BASE_URL}/__fake/files`, {
    method: "POST",
    body: JSON.stringify({ token, fileId, filePath, base64: btoa(binary) }),
  });
}
