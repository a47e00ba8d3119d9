// What a Telegram connection keeps: the bot token and webhook secret (sealed), and public facts.
import type { UserFromGetMe } from "grammy/types";

export interface TelegramCredentials {
  botToken: string;
  /** The `secret_token` Telegram sends back in X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret: string;
}

export interface TelegramConfig {
  botId: number;
  username: string;
  firstName: string;
  /** getMe's answer, so a bot is built per update without asking Telegram again. */
  botInfo: UserFromGetMe;
}
