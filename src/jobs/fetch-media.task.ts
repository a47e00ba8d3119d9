// channel.fetch_media: an inbound message's files, from its provider into R2.
import { fetchMessageMedia } from "../channels/media";
import type { TaskHandler } from "./tasks";

export const fetchMedia: TaskHandler<"channel.fetch_media"> = ({ db, env }, task) => fetchMessageMedia(db, env, task);
