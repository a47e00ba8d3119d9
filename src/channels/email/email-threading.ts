// E-mail threading, both ways. Inbound: which conversation a mail continues — the plus-address
// token Parley put in its Reply-To, else its In-Reply-To, else the ids of its References, newest
// first, matched against every Message-ID the connection received or sent. Outbound: the
// Re: subject, In-Reply-To and References that make the contact's mail client file Parley's
// answer under the same thread, and the Message-ID it is given, recorded so replies find it.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailOutboundIds, messages } from "../../db/schema";
import type { Bindings } from "../../env";
import { hmac, toHex } from "../../lib/crypto";

/** Enough of a References chain to thread; longer chains keep their first id and newest ones. */
const MAX_REFERENCES = 20;
/** Ids of an inbound chain looked up (In-Reply-To first, then References newest first). */
const MAX_LOOKUP_IDS = 40;

// ---- the Reply-To token -------------------------------------------------------------------

const TOKEN = /^c(\d{1,12})-([0-9a-f]{12})$/;

async function tokenSignature(env: Pick<Bindings, "ENCRYPTION_KEY">, connectionId: number, conversationId: number): Promise<string> {
  return toHex(await hmac("SHA-256", env.ENCRYPTION_KEY, `email-reply:${connectionId}:${conversationId}`)).slice(0, 12);
}

/**
 * The token naming a conversation in `local+<token>@domain`: its id and a signature, so a
 * stranger cannot write into a conversation by guessing numbers (and a token only counts for
 * the conversation's own contact anyway).
 */
export async function replyToken(env: Pick<Bindings, "ENCRYPTION_KEY">, connectionId: number, conversationId: number): Promise<string> {
  return `c${conversationId}-${await tokenSignature(env, connectionId, conversationId)}`;
}

/** The conversation a token names, or null for a token Parley did not make. */
export async function conversationOfToken(env: Pick<Bindings, "ENCRYPTION_KEY">, connectionId: number, token: string): Promise<number | null> {
  const match = TOKEN.exec(token.toLowerCase());
  if (!match) return null;
  const conversationId = Number(match[1]);
  return match[2] === (await tokenSignature(env, connectionId, conversationId)) ? conversationId : null;
}

/** `sales@acme.test` + token → `sales+<token>@acme.test`. */
export function plusAddress(address: string, token: string): string {
  const at = address.lastIndexOf("@");
  return `${address.slice(0, at)}+${token}${address.slice(at)}`;
}

/** An envelope recipient split into the mailbox and the plus tag, lower-cased. */
export function splitRecipient(recipient: string): { address: string; mailbox: string; tag: string | null } {
  const address = recipient.trim().replace(/^<|>$/g, "").toLowerCase();
  const at = address.lastIndexOf("@");
  const local = at === -1 ? address : address.slice(0, at);
  const plus = local.indexOf("+");
  if (at === -1 || plus === -1) return { address, mailbox: address, tag: null };
  return { address, mailbox: `${local.slice(0, plus)}${address.slice(at)}`, tag: local.slice(plus + 1) };
}

// ---- inbound: which conversation ------------------------------------------------------------

export type ThreadRule = "reply-token" | "in-reply-to" | "references";

/**
 * The conversation an inbound mail's ids name, looked up in one query per half (received,
 * sent): In-Reply-To first, then References newest first. A reply from another client (Outlook
 * rewriting the chain) whose In-Reply-To is unknown still lands by any id of its References.
 */
export async function conversationOfIds(
  db: Db,
  scope: { workspaceId: number; connectionId: number },
  ids: { inReplyTo: string[]; references: string[] },
): Promise<{ conversationId: number; rule: ThreadRule; id: string } | null> {
  const ordered = [...new Set([...ids.inReplyTo, ...[...ids.references].reverse()])].slice(0, MAX_LOOKUP_IDS);
  if (ordered.length === 0) return null;
  const [received, sent] = await db.batch([
    db
      .select({ id: messages.externalId, conversationId: messages.conversationId })
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, scope.workspaceId),
          eq(messages.channelKey, "email"),
          // The unique index's own expression, so the lookup uses it.
          sql`(CASE WHEN ${sql.identifier("connection_id")} IS NULL THEN 0 ELSE ${sql.identifier("connection_id")} END) = ${scope.connectionId}`,
          inArray(messages.externalId, ordered),
        ),
      ),
    db
      .select({ id: emailOutboundIds.headerId, conversationId: messages.conversationId })
      .from(emailOutboundIds)
      .innerJoin(messages, and(eq(messages.workspaceId, emailOutboundIds.workspaceId), eq(messages.id, emailOutboundIds.messageId)))
      .where(and(eq(emailOutboundIds.connectionId, scope.connectionId), eq(emailOutboundIds.workspaceId, scope.workspaceId), inArray(emailOutboundIds.headerId, ordered))),
  ]);
  const found = new Map<string, number>();
  for (const row of [...received, ...sent]) if (row.id) found.set(row.id, row.conversationId);
  for (const id of ordered) {
    const conversationId = found.get(id);
    if (conversationId !== undefined) return { conversationId, rule: ids.inReplyTo.includes(id) ? "in-reply-to" : "references", id };
  }
  return null;
}

// ---- outbound: the headers of an answer ---------------------------------------------------

/** `Re: <subject>`, never `Re: Re:` (nor `Re: AW:` and the like other clients write). */
export function replySubject(subject: string): string {
  const bare = subject.replace(/^(\s*(re|aw|sv|antw|vs|r)\s*(\[\d+\])?\s*:\s*)+/i, "").trim();
  return `Re: ${bare}`.slice(0, 900);
}

/** RFC 5322 §3.6.4: the parent's References (or In-Reply-To) and then the parent's own id. */
export function chainAfter(parent: { messageId: string; references: string[]; inReplyTo: string[] }): string[] {
  const chain = [...new Set([...(parent.references.length > 0 ? parent.references : parent.inReplyTo), parent.messageId])];
  return chain.length <= MAX_REFERENCES ? chain : [chain[0]!, ...chain.slice(chain.length - (MAX_REFERENCES - 1))];
}

export interface ThreadHeaders {
  subject: string | null;
  inReplyTo: string | null;
  references: string[];
}

interface InboundPayload {
  subject?: unknown;
  inReplyTo?: unknown;
  references?: unknown;
}

const idsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/**
 * The headers an answer in `conversationId` carries: chained from the newest e-mail of the
 * conversation that has a Message-ID — the contact's (not a robot's), or one Parley sent — before
 * `beforeMessageId`.
 */
export async function threadHeadersFor(db: Db, workspaceId: number, conversationId: number, beforeMessageId: number): Promise<ThreadHeaders> {
  const [[received], [sent]] = await db.batch([
    db
      .select({ id: messages.id, externalId: messages.externalId, payloadJson: messages.payloadJson })
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, workspaceId),
          eq(messages.conversationId, conversationId),
          eq(messages.channelKey, "email"),
          eq(messages.authorKindKey, "contact"),
          sql`${messages.id} < ${beforeMessageId}`,
          sql`${messages.externalId} IS NOT NULL`,
          // Auto-replies and bounces are not what the rep answers.
          sql`json_extract(${messages.payloadJson}, '$.automatic') IS NULL`,
        ),
      )
      .orderBy(desc(messages.id))
      .limit(1),
    db
      .select({ messageId: emailOutboundIds.messageId, headerId: emailOutboundIds.headerId, references: emailOutboundIds.references, subject: emailOutboundIds.subject })
      .from(emailOutboundIds)
      .where(
        and(
          eq(emailOutboundIds.workspaceId, workspaceId),
          // The conversation's newest answers first (its own index), then their ids by message:
          // never a scan of everything the workspace ever sent.
          inArray(
            emailOutboundIds.messageId,
            db
              .select({ id: messages.id })
              .from(messages)
              .where(
                and(
                  eq(messages.workspaceId, workspaceId),
                  eq(messages.conversationId, conversationId),
                  eq(messages.channelKey, "email"),
                  eq(messages.authorKindKey, "user"),
                  sql`${messages.id} < ${beforeMessageId}`,
                ),
              )
              .orderBy(desc(messages.id))
              .limit(5),
          ),
        ),
      )
      // A provider's own Message-ID for a mail (recorded after ours) is the one the contact saw.
      .orderBy(desc(emailOutboundIds.messageId), desc(emailOutboundIds.id))
      .limit(1),
  ]);
  if (sent && (!received || sent.messageId > received.id)) {
    const references = sent.references.split(" ").filter(Boolean);
    return { subject: sent.subject, inReplyTo: sent.headerId, references: chainAfter({ messageId: sent.headerId, references, inReplyTo: [] }) };
  }
  if (received?.externalId) {
    let payload: InboundPayload = {};
    try {
      payload = JSON.parse(received.payloadJson ?? "{}") as InboundPayload;
    } catch {
      // an unreadable payload threads by the Message-ID alone
    }
    return {
      subject: typeof payload.subject === "string" ? payload.subject : null,
      inReplyTo: received.externalId,
      references: chainAfter({ messageId: received.externalId, references: idsOf(payload.references), inReplyTo: idsOf(payload.inReplyTo) }),
    };
  }
  return { subject: null, inReplyTo: null, references: [] };
}

/** A Message-ID for one delivery attempt: the same on every retry of it, unguessable, on our domain. */
export async function outboundMessageId(env: Pick<Bindings, "ENCRYPTION_KEY">, deliveryId: number, address: string): Promise<string> {
  const signature = toHex(await hmac("SHA-256", env.ENCRYPTION_KEY, `email-message-id:${deliveryId}`)).slice(0, 16);
  return `<parley.${deliveryId}.${signature}@${address.slice(address.lastIndexOf("@") + 1)}>`;
}

/** Remember a Message-ID Parley sent (or the provider gave its copy), so replies to it thread. */
export async function recordOutboundId(
  db: Db,
  row: { workspaceId: number; connectionId: number; messageId: number; deliveryId: number | null; headerId: string; recipient: string; references: string[]; subject: string },
): Promise<void> {
  await db
    .insert(emailOutboundIds)
    .values({ ...row, references: row.references.join(" "), createdAt: Date.now() })
    .onConflictDoNothing();
}

/** The sent mail a Message-ID names, on a connection. */
export async function findOutbound(db: Db, connectionId: number, headerIds: string[]) {
  if (headerIds.length === 0) return undefined;
  const rows = await db
    .select()
    .from(emailOutboundIds)
    .where(and(eq(emailOutboundIds.connectionId, connectionId), inArray(emailOutboundIds.headerId, headerIds.slice(0, MAX_LOOKUP_IDS))));
  return headerIds.map((id) => rows.find((r) => r.headerId === id)).find((r) => r !== undefined);
}
