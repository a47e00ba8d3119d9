// Quiet when needed: /mute pauses a rep's notifications through one bot (for an hour, until
// tomorrow morning, or until /unmute), and "only mine" limits them to conversations the rep takes
// part in. Both live on the rep's chat link, so each bot keeps its own.
import type { ChatLinkRow } from "../../src/modules/chat-links/chat-links.service";
import { setQuiet } from "../../src/modules/chat-links/chat-links.service";
import { DAY_MS, localDays } from "../../src/lib/time-zone";
import { type Answer, button, type RepContext } from "./types";
import { refusal } from "./words";

export const MUTE_CHOICES = ["1h", "tomorrow", "off"] as const;
export type MuteChoice = (typeof MUTE_CHOICES)[number];

/** Notifications resume at 8:00 the next local morning. */
const MORNING_MS = 8 * 3600_000;

export function muteUntil(choice: MuteChoice, now: number, timeZone: string): number | null {
  if (choice === "off") return null;
  if (choice === "1h") return now + 3600_000;
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  const days = localDays(zone, now, now + 2 * DAY_MS);
  return days[1]!.start + MORNING_MS;
}

/** "/mute 1h", "/mute 1 hour", "/mute until tomorrow", "/mute tomorrow". */
export function parseMute(text: string): MuteChoice | null {
  const t = text.trim().toLowerCase().replace(/^until\s+/, "");
  if (/^(1\s*h|1\s*hour|an?\s*hour|60\s*m(in)?)$/.test(t)) return "1h";
  if (/^(tomorrow|tmrw|morning)$/.test(t)) return "tomorrow";
  if (/^(off|no|stop)$/.test(t)) return "off";
  return null;
}

function linkOf(ctx: RepContext): ChatLinkRow {
  if (!ctx.link) throw refusal("Quiet settings belong to a chat link; link this chat first.");
  return ctx.link;
}

const when = (until: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit" }).format(until);

/** How the rep's notifications stand on this link, with the buttons to change it. */
export function quietSettings(ctx: RepContext, notice?: string, show: "new" | "card" = "new"): Answer<{ mutedUntil: number | null; onlyMine: boolean }> {
  const link = linkOf(ctx);
  const muted = link.mutedUntil !== null && link.mutedUntil > Date.now() ? link.mutedUntil : null;
  let zone = ctx.rep.timeZone;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  const lines = [
    "🔔 Notifications",
    muted ? `🔕 Muted until ${when(muted, zone)}` : "On",
    link.onlyMine ? "Only conversations you take part in" : "Every conversation you can see",
  ];
  return {
    data: { mutedUntil: muted, onlyMine: link.onlyMine },
    text: lines.join("\n"),
    buttons: [
      muted ? [button("🔔 Unmute", "quiet.mute", "off")] : [button("🔕 1 hour", "quiet.mute", "1h"), button("🔕 Until tomorrow", "quiet.mute", "tomorrow")],
      [link.onlyMine ? button("Notify me of every conversation", "quiet.onlyMine", "off") : button("Only conversations I take part in", "quiet.onlyMine", "on")],
    ],
    show,
    ...(notice ? { notice } : {}),
  };
}

export async function mute(ctx: RepContext, choice: MuteChoice, show: "new" | "card" = "new") {
  const link = linkOf(ctx);
  const until = muteUntil(choice, Date.now(), ctx.rep.timeZone);
  const updated = await setQuiet(ctx.db, link.id, { mutedUntil: until });
  const notice = until === null ? "🔔 Notifications are on again" : "🔕 Muted";
  return quietSettings({ ...ctx, link: updated }, notice, show);
}

export async function onlyMine(ctx: RepContext, on: boolean) {
  const updated = await setQuiet(ctx.db, linkOf(ctx).id, { onlyMine: on });
  return quietSettings({ ...ctx, link: updated }, on ? "Only your conversations now" : "Every conversation now", "card");
}
