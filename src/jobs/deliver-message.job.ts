// deliver_message: hand one queued Delivery to its channel's provider, through the account the
// send chose (or, when that one is gone, the route the conversation has now). Re-reads the
// delivery and exits when it is no longer queued, so a redelivered queue message sends nothing twice.
import { and, asc, eq } from "drizzle-orm";
import { getAdapter } from "../channels/registry";
import { conversations, deliveries, messageAttachments, messages } from "../db/schema";
import type { Db } from "../db/client";
import { type DeliveryRow, transitionDelivery } from "../modules/deliveries/deliveries.service";
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

export const deliverMessage: JobHandler<"deliver_message"> = async ({ db, env }, job) => {
  const deliveryId = deliveryIdOf(job.inputJson);
  const [delivery] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, job.workspaceId), eq(deliveries.id, deliveryId)));
  if (!delivery) throw new PermanentJobError(`delivery ${deliveryId} not found`, "delivery_not_found");
  if (delivery.statusKey !== "queued") {
    return { done: true, result: { deliveryId, status: delivery.statusKey, skipped: "delivery is no longer queued" } };
  }

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

  try {
    const sent = await adapter.sendMessage(
      { env, db, connection },
      { deliveryId: delivery.id, message: outbound.message, attachments: outbound.attachments, recipient },
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
    throw error;
  }
};
