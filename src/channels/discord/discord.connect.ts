// Connecting a Discord application: check the bot token (GET /users/@me) and that the token,
// application id and public key belong together (GET /applications/@me), register the slash
// commands (bulk overwrite), store the token sealed. The owner then pastes the connection's
// webhook URL into the Developer Portal as the Interactions Endpoint URL.
import { z } from "@hono/zod-openapi";
import { AppError, invalidField } from "../../lib/errors";
import {
  assertAccountFree,
  credentialsOf,
  discardPendingConnection,
  enableConnection,
  insertPendingConnection,
} from "../../modules/channels-config/channels.service";
import type { ConnectHandlers } from "../channel-adapter";
import { type DiscordApplication, DiscordApiError, discordRest, type DiscordUser } from "./discord-api";
import type { DiscordConfig, DiscordCredentials } from "./discord-credentials";
import { discordConfigOf } from "./discord-credentials";

const SNOWFLAKE = /^[0-9]{15,21}$/;

export const ConnectDiscordBody = z
  .object({
    channelKey: z.literal("discord"),
    applicationId: z.string().trim().regex(SNOWFLAKE, "an application id is a Discord snowflake (digits)").openapi({ description: "Developer Portal → General Information → Application ID" }),
    publicKey: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/, "a public key is 64 hex characters")
      .transform((key) => key.toLowerCase())
      .openapi({ description: "Developer Portal → General Information → Public Key" }),
    botToken: z.string().trim().min(20, "a bot token is longer").max(200).openapi({ description: "Developer Portal → Bot → Reset Token" }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("ConnectDiscord");

function providerError(error: unknown, field: string): AppError {
  if (error instanceof DiscordApiError && error.status === 401) return invalidField(field, `Discord refused the bot token (${error.message})`);
  if (error instanceof DiscordApiError && error.status < 500 && error.status !== 429) {
    return invalidField(field, `Discord refused the request (${error.message})`);
  }
  if (error instanceof DiscordApiError) return new AppError("upstream_error", `Discord refused the request (${error.message})`);
  return new AppError("upstream_error", `Discord could not be reached: ${error instanceof Error ? error.message : String(error)}`);
}

export const discordConnect: ConnectHandlers<typeof ConnectDiscordBody> = {
  body: ConnectDiscordBody,
  async connect({ db, env, caller }, input) {
    const rest = discordRest(env, input.botToken);
    const [me, application] = await Promise.all([
      rest.request<DiscordUser>("GET", "/users/@me"),
      rest.request<DiscordApplication>("GET", "/applications/@me"),
    ]).catch((error: unknown) => {
      throw providerError(error, "body.botToken");
    });
    if (application.id !== input.applicationId) {
      throw invalidField("body.applicationId", `the bot token belongs to application ${application.id}`);
    }
    if (application.verify_key.toLowerCase() !== input.publicKey) {
      throw invalidField("body.publicKey", "this is not the application's public key (Developer Portal → General Information)");
    }
    await assertAccountFree(db, "discord", application.id, "body.applicationId", `Discord application ${application.name}`);
    const config: DiscordConfig = { applicationId: application.id, publicKey: input.publicKey, botUserId: me.id, username: me.username };
    const credentials: DiscordCredentials = { botToken: input.botToken };
    const pending = await insertPendingConnection(db, env, caller, {
      channelKey: "discord",
      name: input.name ?? application.name,
      credentials,
      config: { ...config },
      externalAccountId: application.id,
    });
    try {
      // Loaded here only: the command builders' validators are built when a bot connects, not on
      // every cold start of the Worker.
      const { commandDefinitions } = await import("../../../bots/discord/commands");
      await rest.request("PUT", `/applications/${application.id}/commands`, commandDefinitions());
    } catch (error) {
      // Without its commands the bot would answer nothing: undo the connection.
      await discardPendingConnection(db, pending);
      throw providerError(error, "body.botToken");
    }
    return { connection: await enableConnection(db, caller, pending, { applicationId: application.id, username: me.username }) };
  },
  /** The commands go with the connection: the Interactions Endpoint no longer answers them. */
  async disconnect({ env, connection }) {
    const { botToken } = await credentialsOf<DiscordCredentials>(env, connection);
    await discordRest(env, botToken).request("PUT", `/applications/${discordConfigOf(connection).applicationId}/commands`, []);
  },
};
