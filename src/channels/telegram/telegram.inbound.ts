// Telegram updates through the webhook pipeline: the secret-token check, and what of an update is
// a contact writing in (a private-chat message from someone who is not a linked rep of this bot's
// workspace) — stored through the services like every channel's messages. Everything else (reps'
// commands and buttons, a contact's /start) is the bot's: `respond` hands the update to grammY.
import type { Message, Update } from "grammy/types";
import { createBot } from "../../../bots/telegram/create-bot";
import { timingSafeEqual } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { linkedRep } from "../../modules/chat-links/chat-links.service";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { InboundEdit, InboundMessage, ProviderContext, WebhookHandlers, WebhookRequest } from "../channel-adapter";
import type { TelegramCredentials } from "./telegram-credentials";
import { mediaOf } from "./telegram-media";

/** What a Telegram inbound message keeps in `messages.payload_json` (besides its media refs). */
export interface TelegramPayload {
  telegram: {
    chatId: number;
    messageId: number;
    contact?: { phoneNumber: string; firstName: string; lastName: string | null; userId: number | null };
    /** For message types Parley stores without their content (sticker, location, …). */
    type?: string;
  };
}

/** Message types stored with a placeholder body: no text and no file Parley fetches. */
const DESCRIBED = ["sticker", "location", "venue", "video_note", "poll", "dice"] as const;

/** The update, parsed once per request (the pipeline asks the adapter several questions about it). */
const parsed = new WeakMap<Uint8Array, Update>();

export function updateOf(request: WebhookRequest): Update {
  let update = parsed.get(request.rawBody);
  if (!update) {
    try {
      update = JSON.parse(new TextDecoder().decode(request.rawBody)) as Update;
    } catch {
      throw new AppError("bad_request", "the update is not JSON");
    }
    if (typeof update?.update_id !== "number") throw new AppError("bad_request", "the update has no update_id");
    parsed.set(request.rawBody, update);
  }
  return update;
}

/** A contact opening the chat or asking for help is greeted by the bot, not filed as a message. */
const isGreeting = (msg: Message) => /^\/(start|help)(@\w+)?(\s|$)/.test(msg.text ?? "") && msg.entities?.[0]?.type === "bot_command";

/** The message as the inbox stores it: text verbatim, files by reference, a shared contact's number. */
function contentOf(msg: Message): Pick<InboundMessage, "body" | "kind" | "payload" | "media"> | null {
  const base: TelegramPayload["telegram"] = { chatId: msg.chat.id, messageId: msg.message_id };
  if (msg.text !== undefined) return { body: msg.text, kind: "text", payload: { telegram: base } };
  const media = mediaOf(msg);
  if (media.length > 0) return { body: msg.caption ?? "", kind: "media", payload: { telegram: base }, media };
  if (msg.contact) {
    const c = msg.contact;
    const name = [c.first_name, c.last_name].filter(Boolean).join(" ");
    const contact = { phoneNumber: c.phone_number, firstName: c.first_name, lastName: c.last_name ?? null, userId: c.user_id ?? null };
    return { body: `${name}: ${c.phone_number}`, kind: "text", payload: { telegram: { ...base, contact } } };
  }
  const type = DESCRIBED.find((key) => msg[key] !== undefined);
  if (type) return { body: `[${type.replace("_", " ")}]`, kind: "text", payload: { telegram: { ...base, type } } };
  return null; // service messages (pinned, joined, …) are not something the contact said
}

/** Telegram numbers messages per chat: the chat and the number name a message of this bot. */
export const telegramExternalId = (msg: Pick<Message, "chat" | "message_id">) => `${msg.chat.id}:${msg.message_id}`;

/**
 * A private-chat message (or its edit) of someone who is not a rep linked through this bot — the
 * same test the bot makes before it treats an update as a rep's.
 */
export async function contactMessageOf({ db, connection }: ProviderContext, msg: Message | undefined): Promise<Message | null> {
  if (!msg || msg.chat.type !== "private" || !msg.from || msg.from.is_bot) return null;
  const rep = await linkedRep(db, { platform: "telegram", connectionId: connection.id, workspaceId: connection.workspaceId }, String(msg.from.id));
  return rep ? null : msg;
}

export async function ingestTelegramMessages(ctx: ProviderContext, request: WebhookRequest): Promise<InboundMessage[]> {
  const msg = await contactMessageOf(ctx, updateOf(request).message);
  if (!msg?.from || isGreeting(msg)) return [];
  const content = contentOf(msg);
  if (!content) return [];
  return [
    {
      channel: "telegram",
      externalId: telegramExternalId(msg),
      from: {
        externalId: String(msg.from.id),
        name: [msg.from.first_name, msg.from.last_name].filter(Boolean).join(" "),
        handle: msg.from.username ?? null,
      },
      ...content,
      sentAt: msg.date * 1000,
    },
  ];
}

/** A contact editing a message they sent: the text that changed (a swapped file or a moved location changes nothing stored). */
export async function telegramEdits(ctx: ProviderContext, request: WebhookRequest): Promise<InboundEdit[]> {
  const msg = await contactMessageOf(ctx, updateOf(request).edited_message);
  const body = msg?.text ?? msg?.caption;
  if (!msg || body === undefined) return [];
  return [{ channel: "telegram", externalId: telegramExternalId(msg), body, editedAt: (msg.edit_date ?? msg.date) * 1000 }];
}

export const telegramWebhook: WebhookHandlers = {
  async verify({ env, connection }, request) {
    const { webhookSecret } = await credentialsOf<TelegramCredentials>(env, connection);
    const presented = request.headers.get("x-telegram-bot-api-secret-token") ?? "";
    return timingSafeEqual(presented, webhookSecret) ? { ok: true } : { ok: false, reason: "wrong or missing X-Telegram-Bot-Api-Secret-Token" };
  },
  /** The rest of the update is the bot's: reps' commands and buttons, a contact's greeting. */
  async respond({ env, db, connection }, request) {
    const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
    await createBot(env, db, connection, botToken).handleUpdate(updateOf(request));
    return Response.json({ ok: true });
  },
};
