// A contact editing a message they sent the bot: the stored message follows (editInbound keeps the
// old text in an event and redraws the reps' cards). Contact-side only; a rep's edits are theirs.
import { Composer } from "grammy";
import { editInbound } from "../../../src/modules/messages/edit-inbound.service";
import type { BotContext } from "../context";

export const editsComposer = new Composer<BotContext>();

editsComposer.chatType("private").on("edited_message", async (ctx) => {
  const msg = ctx.editedMessage;
  const body = msg.text ?? msg.caption;
  if (body === undefined) return; // a file swapped, a location moved: nothing Parley stores changed
  await editInbound(ctx.parley.db, ctx.parley.env, {
    workspaceId: ctx.parley.connection.workspaceId,
    channel: "telegram",
    connectionId: ctx.parley.connection.id,
    // Telegram numbers messages per chat, as ingest stored them.
    externalId: `${ctx.chat.id}:${msg.message_id}`,
    body,
    editedAt: (msg.edit_date ?? msg.date) * 1000,
  });
});
