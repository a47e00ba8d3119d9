// Finishing an interaction after its first answer: edit the original response (the deferred
// "thinking…" message, or the card a deferred press was on) or post a follow-up. These are the
// interaction webhook endpoints: the interaction token authorises them for 15 minutes, no bot
// token, and Discord exempts them from the global rate limit.
import type { Bindings } from "../../src/env";
import { discordRest } from "../../src/channels/discord/discord-api";
import type { MessageBody } from "./render";

const EPHEMERAL = 64;

export function editOriginal(env: Pick<Bindings, "DISCORD_API_BASE_URL">, applicationId: string, token: string, body: MessageBody) {
  return discordRest(env, null).request("PATCH", `/webhooks/${applicationId}/${token}/messages/@original`, body);
}

export function followUp(env: Pick<Bindings, "DISCORD_API_BASE_URL">, applicationId: string, token: string, body: MessageBody, ephemeral: boolean) {
  return discordRest(env, null).request("POST", `/webhooks/${applicationId}/${token}`, { ...body, ...(ephemeral ? { flags: EPHEMERAL } : {}) });
}
