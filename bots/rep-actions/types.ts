// The vocabulary every rep action speaks: who acts (a RepContext), and what comes back (an
// Answer: data, a short text, and buttons as neutral descriptors). Nothing here knows Telegram or
// Discord; each bot turns an Answer into its own messages, keyboards or embeds.
import type { Db } from "../../src/db/client";
import type { Bindings, Caller } from "../../src/env";

/** Everything an action needs: the database, the bindings, and the linked rep acting. */
export interface RepContext {
  db: Db;
  env: Bindings;
  /** The rep, with the same rights as their API token would have. */
  rep: Caller;
}

/**
 * The actions a button can ask for, each with a short code. A bot puts `code:arg:arg` into its
 * button payload (Telegram's 64-byte callback data, Discord's 100-character custom_id) and hands
 * the decoded name and args to `runButton` (registry.ts).
 */
export const BUTTON_CODES = {
  "reply.prompt": "rp",
  "message.read": "rd",
  "conversation.read": "ra",
  "inbox.page": "in",
  "contact.score": "s",
  "contact.qualifyMenu": "q",
  "contact.qualify": "k",
  "contact.deals": "dc",
  "deal.show": "d",
  "deal.stage": "ds",
  "deal.won": "dw",
  "deal.lost": "dl",
  "deal.create": "dn",
} as const;

export type ActionName = keyof typeof BUTTON_CODES;

export type ButtonArg = string | number;

/** A button as a descriptor: what it says, and which action it runs with which arguments. */
export interface Button {
  label: string;
  action: ActionName;
  args: readonly ButtonArg[];
}

/** Rows of buttons, top to bottom. */
export type Keyboard = Button[][];

/**
 * How a bot shows an answer to a button press:
 * - `card`: the subject (contact, deal, notification…) drawn afresh — replace the card pressed;
 * - `menu`: a choice to make about the card pressed (qualify as…, which stage…);
 * - `new`: something to post as a new message (a prompt, a list).
 * Answers to commands are always new messages.
 */
export type Show = "card" | "menu" | "new";

/** What a rep action answers. */
export interface Answer<D = unknown> {
  /** The facts, for a bot that draws them its own way (embeds, fields). */
  data: D;
  /** The message or card, as plain text (no markup: contact-supplied text must not break it). */
  text: string;
  buttons: Keyboard;
  show: Show;
  /** A one-line confirmation of what was done ("Scored ⭐4"): a toast, an ephemeral line. */
  notice?: string;
}

export const button = (label: string, action: ActionName, ...args: ButtonArg[]): Button => ({ label, action, args });
