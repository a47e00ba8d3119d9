// Contacts writing in: updates from Telegram users who are not linked reps of this workspace.
// Their private-chat messages land in the inbox through the same `ingestInbound` as every channel;
// files are fetched later by a queue task; nothing of the workspace is ever shown to them.
import { Composer } from "grammy";
import type { Message } from "grammy/types";
import { eq } from "drizzle-orm";
import { mediaOf, type TelegramPayload } from "../../../src/channels/telegram/telegram-media";
import type { Db } from "../../../src/db/client";
import { workspaces } from "../../../src/db/schema";
import { enqueueTask } from "../../../src/jobs/tasks";
import { AppError } from "../../../src/lib/errors";
import { getLiveContact, updateContact } from "../../../src/modules/contacts/contacts.service";
import { ingestInbound } from "../../../src/modules/messages/ingest.service";
import type { BotContext } from "../context";

export const inboundComposer = new Composer<BotContext>();

// A button pressed by someone who is not a rep here (a contact, another workspace's rep): refused.
inboundComposer.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery({ text: "This button is only for the team's linked accounts.", show_alert: true });
});

const contactChats = inboundComposer.chatType("private");

// A contact opening the chat (or asking for help) is greeted, not filed as a message.
contactChats.command(["start", "help"], async (ctx) => {
  await ctx.reply(`Hi ${ctx.from.first_name}! 👋 Write your message here and someone from the team will answer you in this chat.`);
});

/** Message types stored with a placeholder body: no text and no file Parley fetches. */
const DESCRIBED = ["sticker", "location", "venue", "video_note", "poll", "dice"] as const;

type Inbound = Pick<Parameters<typeof ingestInbound>[2], "body" | "kind"> & { payload: TelegramPayload };

/** The message as the inbox stores it: text verbatim, files by reference, a shared contact's number. */
function inboundOf(msg: Message, base: TelegramPayload["telegram"]): Inbound | null {
  if (msg.text !== undefined) return { body: msg.text, kind: "text", payload: { telegram: base } };
  const media = mediaOf(msg);
  if (media.length > 0) return { body: msg.caption ?? "", kind: "media", payload: { telegram: { ...base, media } } };
  if (msg.contact) {
    const c = msg.contact;
    const name = [c.first_name, c.last_name].filter(Boolean).join(" ");
    return {
      body: `${name}: ${c.phone_number}`,
      kind: "text",
      payload: {
        telegram: {
          ...base,
          contact: { phoneNumber: c.phone_number, firstName: c.first_name, lastName: c.last_name ?? null, userId: c.user_id ?? null },
        },
      },
    };
  }
  const type = DESCRIBED.find((key) => msg[key] !== undefined);
  if (type) return { body: `[${type.replace("_", " ")}]`, kind: "text", payload: { telegram: { ...base, type } } };
  return null; // service messages (pinned, joined, …) are not something the contact said
}

/** A contact's own shared number becomes their phone, when they have none yet. */
async function fillOwnPhone(db: Db, workspaceId: number, contactId: number, phoneNumber: string): Promise<void> {
  const contact = await getLiveContact(db, workspaceId, contactId);
  if (contact.phone) return;
  const [workspace] = await db.select({ defaultCountry: workspaces.defaultCountry }).from(workspaces).where(eq(workspaces.id, workspaceId));
  // Telegram sends international numbers, often without the leading +.
  const phone = phoneNumber.startsWith("+") ? phoneNumber : `+${phoneNumber}`;
  try {
    await updateContact(db, { workspaceId, defaultCountry: workspace?.defaultCountry ?? "US", userId: null }, contactId, { phone });
  } catch (error) {
    // Unreadable, or another contact has it (a duplicate for a rep to merge): the message keeps it.
    if (!(error instanceof AppError)) throw error;
    console.warn(JSON.stringify({ contactId, phone: "shared", skipped: error.code, error: error.message }));
  }
}

contactChats.on("message", async (ctx) => {
  const { db, env, connection } = ctx.parley;
  const msg = ctx.msg;
  const inbound = inboundOf(msg, { connectionId: connection.id, chatId: ctx.chat.id, messageId: msg.message_id });
  if (!inbound) return;
  const workspaceId = connection.workspaceId;
  const { message } = await ingestInbound(db, env, {
    workspaceId,
    channel: "telegram",
    // Telegram numbers messages per chat.
    externalId: `${ctx.chat.id}:${msg.message_id}`,
    from: {
      externalId: String(ctx.from.id),
      name: [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(" "),
      handle: ctx.from.username ?? null,
    },
    ...inbound,
    sentAt: msg.date * 1000,
  });
  // Both steps are idempotent, so a retried update (created: false) finishes what a failed one began.
  if (inbound.kind === "media") await enqueueTask(env, { task: "telegram.fetch_media", workspaceId, messageId: message.id });
  if (msg.contact && msg.contact.user_id === ctx.from.id && message.authorContactId !== null) {
    await fillOwnPhone(db, workspaceId, message.authorContactId, msg.contact.phone_number);
  }
});
