// Arranging inbox state: inbound messages through the real service (as channel webhooks will),
// and contact conversations through the API.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { InboundMessage } from "../../src/channels/channel-adapter";
import { createDb } from "../../src/db/client";
import { ingestInbound } from "../../src/modules/messages/ingest.service";
import type { Client } from "./api";

let sequence = 0;

/** A provider message from a contact; a fresh externalId unless one is given. */
export function ingest(workspaceId: number, message: Partial<InboundMessage> = {}) {
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
