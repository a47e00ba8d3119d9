// The e-mail channel: a mailbox of the workspace. Mail comes in through Email Routing (the
// Worker's `email()` export, email.inbound.ts); answers go out through the provider's HTTP API
// in Resend's shape, threaded so the contact's client files them under the same conversation
// (email-threading.ts); the provider's delivery events come through the webhook pipeline.
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { contactIdentities, contacts, conversations, users } from "../../db/schema";
import { PermanentJobError, TransientJobError } from "../../jobs/errors";
import { AppError, invalidField } from "../../lib/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { ChannelAdapter, OutboundMessage, ProviderContext } from "../channel-adapter";
import { EmailApiError, EmailApiUnreachable, sendEmail } from "./email-api";
import type { EmailConfig, EmailCredentials } from "./email-credentials";
import { emailConnect } from "./email.connect";
import { downloadEmailPart } from "./email.inbound";
import { outboundMessageId, plusAddress, recordOutboundId, replySubject, replyToken, threadHeadersFor } from "./email-threading";
import { emailDeliveryUpdates, emailWebhook } from "./email.webhook";

type IdentityRow = NonNullable<OutboundMessage["recipient"]>;

/** Identities of senders whose mail failed DMARC (see InboundSender.unverified). */
const isUnverified = (identity: IdentityRow | null) => identity?.externalId.startsWith("unverified:") === true;

/**
 * Where mail to the contact goes: the identity routing chose, else (it is an unverified one, or
 * there is none) another e-mail identity of the contact, else the e-mail on their card.
 */
async function recipientAddress(db: Db, workspaceId: number, contactId: number | null, recipient: IdentityRow | null): Promise<string | null> {
  if (recipient && !isUnverified(recipient)) return recipient.externalId;
  if (contactId === null) return null;
  const [[identity], [contact]] = await db.batch([
    db
      .select({ externalId: contactIdentities.externalId })
      .from(contactIdentities)
      .where(
        and(
          eq(contactIdentities.workspaceId, workspaceId),
          eq(contactIdentities.contactId, contactId),
          eq(contactIdentities.channelKey, "email"),
          sql`${contactIdentities.externalId} NOT LIKE 'unverified:%'`,
        ),
      )
      .orderBy(desc(contactIdentities.updatedAt))
      .limit(1),
    db
      .select({ email: contacts.email })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId))),
  ]);
  return identity?.externalId ?? contact?.email ?? null;
}

/** Why there is nowhere to send: an unverified sender is not the same as a contact without e-mail. */
const noAddress = (recipient: IdentityRow | null) =>
  isUnverified(recipient)
    ? "the contact's e-mail address is unverified (their mail failed DMARC): check who they are and merge them into the right contact before answering by e-mail"
    : "the contact has no e-mail address: add one to the contact first";

/** A display name that cannot break out of its quotes or the header line. */
const displayName = (name: string) =>
  name
    .replace(/["\\<>\r\n]/g, "")
    .trim()
    .slice(0, 100);

function fromHeader(repName: string | null, config: EmailConfig): string {
  const name = displayName(repName ? `${repName} via ${config.fromName}` : config.fromName);
  return name ? `"${name}" <${config.address}>` : config.address;
}

/** A provider failure as the job system retries (or does not): 429, 5xx and no answer are retried. */
function jobErrorOf(error: unknown): Error {
  if (error instanceof PermanentJobError || error instanceof TransientJobError) return error;
  if (error instanceof EmailApiUnreachable) return new TransientJobError(`Resend could not be reached: ${error.message}`, "provider_unreachable");
  if (error instanceof EmailApiError) {
    const what = `${error.status} ${error.errorName}: ${error.message}`;
    if (error.status === 429) return new TransientJobError(`Resend is limiting requests (${what})`, "rate_limited", error.retryAfterSeconds);
    if (error.status >= 500) return new TransientJobError(`Resend failed (${what})`, "provider_unavailable");
    if (error.errorName === "concurrent_idempotent_requests") return new TransientJobError(`Resend is still sending this e-mail (${what})`, "provider_busy");
    return new PermanentJobError(`Resend refused the e-mail (${what})`, error.errorName);
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function sendMessage({ env, db, connection }: ProviderContext, outbound: OutboundMessage) {
  const { message } = outbound;
  const ws = message.workspaceId;
  const config = JSON.parse(connection.configJson) as EmailConfig;
  const [conversation] = await db
    .select({ contactId: conversations.contactId })
    .from(conversations)
    .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, message.conversationId)));
  const to = await recipientAddress(db, ws, conversation?.contactId ?? null, outbound.recipient);
  if (!to) throw new PermanentJobError(noAddress(outbound.recipient), isUnverified(outbound.recipient) ? "recipient_unverified" : "no_recipient");
  const [author] = message.authorUserId
    ? await db
        .select({ name: users.name })
        .from(users)
        .where(and(eq(users.workspaceId, ws), eq(users.id, message.authorUserId)))
    : [];

  const thread = await threadHeadersFor(db, ws, message.conversationId, message.id);
  const subject = thread.subject ? replySubject(thread.subject) : `Message from ${config.fromName}`;
  const messageId = await outboundMessageId(env, outbound.deliveryId, config.address);
  const headers: Record<string, string> = { "Message-ID": messageId };
  if (thread.inReplyTo) headers["In-Reply-To"] = thread.inReplyTo;
  if (thread.references.length > 0) headers.References = thread.references.join(" ");
  // Recorded before the send: a reply can only name a Message-ID that left, and a retried
  // attempt reuses the same one.
  await recordOutboundId(db, {
    workspaceId: ws,
    connectionId: connection.id,
    messageId: message.id,
    deliveryId: outbound.deliveryId,
    headerId: messageId,
    recipient: to,
    references: thread.references,
    subject,
  });
  const { apiKey } = await credentialsOf<EmailCredentials>(env, connection);
  try {
    const id = await sendEmail(
      env,
      apiKey,
      {
        from: fromHeader(author?.name ?? null, config),
        to: [to],
        subject,
        text: message.body || "(see the attached files)",
        reply_to: plusAddress(config.address, await replyToken(env, connection.id, message.conversationId)),
        headers,
      },
      outbound.attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, key: a.url })),
      `parley-delivery-${outbound.deliveryId}`,
    );
    return { providerMessageId: id, status: "sent" as const };
  } catch (error) {
    throw jobErrorOf(error);
  }
}

export const emailAdapter = {
  channel: "email",
  storesOnly: false,
  connect: emailConnect,
  webhook: emailWebhook,
  updateDelivery: emailDeliveryUpdates,
  downloadMedia: downloadEmailPart,
  async checkSend({ db }, { conversation, recipient }) {
    if (await recipientAddress(db, conversation.workspaceId, conversation.contactId, recipient)) return;
    if (isUnverified(recipient)) throw new AppError("conflict", noAddress(recipient));
    throw invalidField("body.channelKey", noAddress(recipient));
  },
  sendMessage,
} as const satisfies ChannelAdapter;
