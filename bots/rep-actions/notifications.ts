// A notification of a contact's message, as every chat app shows it: who wrote, on which channel,
// what they said, and the buttons to act on it.
import type { AiSuggestion } from "../../src/modules/qualification/classification.service";
import { suggestionText } from "./format";
import { ratingRows } from "./rating";
import { button, type Keyboard } from "./types";

/** What a notification shows of the message (Telegram allows 4096 characters in all). */
const BODY_LIMIT = 3500;

export function notificationText(opts: {
  contactName: string;
  company: string | null;
  channel: string;
  body: string;
  files: string[];
  /** What the Qualifier last said of the conversation (`aiSuggestion`), if anything. */
  suggestion?: AiSuggestion | null;
}): string {
  const lines = [`💬 ${opts.contactName}${opts.company ? ` — ${opts.company}` : ""} · ${opts.channel}`, ""];
  if (opts.suggestion) lines.splice(1, 0, `🤖 AI suggests ${suggestionText(opts.suggestion)}`);
  if (opts.body) lines.push(opts.body.length > BODY_LIMIT ? `${opts.body.slice(0, BODY_LIMIT)}…` : opts.body);
  if (opts.files.length > 0) lines.push(`📎 ${opts.files.join(", ")}`);
  return lines.join("\n");
}

/** Reply · Mark read, then ⭐1–5, then Qualify · Deal. */
export function notificationButtons(messageId: number, contactId: number): Keyboard {
  return [[button("↩ Reply", "reply.prompt", messageId), button("✓ Mark read", "message.read", messageId)], ...ratingRows(contactId)];
}
