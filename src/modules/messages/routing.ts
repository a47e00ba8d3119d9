// Where a message to a contact goes: the provider account (connection) and the contact's identity
// on the channel. A reply leaves through the account the contact last wrote in through, so two
// WhatsApp numbers or two Telegram bots of one workspace each keep their own conversations.
import { and, desc, eq, sql } from "drizzle-orm";
import type { ConnectionChannel, ConnectionRow } from "../../channels/channel-adapter";
import type { Db } from "../../db/client";
import { connectionChannels, contactIdentities, type conversations, type MessageChannel } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { routeConnection } from "../channels-config/channels.service";

type ConversationRow = typeof conversations.$inferSelect;
export type IdentityRow = typeof contactIdentities.$inferSelect;

export const isConnectionChannel = (channel: MessageChannel): channel is ConnectionChannel =>
  (connectionChannels as readonly string[]).includes(channel);

/** The contact's identities on a channel, the one seen through `connectionId` first, then the most recent. */
async function identitiesOn(db: Db, workspaceId: number, contactId: number, channel: ConnectionChannel, connectionId: number | null) {
  return db
    .select()
    .from(contactIdentities)
    .where(and(eq(contactIdentities.workspaceId, workspaceId), eq(contactIdentities.contactId, contactId), eq(contactIdentities.channelKey, channel)))
    .orderBy(sql`${contactIdentities.connectionId} IS NOT ${connectionId ?? null}`, desc(contactIdentities.updatedAt), desc(contactIdentities.id));
}

export interface Route {
  connection: ConnectionRow | undefined;
  recipient: IdentityRow | null;
}

/**
 * The route of a message on `channel` in a contact conversation. `pinned` is the connection an
 * attempt was already bound to: kept while it is live.
 */
export async function routeMessage(db: Db, conversation: ConversationRow, channel: ConnectionChannel, pinned: number | null = null): Promise<Route> {
  const ws = conversation.workspaceId;
  const lastConnection = conversation.lastChannelKey === channel ? conversation.lastConnectionId : null;
  const identities = conversation.contactId === null ? [] : await identitiesOn(db, ws, conversation.contactId, channel, pinned ?? lastConnection);
  const connection = await routeConnection(db, ws, channel, [pinned, lastConnection, ...identities.map((i) => i.connectionId)]);
  const recipient = identities.find((i) => i.connectionId === connection?.id) ?? identities[0] ?? null;
  return { connection, recipient };
}

/** A send the contact has refused (SMS STOP, an e-mail complaint) is a 409 before anything is stored. */
export function assertNotOptedOut(recipient: IdentityRow | null, channel: MessageChannel): void {
  if (recipient?.optedOutAt) {
    throw new AppError(
      "recipient_opted_out",
      `the contact opted out of ${channel} messages (${recipient.optOutReason ?? "opted out"}) on ${new Date(recipient.optedOutAt).toISOString()}`,
    );
  }
}
