// What became of a message a rep sent: ✓ Sent once the provider took it, or — when it could not be
// delivered — a message naming the contact and the reason in words, with Retry.
import { and, eq } from "drizzle-orm";
import { contacts, conversations, deliveries, messages } from "../../src/db/schema";
import { notFound } from "../../src/lib/errors";
import { retryDelivery } from "../../src/modules/deliveries/deliveries.service";
import { snippet } from "./format";
import { sentNoticeText, templateButton } from "./reply";
import { type Answer, button, type RepContext } from "./types";

export interface DeliveryFacts {
  deliveryId: number;
  messageId: number;
  conversationId: number;
  authorUserId: number | null;
  contactId: number | null;
  contactName: string;
  channelKey: string;
  statusKey: string;
  reason: string | null;
  /**
   * The channel's customer-service window has closed (WhatsApp: 24 h after the contact last
   * wrote): only a template may be sent, so the answer offers 📝 Send template instead of Retry.
   */
  windowClosed: boolean;
  /** The line that follows the message in the rep's chat. */
  noticeText: string;
}

/** A provider's failure, in words. */
export function failureInWords(code: string | null, message: string | null): { reason: string; windowClosed: boolean } {
  const said = `${code ?? ""} ${message ?? ""}`.toLowerCase();
  if (/131047|re-engagement|window/.test(said)) {
    return { reason: "more than 24 hours have passed since they last wrote, and WhatsApp then only allows a template message", windowClosed: true };
  }
  const words: [RegExp, string][] = [
    [/telegram_forbidden|blocked/, "they have blocked the bot"],
    [/chat_not_found|chat not found/, "their chat no longer exists"],
    [/21610|opt.?out|unsubscribed/, "they have opted out of messages"],
    [/channel_not_connected/, "this channel is not connected to Parley"],
    [/no_recipient|cannot be written|no .* address/, "Parley has no address for them on this channel"],
    [/131026|undeliverable/, "the provider cannot deliver to this number"],
  ];
  const found = words.find(([pattern]) => pattern.test(said));
  return { reason: found ? found[1] : `the provider refused it${message ? ` (${snippet(message, 120)})` : ""}`, windowClosed: false };
}

/** The delivery's outcome, as its author sees it. */
export async function deliveryOutcome(ctx: RepContext, deliveryId: number): Promise<Answer<DeliveryFacts>> {
  const ws = ctx.rep.workspaceId;
  const [row] = await ctx.db
    .select({ delivery: deliveries, message: messages, contactId: contacts.id, contactName: contacts.name })
    .from(deliveries)
    .innerJoin(messages, and(eq(messages.workspaceId, deliveries.workspaceId), eq(messages.id, deliveries.messageId)))
    .innerJoin(conversations, and(eq(conversations.workspaceId, messages.workspaceId), eq(conversations.id, messages.conversationId)))
    .leftJoin(contacts, and(eq(contacts.workspaceId, conversations.workspaceId), eq(contacts.id, conversations.contactId)))
    .where(and(eq(deliveries.workspaceId, ws), eq(deliveries.id, deliveryId)));
  if (!row) throw notFound("delivery");
  const { delivery, message } = row;
  const failed = delivery.statusKey === "failed" ? failureInWords(delivery.errorCode, delivery.errorMessage) : null;
  const to = row.contactName ?? "the conversation";
  const facts: DeliveryFacts = {
    deliveryId: delivery.id,
    messageId: message.id,
    conversationId: message.conversationId,
    authorUserId: message.authorUserId,
    contactId: row.contactId,
    contactName: to,
    channelKey: delivery.channelKey,
    statusKey: delivery.statusKey,
    reason: failed?.reason ?? null,
    windowClosed: failed?.windowClosed ?? false,
    noticeText: sentNoticeText(to, delivery.channelKey, delivery.statusKey, failed?.reason),
  };
  if (!failed) return { data: facts, text: facts.noticeText, buttons: [], show: "card" };
  const quoted = message.body ? `\n“${snippet(message.body, 200)}”` : "";
  return {
    data: facts,
    text: `⚠️ Your message to ${to} on ${delivery.channelKey} was not delivered: ${failed.reason}.${quoted}`,
    buttons: [failed.windowClosed ? [templateButton(message.conversationId, delivery.channelKey)] : [button("🔁 Retry", "delivery.retry", delivery.id)]],
    show: "new",
  };
}

/** 🔁 Retry: a new attempt of a failed delivery (the same as POST /v1/deliveries/{id}/retry). */
export async function retry(ctx: RepContext, deliveryId: number): Promise<Answer<{ deliveryId: number }>> {
  const before = await deliveryOutcome(ctx, deliveryId);
  const next = await retryDelivery(ctx.db, ctx.env, ctx.rep, deliveryId);
  return {
    data: { deliveryId: next.id },
    text: `🔁 Sending again to ${before.data.contactName} on ${next.channelKey}…`,
    buttons: [],
    show: "card",
    notice: "Sending again",
  };
}
