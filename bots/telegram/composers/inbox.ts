// /inbox: the rep's unread conversations, five at a time, with Mark all read.
import { Composer } from "grammy";
import { inbox } from "../../rep-actions";
import type { BotContext } from "../context";
import { postAnswer } from "../render";
import { repContext } from "./rep";

export const inboxComposer = new Composer<BotContext>();

inboxComposer.command("inbox", async (ctx) => void (await postAnswer(ctx, await inbox(repContext(ctx)))));
