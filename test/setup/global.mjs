// Vitest global setup (runs in Node): the fake provider servers the Worker under test talks to.
import { startFakeDiscord } from "../fakes/discord-api.mjs";
import { startFakeTelegram } from "../fakes/telegram-bot-api.mjs";

export default async function setup({ provide }) {
  const telegram = await startFakeTelegram();
  provide("telegramApiUrl", telegram.url);
  const discord = await startFakeDiscord();
  provide("discordApiUrl", discord.url);
  return async () => {
    await telegram.close();
    await discord.close();
  };
}
