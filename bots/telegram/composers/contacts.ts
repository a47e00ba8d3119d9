// /contact <query> and /pins: one message each, a button per contact opening its card.
import { Composer } from "grammy";
import { findContacts, myPins } from "../../rep-actions";
import type { BotContext } from "../context";
import { postAnswer } from "../render";
import { repContext } from "./rep";

export const contactsComposer = new Composer<BotContext>();

contactsComposer.command("contact", async (ctx) => void (await postAnswer(ctx, await findContacts(repContext(ctx), ctx.match))));

contactsComposer.command("pins", async (ctx) => void (await postAnswer(ctx, await myPins(repContext(ctx)))));
