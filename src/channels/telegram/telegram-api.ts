// The Telegram Bot API as grammY's `Api`, pointed at TELEGRAM_API_BASE_URL (a fake in tests).
import { Api } from "grammy";
import type { Bindings } from "../../env";

export function telegramApi(env: Pick<Bindings, "TELEGRAM_API_BASE_URL">, botToken: string): Api {
  return new Api(botToken, { apiRoot: env.TELEGRAM_API_BASE_URL.replace(/\/+$/, "") });
}

/** Where a bot's file downloads live: `<root>/file/bot<token>/<file_path>`. */
export function telegramFileUrl(env: Pick<Bindings, "TELEGRAM_API_BASE_URL">, botToken: string, filePath: string): string {
  return `${env.TELEGRAM_API_BASE_URL.replace(/\/+$/, "")}/file/bot${botToken}/${filePath}`;
}
