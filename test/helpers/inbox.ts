// Arranging inbox state: inbound messages through the real service (as channel webhooks will),
// and contact conversations through the API.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { InboundMessage } from "../../src/channels/channel-adapter";
import { createDb } from "../../src/db/client";
import { ingestInbound } from "../../src/modules/messages/ingest.service";
import type { Client } from "./api";

let sequence = 0;

/**
 * A provider account arranged in the database (its credentials are never decrypted by the tests
 * that use it): what deliveries and inbound messages name as their connection.
 */
export async function arrangedConnection(workspaceId: number, channelKey: "whatsapp" | "sms" | "telegram" | "email" | "discord" = "whatsapp") {
  const row = await env.DB.prepare(
    "INSERT INTO channel_connections (workspace_id, channel_key, name, credentials_ciphertext, credentials_iv, config_json, external_account_id, created_at, updated_at) VALUES (?, ?, ?, 'sealed', 'iv', '{}', ?, 1, 1) RETURNING id",
  )
    .bind(workspaceId, channelKey, `${channelKey} test account`, `acct-${crypto.randomUUID()}`)
    .first<{ id: number }>();
  return { id: row!.id };
}

/** A provider message from a contact; a fresh externalId unless one is given. */
export function ingest(workspaceId: number, message: Partial<InboundMessage> & { connectionId?: number | null } = {}) {
  sequence += 1;
  return ingestInbound(createDb(env.DB), env, {
    workspaceId,
    channel: "telegram",
    externalId: `tg-msg-${sequence}-${crypto.randomUUID()}`,
    from: { externalId: "tg-user-1", name: "Tina Telegram", handle: "tina" },
    body: `hello ${sequence}`,
    kind: "text",
    ...message,
  });
}

/** A contact and its open conversation. */
export async function contactConversation(api: Client, name = "Carl Contact") {
  const contact = await api.post("/v1/contacts", { name });
  expect(contact.status).toBe(201);
  const conversation = await api.post(`/v1/contacts/${contact.body.id}/conversations`);
  expect(conversation.status).toBe(201);
  return { contact: contact.body as { id: number; name: string }, conversation: conversation.body as { id: number } };
}
