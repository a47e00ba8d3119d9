// The notify_call task for Telegram: a contact is calling, and the reps whose phones ring (or,
// when nobody has a phone, the reps of the conversation — everyone while it has none) hear of
// it through the workspace's bot. A call notice is only worth something while the phones ring:
// it is claimed once per call, and a failed send is logged, not retried minutes later.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { telegramApi } from "../../src/channels/telegram/telegram-api";
import { telegramJobError } from "../../src/channels/telegram/telegram-errors";
import type { Db } from "../../src/db/client";
import { calls, chatLinks, contacts, conversationParticipants } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { claimCallNotice, repsToRing } from "../../src/modules/calls/calls.service";
import { connectionForChannel, credentialsOf, type TelegramCredentials } from "../../src/modules/channels-config/channels.service";

export function callNoticeText(opts: { contactName: string; company: string | null; phone: string | null; ringing: number }): string {
  const who = `${opts.contactName}${opts.company ? ` — ${opts.company}` : ""}`;
  const lines = [`📞 Incoming call: ${who}${opts.phone && opts.phone !== opts.contactName ? ` · ${opts.phone}` : ""}`];
  lines.push(
    opts.ringing > 0
      ? `Ringing ${opts.ringing === 1 ? "1 phone" : `${opts.ringing} phones`} now.`
      : "No rep has a phone number set, so the caller is asked to leave a voicemail.",
  );
  return lines.join("\n");
}

export async function notifyTelegramRepsOfCall(db: Db, env: Bindings, task: { workspaceId: number; callId: number }): Promise<void> {
  const ws = task.workspaceId;
  const [row] = await db
    .select({ call: calls, contact: contacts })
    .from(calls)
    .innerJoin(contacts, and(eq(contacts.workspaceId, calls.workspaceId), eq(contacts.id, calls.startedByContactId)))
    .where(and(eq(calls.workspaceId, ws), eq(calls.id, task.callId)));
  // Only calls contacts place are news; one that is over already is not worth a ring.
  if (!row || (row.call.statusKey !== "ringing" && row.call.statusKey !== "initiated")) return;
  const { call, contact } = row;

  const ringing = await repsToRing(db, call);
  const participants = sql`SELECT ${conversationParticipants.userId} FROM ${conversationParticipants}
    WHERE ${conversationParticipants.workspaceId} = ${ws} AND ${conversationParticipants.conversationId} = ${call.conversationId}
      AND ${conversationParticipants.actorKindKey} = 'user'`;
  const reps = await db
    .select({ userId: chatLinks.userId, chatId: sql<string>`coalesce(${chatLinks.externalChatId}, ${chatLinks.externalUserId})` })
    .from(chatLinks)
    .where(
      and(
        eq(chatLinks.workspaceId, ws),
        eq(chatLinks.platformKey, "telegram"),
        ringing.length > 0
          ? inArray(
              chatLinks.userId,
              ringing.map((r) => r.userId),
            )
          : sql`(${chatLinks.userId} IN (${participants}) OR NOT EXISTS (${participants}))`,
      ),
    )
    .orderBy(asc(chatLinks.userId));
  if (reps.length === 0) return;
  const connection = await connectionForChannel(db, ws, "telegram");
  if (!connection || !(await claimCallNotice(db, call))) return;

  const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
  const api = telegramApi(env, botToken);
  const text = callNoticeText({ contactName: contact.name, company: contact.company, phone: contact.phone, ringing: ringing.length });
  for (const rep of reps) {
    try {
      await api.sendMessage(rep.chatId, text, { link_preview_options: { is_disabled: true } });
    } catch (error) {
      console.warn(JSON.stringify({ task: "notify_call", callId: call.id, userId: rep.userId, skipped: telegramJobError(error).message }));
    }
  }
}
