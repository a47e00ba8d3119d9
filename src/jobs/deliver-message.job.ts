// deliver_message: hand one queued Delivery to its channel's provider, through the account the
// send chose (or, when that one is gone, the route the conversation has now). The delivery is
// claimed first (a lease, in one conditional UPDATE), so of two deliveries of the job's queue
// message one sends; a message sent in parts (long text, files) records each part and a retry
// resumes after the last one sent.
import { and, asc, desc, eq, isNotNull } from "drizzle-orm";
import type { OutboundTemplate, ReplyTarget } from "../channels/channel-adapter";
import { getAdapter } from "../channels/registry";
import { conversations, deliveries, messageAttachments, messages } from "../db/schema";
import type { Db } from "../db/client";
import {
  claimDelivery,
  type DeliveryRow,
  recordSentPart,
  releaseDelivery,
  sentPartsOf,
  transitionDelivery,
} from "../modules/deliveries/deliveries.service";
import { isConnectionChannel, type Route, routeMessage } from "../modules/messages/routing";
import { PermanentJobError, TransientJobError } from "./errors";
import { type JobHandler, MAX_ATTEMPTS } from "./runner";

function deliveryIdOf(inputJson: string): number {
  const input = JSON.parse(inputJson) as { deliveryId?: unknown };
  if (typeof input.deliveryId !== "number") throw new PermanentJobError("job input has no deliveryId", "invalid_input");
  return input.deliveryId;
}

/** The message, its conversation and its attachments. */
async function outboundOf(db: Db, delivery: DeliveryRow) {
  const [row] = await db
    .select({ message: messages, conversation: conversations })
    .from(messages)
    .innerJoin(conversations, and(eq(conversations.workspaceId, messages.workspaceId), eq(conversations.id, messages.conversationId)))
    .where(and(eq(messages.workspaceId, delivery.workspaceId), eq(messages.id, delivery.messageId)));
  if (!row) throw new PermanentJobError(`message ${delivery.messageId} is gone`, "message_not_found");
  const attachments = await db
    .select()
    .from(messageAttachments)
    .where(and(eq(messageAttachments.workspaceId, delivery.workspaceId), eq(messageAttachments.messageId, delivery.messageId)))
    .orderBy(asc(messageAttachments.id));
  return { ...row, attachments };
}

type MessageRow = typeof messages.$inferSelect;

/**
 * What the provider knows the answered message by: a contact's message by its provider id, one
 * of ours by the id its latest attempt was given — with the account either belongs to.
 */
async function replyTargetOf(db: Db, message: MessageRow): Promise<ReplyTarget | null> {
  if (message.replyToMessageId === null) return null;
  const [target] = await db
    .select({ id: messages.id, externalId: messages.externalId, connectionId: messages.connectionId })
    .from(messages)
    .where(and(eq(messages.workspaceId, message.workspaceId), eq(messages.id, message.replyToMessageId)));
  if (!target) return null;
  if (target.externalId !== null) return { messageId: target.id, externalId: target.externalId, connectionId: target.connectionId };
  const [sent] = await db
    .select({ providerMessageId: deliveries.providerMessageId, connectionId: deliveries.connectionId })
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, message.workspaceId), eq(deliveries.messageId, target.id), isNotNull(deliveries.providerMessageId)))
    .orderBy(desc(deliveries.attempt))
    .limit(1);
  return { messageId: target.id, externalId: sent?.providerMessageId ?? null, connectionId: sent?.connectionId ?? null };
}

/** The template a message was sent as (kept in its payload by the send). */
function templateOf(message: MessageRow): OutboundTemplate | null {
  if (!message.payloadJson || message.authorKindKey !== "user") return null;
  try {
    const template = (JSON.parse(message.payloadJson) as { template?: OutboundTemplate }).template;
    return template && typeof template.name === "string" ? template : null;
  } catch {
    return null;
  }
}

export const deliverMessage: JobHandler<"deliver_message"> = async ({ db, env }, job) => {
  const deliveryId = deliveryIdOf(job.inputJson);
  // Claim before anything is sent: of two deliveries of this job's message, one sends.
  const claim = await claimDelivery(db, job.workspaceId, deliveryId);
  if (!claim) throw new PermanentJobError(`delivery ${deliveryId} not found`, "delivery_not_found");
  if (!claim.claimed) {
    if (claim.retryInMs !== null) {
      throw new TransientJobError("another worker is sending this delivery", "delivery_claimed", Math.ceil(claim.retryInMs / 1000) + 1);
    }
    return { done: true, result: { deliveryId, status: claim.delivery.statusKey, skipped: "delivery is no longer queued" } };
  }
  const { delivery, leaseId } = claim;

  /** Record the failure on the delivery, and fail the job with the same reason. */
  const fail = async (code: string, message: string) => {
    await transitionDelivery(db, delivery, { status: "failed", errorCode: code, errorMessage: message });
    return new PermanentJobError(message, code);
  };

  const channel = delivery.channelKey;
  const outbound = await outboundOf(db, delivery);
  const route: Route = isConnectionChannel(channel)
    ? await routeMessage(db, outbound.conversation, channel, delivery.connectionId)
    : { connection: undefined, recipient: null };
  const { connection, recipient } = route;
  if (!connection) {
    throw await fail("channel_not_connected", `no ${channel} connection in this workspace: connect ${channel} under /v1/channels, then retry the delivery`);
  }
  const adapter = getAdapter(channel);
  if (!adapter) throw await fail("channel_not_supported", `Parley cannot send on ${channel} yet`);
  if (delivery.connectionId !== connection.id) {
    // The account the send chose is gone: this attempt goes out through the route as it is now,
    // and its status callbacks will come from there.
    await db.update(deliveries).set({ connectionId: connection.id, updatedAt: Date.now() }).where(eq(deliveries.id, delivery.id));
  }

  const replyTo = await replyTargetOf(db, outbound.message);
  const partSent = async (providerMessageId: string) => {
    if (!(await recordSentPart(db, delivery.id, leaseId, providerMessageId))) {
      throw new TransientJobError("the delivery's claim ran out while sending; its new holder carries on", "delivery_claim_lost");
    }
  };
  try {
    const sent = await adapter.sendMessage(
      { env, db, connection },
      {
        deliveryId: delivery.id,
        message: outbound.message,
        attachments: outbound.attachments,
        recipient,
        replyTo,
        template: templateOf(outbound.message),
        sentParts: sentPartsOf(delivery),
        partSent,
      },
    );
    const { delivery: after } = await transitionDelivery(db, delivery, { status: sent.status, providerMessageId: sent.providerMessageId });
    return { done: true, result: { deliveryId, status: after.statusKey, providerMessageId: sent.providerMessageId } };
  } catch (error) {
    // A provider error is the delivery's error once no retry will follow.
    const lastAttempt = error instanceof PermanentJobError || job.attempts + 1 >= MAX_ATTEMPTS;
    if (lastAttempt) {
      const code = error instanceof PermanentJobError || error instanceof TransientJobError ? error.code : "provider_error";
      throw await fail(code, error instanceof Error ? error.message : String(error));
    }
    await releaseDelivery(db, delivery.id, leaseId);
    throw error;
  }
};
