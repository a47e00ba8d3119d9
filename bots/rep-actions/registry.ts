// Buttons, decoded: an action name and its arguments as they came back from the chat app (strings,
// never trusted) → the rep action that runs it. A bot decodes its payload with `decodeButton`,
// then `runButton`; a payload that is not one of ours, or whose arguments are malformed, is an
// `UnknownButton` — answer it ("this button no longer works"), never leave it spinning.
import { messageChannels, type MessageChannel } from "../../src/db/schema";
import { contactCard, pinContact, pinContactAt, unpinContact, writePrompt } from "./contacts";
import {
  askLost,
  askLostReason,
  askWon,
  contactDeals,
  createDealWith,
  dealCard,
  loseDeal,
  loseDealLike,
  moveDeal,
  newDeal,
  newDealPrompt,
  reopenDeal,
  winDeal,
} from "./deals";
import { retry } from "./deliveries";
import { templatePrompt } from "./reply";
import { inbox, readAll, readConversation, readMessage, replyPrompt } from "./inbox";
import { fullMessage, notificationCard } from "./notifications";
import { mute, MUTE_CHOICES, type MuteChoice, onlyMine } from "./quiet";
import { qualifyContact, qualifyMenu, scoreContact } from "./rating";
import { myStats, STATS_PERIODS, type StatsPeriod } from "./stats";
import { type ActionName, type Answer, BUTTON_CODES, type Button, type RepContext } from "./types";

export class UnknownButton extends Error {}

const ID = /^[1-9][0-9]{0,15}$/;
const id = (arg: string | undefined): number => {
  if (arg === undefined || !ID.test(arg)) throw new UnknownButton(`not an id: ${arg}`);
  return Number(arg);
};
const key = (arg: string | undefined): string => {
  if (arg === undefined || !/^[a-z0-9_]{1,40}$/.test(arg)) throw new UnknownButton(`not a key: ${arg}`);
  return arg;
};
const base36 = (arg: string | undefined, optional = false): string => {
  if (arg === undefined || !(optional ? /^[0-9a-z]{0,12}$/ : /^[0-9a-z]{1,12}$/).test(arg)) throw new UnknownButton(`not a position: ${arg}`);
  return arg;
};
const oneOf = <T extends string>(values: readonly T[], arg: string | undefined): T => {
  if (arg === undefined || !(values as readonly string[]).includes(arg)) throw new UnknownButton(`not one of ${values.join("|")}: ${arg}`);
  return arg as T;
};

type Runner = (ctx: RepContext, args: readonly string[]) => Promise<Answer>;

const runners: Record<ActionName, Runner> = {
  "notification.show": (ctx, [messageId]) => notificationCard(ctx, id(messageId)),
  "message.full": (ctx, [messageId]) => fullMessage(ctx, id(messageId)),
  "reply.prompt": (ctx, [messageId]) => replyPrompt(ctx, id(messageId)),
  "message.read": (ctx, [messageId]) => readMessage(ctx, id(messageId)),
  "conversation.read": (ctx, [conversationId, upTo]) => readConversation(ctx, id(conversationId), id(upTo)),
  "inbox.page": async (ctx, [lastMessageAt, conversationId]) => inbox(ctx, [base36(lastMessageAt, true), base36(conversationId)]),
  "inbox.readAll": (ctx) => readAll(ctx),
  // Opening a card is navigation: over a notification it shows as a menu, the notification above.
  "contact.show": async (ctx, [contactId]) => ({ ...(await contactCard(ctx, id(contactId))), show: "menu" }),
  "contact.write": (ctx, [contactId]) => writePrompt(ctx, id(contactId)),
  "contact.writeOn": (ctx, [contactId, channel]) => writePrompt(ctx, id(contactId), oneOf<MessageChannel>(messageChannels, channel)),
  "contact.pin": (ctx, [contactId]) => pinContact(ctx, id(contactId)),
  "contact.pinAt": (ctx, [contactId, slot]) => pinContactAt(ctx, id(contactId), id(slot)),
  "contact.unpin": (ctx, [contactId]) => unpinContact(ctx, id(contactId)),
  "contact.score": (ctx, [contactId, value]) => {
    if (!/^[1-5]$/.test(value ?? "")) throw new UnknownButton(`not a score: ${value}`);
    return scoreContact(ctx, id(contactId), Number(value));
  },
  "contact.qualifyMenu": (ctx, [contactId]) => qualifyMenu(ctx, id(contactId)),
  "contact.qualify": (ctx, [contactId, kindKey]) => qualifyContact(ctx, id(contactId), key(kindKey)),
  "contact.deals": (ctx, [contactId]) => contactDeals(ctx, id(contactId)),
  "deal.show": async (ctx, [dealId]) => ({ ...(await dealCard(ctx, id(dealId))), show: "menu" }),
  "deal.stage": (ctx, [dealId, stageId]) => moveDeal(ctx, id(dealId), id(stageId)),
  "deal.won": (ctx, [dealId]) => askWon(ctx, id(dealId)),
  "deal.wonConfirmed": (ctx, [dealId]) => winDeal(ctx, id(dealId)),
  "deal.lost": (ctx, [dealId]) => askLost(ctx, id(dealId)),
  "deal.lostLike": (ctx, [dealId, likeId]) => loseDealLike(ctx, id(dealId), id(likeId)),
  "deal.lostNoReason": (ctx, [dealId]) => loseDeal(ctx, id(dealId)),
  "deal.lostOther": (ctx, [dealId]) => askLostReason(ctx, id(dealId)),
  "deal.reopen": (ctx, [dealId]) => reopenDeal(ctx, id(dealId)),
  "deal.create": (ctx, [contactId]) => newDeal(ctx, id(contactId)),
  "deal.createIn": (ctx, [contactId, pipelineId]) => newDealPrompt(ctx, id(contactId), id(pipelineId)),
  "deal.createNow": (ctx, [contactId, pipelineId]) => createDealWith(ctx, id(contactId), id(pipelineId)),
  "delivery.retry": (ctx, [deliveryId]) => retry(ctx, id(deliveryId)),
  "conversation.template": (ctx, [conversationId, channel]) => templatePrompt(ctx, id(conversationId), oneOf<MessageChannel>(messageChannels, channel)),
  "stats.period": (ctx, [period]) => myStats(ctx, oneOf<StatsPeriod>(STATS_PERIODS, period), "card"),
  "quiet.mute": (ctx, [choice]) => mute(ctx, oneOf<MuteChoice>(MUTE_CHOICES, choice), "card"),
  "quiet.onlyMine": (ctx, [on]) => onlyMine(ctx, oneOf(["on", "off"], on) === "on"),
};

const byCode = new Map(Object.entries(BUTTON_CODES).map(([name, code]) => [code as string, name as ActionName]));

/** `code:arg:arg…`: a button's payload (at most 64 bytes for the ids Parley hands out). */
export const encodeButton = (b: Pick<Button, "action" | "args">): string => [BUTTON_CODES[b.action], ...b.args].join(":");

/** The action and raw arguments of a payload, or null when it is not a Parley button. */
export function decodeButton(data: string): { action: ActionName; args: string[] } | null {
  const [code, ...args] = data.split(":");
  const action = code === undefined ? undefined : byCode.get(code);
  return action ? { action, args } : null;
}

/** Run a pressed button's action as the rep. Throws UnknownButton for malformed arguments. */
export function runButton(ctx: RepContext, action: ActionName, args: readonly string[]): Promise<Answer> {
  return runners[action](ctx, args);
}
