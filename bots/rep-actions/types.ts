// The vocabulary every rep action speaks: who acts (a RepContext), and what comes back (an
// Answer: data, a short text, and buttons as neutral descriptors). Nothing here knows Telegram or
// Discord; each bot turns an Answer into its own messages, keyboards or embeds.
import type { Db } from "../../src/db/client";
import type { Bindings, Caller } from "../../src/env";
import type { ChatLinkRow } from "../../src/modules/chat-links/chat-links.service";

/** Everything an action needs: the database, the bindings, and the linked rep acting. */
export interface RepContext {
  db: Db;
  env: Bindings;
  /** The rep, with the same rights as their API token would have. */
  rep: Caller;
  /** The rep's link through the bot they are using (their quiet settings live there). */
  link?: ChatLinkRow | null;
  /**
   * The chat message the action was pressed on. The bot redraws it itself (perhaps with a menu
   * open), so the cards refreshed after the change leave it alone.
   */
  origin?: ChatMessageRef;
}

/** A message in a chat app: the bot's connection (Telegram), the chat, the message's id there. */
export interface ChatMessageRef {
  platform: "telegram" | "discord";
  connectionId: number | null;
  chatId: string;
  chatMessageId: string;
}

/**
 * The actions a button can ask for, each with a short code. A bot puts `code:arg:arg` into its
 * button payload (Telegram's 64-byte callback data, Discord's 100-character custom_id) and hands
 * the decoded name and args to `runButton` (registry.ts).
 */
export const BUTTON_CODES = {
  "notification.show": "n",
  "message.full": "sa",
  "reply.prompt": "rp",
  "message.read": "rd",
  "conversation.read": "ra",
  "inbox.page": "in",
  "inbox.readAll": "ia",
  "contact.show": "c",
  "contact.write": "w",
  "contact.writeOn": "wo",
  "contact.pin": "p",
  "contact.pinAt": "pa",
  "contact.unpin": "up",
  "contact.score": "s",
  "contact.qualifyMenu": "q",
  "contact.qualify": "k",
  "contact.deals": "dc",
  "deal.show": "d",
  "deal.stage": "ds",
  "deal.won": "dw",
  "deal.wonConfirmed": "dwc",
  "deal.lost": "dl",
  "deal.lostLike": "dll",
  "deal.lostNoReason": "dl0",
  "deal.lostOther": "dlo",
  "deal.reopen": "dr",
  "deal.create": "dn",
  "deal.createIn": "dni",
  "deal.createNow": "dnn",
  "delivery.retry": "dy",
  "conversation.template": "tp",
  "stats.period": "st",
  "quiet.mute": "mu",
  "quiet.onlyMine": "om",
} as const;

export type ActionName = keyof typeof BUTTON_CODES;

/** What a typed answer to a question (a prompt) is for; see prompts.ts. */
export const PROMPT_ACTIONS = ["reply", "write", "template", "deal.lostReason", "deal.new"] as const;
export type PromptAction = (typeof PROMPT_ACTIONS)[number];

export type ButtonArg = string | number;

/** A button as a descriptor: what it says, and which action it runs with which arguments. */
export interface Button {
  label: string;
  action: ActionName;
  args: readonly ButtonArg[];
  /** "‹ Back" to where the menu came from: a bot showing the menu over another card points it there. */
  back?: true;
}

/** Rows of buttons, top to bottom. */
export type Keyboard = Button[][];

/**
 * How a bot shows an answer to a button press:
 * - `card`: the subject (contact, deal, notification…) drawn afresh — replace the card pressed;
 * - `menu`: a choice to make about the card pressed (qualify as…, which stage…);
 * - `new`: something to post as a new message (a list, a text in parts, a question).
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
  /** Further messages to post after this one: a long text in parts. */
  continued?: string[];
  /**
   * The answer is a question: the rep's next typed text answers it (Telegram: the next message
   * or a reply to the question; Discord: a modal). Pass the text to `runPrompt(action, args)`.
   */
  prompt?: { action: PromptAction; args: readonly ButtonArg[]; placeholder: string };
}

export const button = (label: string, action: ActionName, ...args: ButtonArg[]): Button => ({ label, action, args });

export const backButton = (action: ActionName, ...args: ButtonArg[]): Button => ({ label: "‹ Back", action, args, back: true });
