// Buttons, decoded: an action name and its arguments as they came back from the chat app (strings,
// never trusted) → the rep action that runs it. A bot decodes its payload with `decodeButton`,
// then `runButton`; a payload that is not one of ours, or whose arguments are malformed, is an
// `UnknownButton` — answer it ("this button no longer works"), never leave it spinning.
import { contactDeals, dealCard, loseDeal, moveDeal, openDeal, winDeal } from "./deals";
import { inbox, readConversation, readMessage, replyPrompt } from "./inbox";
import { qualifyContact, qualifyMenu, scoreContact } from "./rating";
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

type Runner = (ctx: RepContext, args: readonly string[]) => Promise<Answer>;

const runners: Record<ActionName, Runner> = {
  "reply.prompt": (ctx, [messageId]) => replyPrompt(ctx, id(messageId)),
  "message.read": (ctx, [messageId]) => readMessage(ctx, id(messageId)),
  "conversation.read": (ctx, [conversationId, upTo]) => readConversation(ctx, id(conversationId), id(upTo)),
  "inbox.page": (ctx, [lastMessageAt, conversationId]) => inbox(ctx, [base36(lastMessageAt, true), base36(conversationId)]),
  "contact.score": (ctx, [contactId, value]) => {
    if (!/^[1-5]$/.test(value ?? "")) throw new UnknownButton(`not a score: ${value}`);
    return scoreContact(ctx, id(contactId), Number(value));
  },
  "contact.qualifyMenu": (ctx, [contactId]) => qualifyMenu(ctx, id(contactId)),
  "contact.qualify": (ctx, [contactId, kindKey]) => qualifyContact(ctx, id(contactId), key(kindKey)),
  "contact.deals": (ctx, [contactId]) => contactDeals(ctx, id(contactId)),
  "deal.show": (ctx, [dealId]) => dealCard(ctx, id(dealId)),
  "deal.stage": (ctx, [dealId, stageId]) => moveDeal(ctx, id(dealId), id(stageId)),
  "deal.won": (ctx, [dealId]) => winDeal(ctx, id(dealId)),
  "deal.lost": (ctx, [dealId]) => loseDeal(ctx, id(dealId)),
  "deal.create": (ctx, [contactId]) => openDeal(ctx, id(contactId)),
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
