// The bot's command menus (setMyCommands): contacts see only /start; a rep's private chat gets
// the rep commands once they link. Declared once, for the connect step and the link step.
import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";

export const REP_COMMANDS: BotCommand[] = [
  { command: "inbox", description: "Unread conversations" },
  { command: "contact", description: "Find a contact: /contact name, company, phone or e-mail" },
  { command: "pins", description: "Your pinned contacts" },
  { command: "deal", description: "Your open deals" },
  { command: "stats", description: "Your numbers: today, 7 and 30 days" },
  { command: "mute", description: "Pause notifications: /mute 1h or /mute tomorrow" },
  { command: "settings", description: "Which conversations notify you" },
  { command: "cancel", description: "Stop what the bot is waiting for" },
  { command: "help", description: "What this bot does" },
];

export const CONTACT_COMMANDS: BotCommand[] = [{ command: "start", description: "Start a conversation with us" }];

export const REP_HELP = [
  "Parley brings your inbox here.",
  "",
  "• New messages from your contacts arrive here, with buttons to reply, score, qualify, open a deal or mark read. The message updates itself as you and your team act on it.",
  "• To answer, tap ↩ Reply (or swipe the message) and type. You will see ✓ Sent when it has gone out.",
  "",
  "/inbox — unread conversations",
  "/contact ada — find a contact, then write to them, pin them or open a deal",
  "/pins — your pinned contacts",
  "/deal — your open deals",
  "/stats — your numbers",
  "/mute 1h — pause notifications (/mute tomorrow, /unmute)",
  "/settings — all conversations, or only yours",
  "/cancel — stop what the bot is waiting for",
].join("\n");

/** The menu contacts see, for the whole bot. */
export const setContactCommands = (api: Api) => api.setMyCommands(CONTACT_COMMANDS);

/** The rep's menu, in their private chat with the bot only. */
export const setRepCommands = (api: Api, chatId: number) => api.setMyCommands(REP_COMMANDS, { scope: { type: "chat", chat_id: chatId } });
