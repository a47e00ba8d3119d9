// /contact <query> and /pins: contacts as cards with their rating buttons.
import { Composer } from "grammy";
import { contactCard, findContacts, myPins } from "../../rep-actions";
import type { BotContext } from "../context";
import { inlineKeyboard } from "../render";
import { repContext } from "./rep";

export const contactsComposer = new Composer<BotContext>();

contactsComposer.command("contact", async (ctx) => {
  const found = await findContacts(repContext(ctx), ctx.match);
  if (found.data.contacts.length === 0) return void (await ctx.reply(found.text));
  for (const contact of found.data.contacts) {
    const card = contactCard(contact);
    await ctx.reply(card.text, { reply_markup: inlineKeyboard(card.buttons) });
  }
});

contactsComposer.command("pins", async (ctx) => {
  const pins = await myPins(repContext(ctx));
  if (pins.data.pins.length === 0) return void (await ctx.reply(pins.text));
  for (const pin of pins.data.pins) {
    const card = contactCard(pin.contact, `📌 ${pin.slot}. `);
    await ctx.reply(card.text, { reply_markup: inlineKeyboard(card.buttons) });
  }
});
