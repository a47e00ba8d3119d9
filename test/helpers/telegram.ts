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

let updateCounter = 1000;

export interface TelegramUserFixture {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A Telegram `message` update as the Bot API delivers it. */
export function messageUpdate(from: TelegramUserFixture, text: string, extra: Record<string, unknown> = {}) {
  updateCounter += 1;
  const command = text.match(/^\/[a-z_]+/);
  return {
    update_id: updateCounter,
    message: {
      message_id: updateCounter,
      from: { is_bot: false, language_code: "en", ...from },
      chat: { id: from.id, type: "private", first_name: from.first_name, username: from.username },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(command ? { entities: [{ offset: 0, length: command[0].length, type: "bot_command" }] } : {}),
      ...extra,
    },
  };
}

export async function postUpdate(connection: { id: number }, secret: string | null, update: unknown) {
  const { request } = await import("./api");
  return request("POST", `/webhooks/telegram/${connection.id}`, {
    body: update,
    headers: secret === null ? {} : { "x-telegram-bot-api-secret-token": secret },
  });
}

/** Connect a fresh bot to the workspace; returns the connection and the webhook secret it set. */
export async function connectBot(owner: { post: (path: string, body?: unknown) => Promise<{ status: number; body: any }> }) {
  const botToken = newBotToken();
  const res = await owner.post("/v1/channels", { channelKey: "telegram", botToken });
  if (res.status !== 201) throw new Error(`connect failed: ${JSON.stringify(res.body)}`);
  const [setWebhook] = await telegramCalls(botToken, "setWebhook");
  return { connection: res.body as { id: number }, botToken, secret: String(setWebhook!.params.secret_token) };
}

/** A `callback_query` update: a button press on a message the bot sent. */
export function callbackUpdate(from: TelegramUserFixture, data: string, messageId = 1) {
  updateCounter += 1;
  return {
    update_id: updateCounter,
    callback_query: {
      id: `cb${updateCounter}`,
      from: { is_bot: false, ...from },
      chat_instance: "ci1",
      data,
      message: {
        message_id: messageId,
        from: { id: 1, is_bot: true, first_name: "Bot" },
        chat: { id: from.id, type: "private", first_name: from.first_name },
        date: Math.floor(Date.now() / 1000),
        text: "…",
      },
    },
  };
}

/** A workspace with a connected bot and a rep linked to a Telegram account. */
export async function linkedRep(ws: { owner: any; member: (name?: string) => Promise<{ user: { id: number }; api: any }> }, telegramUser: TelegramUserFixture) {
  const bot = await connectBot(ws.owner);
  const rep = await ws.member(telegramUser.first_name);
  const { code } = (await rep.api.post("/v1/me/telegram-link")).body;
  const res = await postUpdate(bot.connection, bot.secret, messageUpdate(telegramUser, `/start ${code}`));
  if (res.status !== 200) throw new Error(`linking failed: ${res.status}`);
  return { bot, rep, send: (update: unknown) => postUpdate(bot.connection, bot.secret, update) };
}

/** Poll until `check` passes: queue work (notifications, media, deliveries) runs on its own schedule. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A `message` update without text: a photo, a document, a shared contact… */
export function contentUpdate(from: TelegramUserFixture, content: Record<string, unknown>) {
  const update = messageUpdate(from, "");
  const { text: _text, ...message } = update.message;
  return { ...update, message: { ...message, ...content } };
}

/** The `reply_to_message` of a message answering the bot's message `messageId`. */
export const replyingTo = (messageId: number, chatId: number) => ({
  reply_to_message: {
    message_id: messageId,
    from: { id: 1, is_bot: true, first_name: "Bot" },
    chat: { id: chatId, type: "private" },
    date: Math.floor(Date.now() / 1000),
    text: "…",
  },
});

export interface SentMessage {
  chat_id: number;
  text: string;
  reply_to_message?: { message_id: number };
  copy_of?: { chat_id: number; message_id: number };
  reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][]; force_reply?: boolean };
}

/** What the bot sent to one chat with sendMessage, oldest first. */
export async function sentTo(botToken: string, chatId: number): Promise<SentMessage[]> {
  return (await telegramCalls(botToken, "sendMessage")).map((c) => c.params as unknown as SentMessage).filter((p) => Number(p.chat_id) === chatId);
}

/** The inline buttons' callback data of a sent message, row by row. */
export const buttonRows = (message: SentMessage) => (message.reply_markup?.inline_keyboard ?? []).map((row) => row.map((b) => b.callback_data));

/** A message the bot sent, as it stands now (after its edits): what the rep sees in the chat. */
export async function messageNow(botToken: string, chatId: number, messageId: number): Promise<SentMessage & { message_id: number } | null> {
  const res = await fetch(`${env.TELEGRAM_API_BASE_URL}/__fake/message?token=${encodeURIComponent(botToken)}&chat=${chatId}&id=${messageId}`);
  return (await res.json()) as (SentMessage & { message_id: number }) | null;
}

/** The answers to button presses, oldest first. */
export async function pressAnswers(botToken: string): Promise<{ callback_query_id: string; text?: string; show_alert?: boolean }[]> {
  return (await telegramCalls(botToken, "answerCallbackQuery")).map((c) => c.params as { callback_query_id: string; text?: string; show_alert?: boolean });
}

/**
 * The id of the last message the bot sent to a chat — whose text, as first sent or edited since,
 * starts with `prefix` when one is given (notifications arrive on their own schedule).
 */
export async function sentIdTo(botToken: string, chatId: number, prefix?: string): Promise<number> {
  const res = await fetch(`${env.TELEGRAM_API_BASE_URL}/__fake/sent?token=${encodeURIComponent(botToken)}&chat=${chatId}`);
  const sent = (await res.json()) as { message_id: number; text?: string }[];
  const matching = prefix === undefined ? sent : sent.filter((m) => (m.text ?? "").startsWith(prefix));
  if (matching.length === 0) throw new Error(`nothing sent to ${chatId}${prefix ? ` starting with ${prefix}` : ""}`);
  return matching[matching.length - 1]!.message_id;
}
