// Reps' contact tools: /contact <query>, /pins, and the score, qualify and deal buttons of a
// contact. Every action calls the same services as the HTTP API, as the linked rep.
import { Composer, InlineKeyboard } from "grammy";
import { listContacts } from "../../../src/modules/contacts/contacts.service";
import { listDeals } from "../../../src/modules/deals/deals.service";
import { listPins } from "../../../src/modules/pins/pins.service";
import { contactAiSuggestion } from "../../../src/modules/qualification/classification.service";
import { listQualificationKinds, setContactQualification, setContactScore } from "../../../src/modules/qualification/qualification.service";
import type { BotContext } from "../context";
import { contactCard, money, ratingRows } from "../format";
import { suggestionText } from "../suggestion";
import { answerFailure, repOf } from "./rep";

export const contactsComposer = new Composer<BotContext>();

contactsComposer.command("contact", async (ctx) => {
  const rep = repOf(ctx);
  const q = ctx.match.trim();
  if (!q) {
    await ctx.reply("Send /contact and a name, company, phone or e-mail, e.g. /contact acme");
    return;
  }
  const { data } = await listContacts(ctx.parley.db, rep, { q, sort: "name", limit: 5 });
  if (data.length === 0) {
    await ctx.reply(`No contact matches “${q}”.`);
    return;
  }
  for (const contact of data) {
    await ctx.reply(contactCard(contact), { reply_markup: ratingRows(new InlineKeyboard(), contact.id) });
  }
});

contactsComposer.command("pins", async (ctx) => {
  const pins = await listPins(ctx.parley.db, repOf(ctx));
  if (pins.length === 0) {
    await ctx.reply("You have no pinned contacts. Pin one with PUT /v1/pins/{slot}.");
    return;
  }
  for (const pin of pins) {
    await ctx.reply(`📌 ${pin.slot}. ${contactCard(pin.contact)}`, { reply_markup: ratingRows(new InlineKeyboard(), pin.contact.id) });
  }
});

contactsComposer.callbackQuery(/^s:(\d+):([1-5])$/, async (ctx) => {
  const rep = repOf(ctx);
  const [, contactId, value] = ctx.match;
  await answerFailure(ctx, async () => {
    const score = await setContactScore(ctx.parley.db, rep, Number(contactId), Number(value));
    await ctx.answerCallbackQuery({ text: `Scored ⭐${value}${score.value !== Number(value) ? ` (effective ⭐${score.value})` : ""}` });
  });
});

contactsComposer.callbackQuery(/^q:(\d+)$/, async (ctx) => {
  const rep = repOf(ctx);
  const contactId = Number(ctx.match[1]);
  const kinds = await listQualificationKinds(ctx.parley.db, rep.workspaceId);
  const keyboard = new InlineKeyboard();
  // The AI's suggestion first, one tap away.
  const suggestion = await contactAiSuggestion(ctx.parley.db, rep.workspaceId, contactId);
  if (suggestion) keyboard.text(`🤖 ${suggestionText(suggestion)}`, `k:${contactId}:${suggestion.kindKey}`).row();
  kinds.forEach((kind, i) => {
    keyboard.text(kind.label, `k:${contactId}:${kind.key}`);
    if (i % 3 === 2) keyboard.row();
  });
  await ctx.answerCallbackQuery();
  await ctx.reply("Qualify as:", { reply_markup: keyboard });
});

contactsComposer.callbackQuery(/^k:(\d+):([a-z0-9_]+)$/, async (ctx) => {
  const rep = repOf(ctx);
  const [, contactId, kindKey] = ctx.match;
  await answerFailure(ctx, async () => {
    await setContactQualification(ctx.parley.db, rep, Number(contactId), {
      kindKey: kindKey!,
    });
    await ctx.answerCallbackQuery({ text: `Qualified: ${kindKey}` });
  });
});

/** A contact's open deals with their actions, or a button to open one. */
contactsComposer.callbackQuery(/^dc:(\d+)$/, async (ctx) => {
  const rep = repOf(ctx);
  const contactId = Number(ctx.match[1]);
  await answerFailure(ctx, async () => {
    const { data } = await listDeals(ctx.parley.db, rep, { contactId, statusKey: "open", limit: 10 });
    const keyboard = new InlineKeyboard();
    for (const deal of data) keyboard.text(`${deal.title ?? `Deal #${deal.id}`}${money(deal)}`, `d:${deal.id}`).row();
    keyboard.text("➕ New deal", `dn:${contactId}`);
    await ctx.answerCallbackQuery();
    await ctx.reply(data.length ? "Open deals:" : "No open deal yet.", { reply_markup: keyboard });
  });
});
