// Contacts writing in: updates from Telegram users who are not linked reps of this workspace.
// Their private-chat messages reach the inbox through the webhook pipeline like every channel's
// (src/channels/telegram/telegram.inbound.ts); here the bot greets them, refuses their button
// presses and takes their own shared number. Nothing of the workspace is ever shown to them.
import { Composer } from "grammy";
import { eq } from "drizzle-orm";
import type { Db } from "../../../src/db/client";
import { workspaces } from "../../../src/db/schema";
import { AppError } from "../../../src/lib/errors";
import { findIdentityOwner, getLiveContact, updateContact } from "../../../src/modules/contacts/contacts.service";
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

// The message itself was stored by the webhook pipeline before the bot saw the update; what is
// left is the contact's own shared number.
contactChats.on("message:contact", async (ctx) => {
  const { db, connection } = ctx.parley;
  const shared = ctx.msg.contact;
  if (shared.user_id !== ctx.from.id) return; // someone else's card: the message keeps it
  const contactId = await findIdentityOwner(db, connection.workspaceId, "telegram", String(ctx.from.id));
  if (contactId !== null) await fillOwnPhone(db, connection.workspaceId, contactId, shared.phone_number);
});
