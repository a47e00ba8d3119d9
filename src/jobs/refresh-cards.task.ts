// refresh_cards: redraw the reps' chat cards about a contact after something about it changed.
import { refreshTelegramCards } from "../../bots/telegram/cards";
import type { TaskHandler } from "./tasks";

export const refreshCards: TaskHandler<"refresh_cards"> = ({ db, env }, task) => refreshTelegramCards(db, env, task);
