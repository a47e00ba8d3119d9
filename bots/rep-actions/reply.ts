// A rep's answer to a conversation, typed in a chat app: sent through the same `sendMessage` as
// the API (on the conversation's channel, as the rep), and what they answered counts as read.
import { AppError } from "../../src/lib/errors";
import { markReadBatch, sendMessage } from "../../src/modules/messages/messages.service";
import type { Answer, RepContext } from "./types";

type Sent = Awaited<ReturnType<typeof sendMessage>>;

/**
 * Send `text` into the conversation and read it up to `upToMessageId`. A refusal (a conversation
 * gone, a channel that cannot be used) is an answer saying so, with nothing sent. Once the message
 * is stored nothing may fail: the chat app would deliver the rep's text again, and the contact
 * would get the answer twice — so later steps only log.
 */
export async function sendReply(
  ctx: RepContext,
  input: { conversationId: number; upToMessageId: number; text: string; contactName: string | null },
): Promise<Answer<{ sent: Sent | null }>> {
  let sent: Sent;
  try {
    sent = await sendMessage(ctx.db, ctx.env, ctx.rep, input.conversationId, { body: input.text });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { data: { sent: null }, text: `Not sent: ${error.message}`, buttons: [], show: "new" };
  }
  try {
    await markReadBatch(ctx.db, ctx.rep, { conversationId: input.conversationId, upToMessageId: input.upToMessageId });
  } catch (error) {
    console.error(JSON.stringify({ repReply: { messageId: sent.id }, error: error instanceof Error ? error.message : String(error) }));
  }
  return { data: { sent }, text: `✓ Sent to ${input.contactName ?? "the conversation"} on ${sent.channelKey}.`, buttons: [], show: "new" };
}
