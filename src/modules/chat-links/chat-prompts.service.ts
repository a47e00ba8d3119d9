// Questions a bot asked a user and is waiting for them to answer by typing (the text of a reply, a
// lost deal's reason, a new deal's title). One open question per user and chat: asking another
// closes the older one. Answering closes it with a conditional UPDATE, so one text answers once.
import { and, desc, eq, gt, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { chatPrompts } from "../../db/schema";
import type { ChatPlatform } from "./chat-links.service";

export type ChatPromptRow = typeof chatPrompts.$inferSelect;

/** How long a question waits for its answer. */
export const PROMPT_TTL_MS = 60 * 60_000;

export interface ChatWhere {
  workspaceId: number;
  userId: number;
  platform: ChatPlatform;
  connectionId: number | null;
  chatId: string;
}

const inChat = (where: ChatWhere): SQL =>
  and(
    eq(chatPrompts.platformKey, where.platform),
    where.connectionId === null ? isNull(chatPrompts.connectionId) : eq(chatPrompts.connectionId, where.connectionId),
    eq(chatPrompts.chatId, where.chatId),
    eq(chatPrompts.userId, where.userId),
    eq(chatPrompts.workspaceId, where.workspaceId),
  )!;

/** Ask: the user's other open questions in this chat are closed, this one opened. */
export async function openPrompt(db: Db, where: ChatWhere, prompt: { action: string; args: readonly (string | number)[] }): Promise<ChatPromptRow> {
  const now = Date.now();
  const [, [row]] = await db.batch([
    db.update(chatPrompts).set({ closedAt: now }).where(and(inChat(where), isNull(chatPrompts.closedAt))),
    db
      .insert(chatPrompts)
      .values({
        workspaceId: where.workspaceId,
        userId: where.userId,
        platformKey: where.platform,
        connectionId: where.connectionId,
        chatId: where.chatId,
        actionKey: prompt.action,
        argsJson: JSON.stringify(prompt.args),
        expiresAt: now + PROMPT_TTL_MS,
        createdAt: now,
      })
      .returning(),
  ]);
  return row!;
}

/** The chat app accepted the question: its message id, so a reply to it finds it. */
export async function recordPromptMessageId(db: Db, prompt: ChatPromptRow, chatMessageId: string): Promise<void> {
  await db.update(chatPrompts).set({ chatMessageId }).where(eq(chatPrompts.id, prompt.id));
}

/**
 * The open question a text answers: the one replied to, when the text is a reply to one of the
 * bot's questions; else the newest open one in the chat. Null when there is none (or it expired).
 */
export async function findOpenPrompt(db: Db, where: ChatWhere, repliedToChatMessageId: string | null): Promise<ChatPromptRow | null> {
  const [row] = await db
    .select()
    .from(chatPrompts)
    .where(
      and(
        inChat(where),
        isNull(chatPrompts.closedAt),
        gt(chatPrompts.expiresAt, Date.now()),
        repliedToChatMessageId === null ? undefined : eq(chatPrompts.chatMessageId, repliedToChatMessageId),
      ),
    )
    .orderBy(desc(chatPrompts.id))
    .limit(1);
  return row ?? null;
}

/** Take the question to answer it: false when another text took it first. */
export async function takePrompt(db: Db, prompt: ChatPromptRow): Promise<boolean> {
  const taken = await db
    .update(chatPrompts)
    .set({ closedAt: Date.now() })
    .where(and(eq(chatPrompts.id, prompt.id), isNull(chatPrompts.closedAt)))
    .returning({ id: chatPrompts.id });
  return taken.length === 1;
}

/** Give a taken question back (its answer failed before anything was done), so a retry finds it. */
export async function reopenPrompt(db: Db, prompt: ChatPromptRow): Promise<void> {
  await db.update(chatPrompts).set({ closedAt: null }).where(eq(chatPrompts.id, prompt.id));
}

/** `/cancel`: close the user's open questions in this chat; how many there were. */
export async function cancelPrompts(db: Db, where: ChatWhere): Promise<number> {
  const closed = await db
    .update(chatPrompts)
    .set({ closedAt: Date.now() })
    .where(and(inChat(where), isNull(chatPrompts.closedAt), gt(chatPrompts.expiresAt, Date.now())))
    .returning({ id: chatPrompts.id });
  return closed.length;
}
