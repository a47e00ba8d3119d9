// The Discord connection's webhook: the Interactions Endpoint URL (Ed25519, answered by the bot
// in bots/discord — PING, commands, autocomplete, buttons, modals) and its `gateway` sub-path
// (DMs forwarded by the gateway bridge, HMAC-signed; stored by the pipeline as contacts' messages).
import { answerInteraction } from "../../../bots/discord/interactions";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { WebhookHandlers } from "../channel-adapter";
import type { DiscordCredentials } from "./discord-credentials";
import { discordConfigOf } from "./discord-credentials";
import { verifyGatewayForward, verifyInteraction } from "./discord-verify";

export const discordWebhook: WebhookHandlers = {
  subpaths: ["gateway"],
  async verify({ env, connection }, request) {
    if (request.subpath === "gateway") {
      const { botToken } = await credentialsOf<DiscordCredentials>(env, connection);
      return verifyGatewayForward(botToken, request);
    }
    return verifyInteraction(discordConfigOf(connection).publicKey, request);
  },
  async respond(ctx, request) {
    if (request.subpath === "gateway") return Response.json({ ok: true });
    return answerInteraction(ctx, request.rawBody);
  },
};
