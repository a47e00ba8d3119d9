// The notify_reps task for Discord: each linked member with an unread receipt for a contact's
// message hears of it by DM from the workspace's bot — the message card with its buttons. Claimed
// per (message, user, platform) before sending, so a redelivered task DMs nobody twice. A member
// who does not accept DMs from the bot (50007) is skipped with the reason logged; a rate limit
// retries the task after Discord's wait (those already notified are not notified again).
import { and, asc, eq } from "drizzle-orm";
import { discordRest, type DiscordMessage } from "../../src/channels/discord/discord-api";
import type { DiscordCredentials } from "../../src/channels/discord/discord-credentials";
import { discordJobError } from "../../src/channels/discord/discord-errors";
import type { Db } from "../../src/db/client";
import { chatLinks, messageReceipts, messages } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { TransientJobError } from "../../src/jobs/errors";
import { AppError } from "../../src/lib/errors";
import { connectionForChannel, credentialsOf } from "../../src/modules/channels-config/channels.service";
import { linkedUser } from "../../src/modules/chat-links/chat-links.service";
import { claimChatMessage, recordChatMessageId, releaseClaim } from "../../src/modules/chat-links/chat-notifications.service";
import { messageCardBody } from "./cards";

export async function notifyDiscordReps(db: Db, env: Bindings, task: { workspaceId: number; messageId: number }): Promise<void> {
  const ws = task.workspaceId;
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, ws), eq(messages.id, task.messageId)));
  // Only contacts' messages are news for reps.
  if (!message || message.authorKindKey !== "contact") return;

  // Linked members whose receipt is still unread: read elsewhere already means nothing to tell.
  const reps = await db
    .select({ userId: chatLinks.userId, discordUserId: chatLinks.externalUserId })
    .from(chatLinks)
    .innerJoin(
      messageReceipts,
      and(
        eq(messageReceipts.workspaceId, chatLinks.workspaceId),
        eq(messageReceipts.userId, chatLinks.userId),
        eq(messageReceipts.messageId, message.id),
        eq(messageReceipts.statusKey, "unread"),
      ),
    )
    .where(and(eq(chatLinks.workspaceId, ws), eq(chatLinks.platformKey, "discord")))
    .orderBy(asc(chatLinks.userId));
  if (reps.length === 0) return;
  const connection = await connectionForChannel(db, ws, "discord");
  if (!connection) return;
  const { botToken } = await credentialsOf<DiscordCredentials>(env, connection);
  const rest = discordRest(env, botToken);

  let retry: TransientJobError | null = null;
  for (const { userId, discordUserId } of reps) {
    const rep = await linkedUser(db, ws, "discord", discordUserId);
    if (!rep) continue;
    let body;
    try {
      // Drawn as this member sees it; a message they may not see is not theirs to hear of.
      body = await messageCardBody({ db, env, rep }, message.id);
    } catch (error) {
      if (error instanceof AppError) continue;
      throw error;
    }
    const claim = await claimChatMessage(db, {
      workspaceId: ws,
      userId,
      platform: "discord",
      connectionId: connection.id,
      purpose: "notification",
      chatId: discordUserId,
      conversationId: message.conversationId,
      messageId: message.id,
    });
    if (!claim) continue; // notified before: a redelivered task
    let sent: DiscordMessage;
    try {
      const channel = await rest.request<{ id: string }>("POST", "/users/@me/channels", { recipient_id: discordUserId });
      sent = await rest.request<DiscordMessage>("POST", `/channels/${channel.id}/messages`, body);
    } catch (error) {
      await releaseClaim(db, claim);
      const mapped = discordJobError(error);
      if (mapped instanceof TransientJobError) {
        // The others still get theirs now; this one on the retry.
        if (!retry || (mapped.retryAfterSeconds ?? 0) > (retry.retryAfterSeconds ?? 0)) retry = mapped;
      } else {
        console.warn(JSON.stringify({ task: "notify_reps", platform: "discord", messageId: message.id, userId, skipped: mapped.message }));
      }
      continue;
    }
    await recordChatMessageId(db, claim, sent.id);
  }
  if (retry) throw retry;
}
