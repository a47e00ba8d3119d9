// What a Discord connection keeps: the bot token (sealed) and the application's public facts.

export interface DiscordCredentials {
  /** The bot's token: REST calls, and the key of the gateway bridge's X-Parley-Signature. */
  botToken: string;
}

export interface DiscordConfig {
  applicationId: string;
  /** Hex Ed25519 key Discord signs interactions with (public: shown in the Developer Portal). */
  publicKey: string;
  botUserId: string;
  username: string;
}

export const discordConfigOf = (connection: { configJson: string }): DiscordConfig => JSON.parse(connection.configJson) as DiscordConfig;
