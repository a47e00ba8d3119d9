// The notify_call task for Telegram: a contact is calling, and the reps whose phones ring (or,
// when nobody has a phone, the reps of the conversation — everyone while it has none) hear of
// it through the bot they linked with (muted reps are left alone). A call notice is only worth
// something while the phones ring: it is claimed once per call, and a failed send is logged, not
// retried minutes later.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { telegramJobError } from "../../src/channels/telegram/telegram-errors";
import type { Db } from "../../src/db/client";
import { calls, chatLinks, contacts, conversationParticipants } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { claimCallNotice, repsToRing } from "../../src/modules/calls/calls.service";
import { botsOf } from "./notify";

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
    .select({
      userId: chatLinks.userId,
      connectionId: chatLinks.connectionId,
      mutedUntil: chatLinks.mutedUntil,
      chatId: sql<string>`coalesce(${chatLinks.externalChatId}, ${chatLinks.externalUserId})`,
    })
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
  // A muted rep is left alone, calls included.
  const awake = reps.filter((rep) => rep.mutedUntil === null || rep.mutedUntil <= Date.now());
  if (awake.length === 0 || !(await claimCallNotice(db, call))) return;

  // Each rep hears of it through the bot they linked with.
  const bot = botsOf(db, env, ws);
  const text = callNoticeText({ contactName: contact.name, company: contact.company, phone: contact.phone, ringing: ringing.length });
  for (const rep of awake) {
    try {
      const through = await bot(rep.connectionId);
      if (!through) continue;
      await through.api.sendMessage(rep.chatId, text, { link_preview_options: { is_disabled: true } });
    } catch (error) {
      console.warn(JSON.stringify({ task: "notify_call", callId: call.id, userId: rep.userId, skipped: telegramJobError(error).message }));
    }
  }
}
