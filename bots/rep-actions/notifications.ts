// The notification of a contact's message, as every chat app shows it — one live card per message
// and rep: who wrote, on which channel, what they said, and where things stand (score,
// qualification, open deal, read by me, answered by whom), with the buttons to act on it. Cards
// are drawn afresh from the database each time, so a redraw after any change is just this again.
import { and, desc, eq, gt, ne } from "drizzle-orm";
import { contacts, deals, messageAttachments, messageReceipts, messages, qualificationKinds, stages, users } from "../../src/db/schema";
import { mediaRefsOf } from "../../src/channels/media";
import { enqueueTask } from "../../src/jobs/tasks";
import { attachmentKindOf } from "../../src/modules/attachments/attachments.service";
import { findContact } from "../../src/modules/contacts/contacts.service";
import { findConversation } from "../../src/modules/conversations/conversations.service";
import { findMessage, type MessageRow } from "../../src/modules/messages/message-access";
import { type AiSuggestion, aiSuggestion } from "../../src/modules/qualification/classification.service";
import { dealTitle, ratingRows, suggestionText } from "./format";
import { type Answer, button, type Keyboard, type RepContext } from "./types";

/** How much of a message a card shows; "Show all" posts the rest. */
export const PREVIEW_CHARS = 1000;
/** One chat message of "Show all" (Telegram allows 4096 characters). */
const PART_CHARS = 4000;

export interface NotificationFacts {
  messageId: number;
  conversationId: number;
  contactId: number | null;
  contactName: string;
  company: string | null;
  channelKey: string;
  body: string;
  truncated: boolean;
  files: string[];
  score: number | null;
  qualification: string | null;
  openDeal: { id: number; title: string; stageName: string } | null;
  readByMe: boolean;
  /** The colleague who answered after this message ("you" for the rep), if anyone has. */
  answeredBy: string | null;
  /** What the Qualifier last said of the conversation, if anything. */
  suggestion: AiSuggestion | null;
}

/** A file's kind as a rep says it. */
const SAID: Record<string, string> = { image: "photo", audio: "audio", video: "video", document: "document" };

/** The kinds of files a message carries, or will once its media task has run. */
export function filesOf(message: MessageRow, stored: { kindKey: string }[]): string[] {
  if (message.kindKey !== "media") return [];
  // Not fetched yet: the refs the provider gave.
  const kinds = stored.length > 0 ? stored.map((a) => a.kindKey) : mediaRefsOf(message.payloadJson).map((ref) => attachmentKindOf(ref.contentType));
  return kinds.length > 0 ? kinds.map((kind) => SAID[kind] ?? kind) : ["file"];
}

/** The card of `messageId` for the rep. */
export async function notificationCard(ctx: RepContext, messageId: number, notice?: string): Promise<Answer<NotificationFacts>> {
  const { db, rep } = ctx;
  const ws = rep.workspaceId;
  const message = await findMessage(db, rep, messageId);
  const conversation = await findConversation(db, rep, message.conversationId);
  const contact = conversation.contactId === null ? null : await findContact(db, ws, conversation.contactId);
  const suggestion = await aiSuggestion(db, ws, conversation.id);
  const [files, receipt, answer, openDeal, kind] = await db.batch([
    db
      .select({ kindKey: messageAttachments.kindKey })
      .from(messageAttachments)
      .where(and(eq(messageAttachments.workspaceId, ws), eq(messageAttachments.messageId, message.id))),
    db
      .select({ statusKey: messageReceipts.statusKey })
      .from(messageReceipts)
      .where(and(eq(messageReceipts.workspaceId, ws), eq(messageReceipts.userId, rep.userId), eq(messageReceipts.messageId, message.id))),
    // An answer is a user's message to the contact after this one; internal notes answer nobody.
    db
      .select({ userId: messages.authorUserId, name: users.name })
      .from(messages)
      .innerJoin(users, and(eq(users.workspaceId, messages.workspaceId), eq(users.id, messages.authorUserId)))
      .where(
        and(
          eq(messages.workspaceId, ws),
          eq(messages.conversationId, conversation.id),
          gt(messages.id, message.id),
          eq(messages.authorKindKey, "user"),
          ne(messages.channelKey, "internal"),
        ),
      )
      .orderBy(desc(messages.id))
      .limit(1),
    db
      .select({ id: deals.id, title: deals.title, stageName: stages.name })
      .from(deals)
      .innerJoin(stages, eq(stages.id, deals.stageId))
      .where(and(eq(deals.workspaceId, ws), eq(deals.contactId, contact?.id ?? 0), eq(deals.statusKey, "open")))
      .orderBy(desc(deals.id))
      .limit(1),
    db
      .select({ label: qualificationKinds.label })
      .from(qualificationKinds)
      .innerJoin(contacts, and(eq(contacts.workspaceId, qualificationKinds.workspaceId), eq(contacts.qualification, qualificationKinds.key)))
      .where(and(eq(qualificationKinds.workspaceId, ws), eq(contacts.id, contact?.id ?? 0))),
  ]);

  const facts: NotificationFacts = {
    messageId: message.id,
    conversationId: conversation.id,
    contactId: contact?.id ?? null,
    contactName: contact?.name ?? "Someone",
    company: contact?.company ?? null,
    channelKey: message.channelKey,
    body: message.body,
    truncated: message.body.length > PREVIEW_CHARS,
    files: filesOf(message, files),
    score: contact?.score ?? null,
    qualification: kind[0]?.label ?? contact?.qualification ?? null,
    openDeal: openDeal[0] ? { id: openDeal[0].id, title: dealTitle(openDeal[0]), stageName: openDeal[0].stageName } : null,
    readByMe: receipt[0]?.statusKey !== "unread",
    answeredBy: answer[0] ? (answer[0].userId === rep.userId ? "you" : answer[0].name) : null,
    suggestion,
  };
  return { data: facts, text: cardText(facts), buttons: cardButtons(facts), show: "card", ...(notice ? { notice } : {}) };
}

function cardText(f: NotificationFacts): string {
  const lines = [`💬 ${f.contactName}${f.company ? ` — ${f.company}` : ""} · ${f.channelKey}`];
  if (f.suggestion) lines.push(`🤖 AI suggests ${suggestionText(f.suggestion)}`);
  lines.push("");
  if (f.body) lines.push(f.truncated ? `${f.body.slice(0, PREVIEW_CHARS)}…` : f.body);
  if (f.files.length > 0) lines.push(`📎 ${f.files.join(", ")}`);
  const standing = [
    f.score !== null && `⭐ ${f.score}`,
    f.qualification && `🏷 ${f.qualification}`,
    f.openDeal && `💼 ${f.openDeal.title} — ${f.openDeal.stageName}`,
  ].filter(Boolean);
  const state = [f.readByMe && "✓ Read", f.answeredBy && `↩ Answered by ${f.answeredBy}`].filter(Boolean);
  if (standing.length || state.length) lines.push("");
  if (standing.length) lines.push(standing.join(" · "));
  if (state.length) lines.push(state.join(" · "));
  return lines.join("\n");
}

function cardButtons(f: NotificationFacts): Keyboard {
  const first = [button("↩ Reply", "reply.prompt", f.messageId)];
  if (!f.readByMe) first.push(button("✓ Mark read", "message.read", f.messageId));
  const rows: Keyboard = [first];
  if (f.contactId !== null) {
    const [stars, tools] = ratingRows(f.contactId);
    rows.push(stars!, [...tools!, button("👤 Contact", "contact.show", f.contactId)]);
  }
  if (f.truncated) rows.push([button("📄 Show all", "message.full", f.messageId)]);
  return rows;
}

/** Split a long text into chat messages, at a line or word break where there is one. */
export function textParts(text: string, max = PART_CHARS): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = Math.max(window.lastIndexOf("\n"), window.lastIndexOf(" "));
    const at = cut > max / 2 ? cut + 1 : max;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest) parts.push(rest);
  return parts;
}

/** 📄 Show all: the rest of a long message, in parts a chat message can hold. */
export async function fullMessage(ctx: RepContext, messageId: number): Promise<Answer<{ messageId: number; parts: string[] }>> {
  const message = await findMessage(ctx.db, ctx.rep, messageId);
  const rest = message.body.length > PREVIEW_CHARS ? `…${message.body.slice(PREVIEW_CHARS)}` : message.body;
  const [first = "(no text)", ...continued] = textParts(rest);
  return { data: { messageId, parts: [first, ...continued] }, text: first, buttons: [], show: "new", continued };
}

/**
 * Redraw every chat card about the contact, for every rep who has one, off the request (a queued
 * task). Called after a change has committed: a failure to queue is logged, never thrown.
 */
export async function refreshCardsLater(ctx: Pick<RepContext, "env" | "rep" | "origin">, contactId: number | null): Promise<void> {
  if (contactId === null) return;
  try {
    await enqueueTask(ctx.env, { task: "refresh_cards", workspaceId: ctx.rep.workspaceId, contactId, ...(ctx.origin ? { except: ctx.origin } : {}) });
  } catch (error) {
    console.error(JSON.stringify({ refreshCards: { contactId }, error: error instanceof Error ? error.message : String(error) }));
  }
}
