// telegram.fetch_media: an inbound Telegram message's files, from the Bot API into R2.
import { fetchTelegramMedia } from "../channels/telegram/telegram-media";
import type { TaskHandler } from "./tasks";

export const telegramFetchMedia: TaskHandler<"telegram.fetch_media"> = ({ db, env }, task) => fetchTelegramMedia(db, env, task);
