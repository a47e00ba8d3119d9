// Rep-action answers drawn for Discord: embeds within Discord's limits (title 256, description
// 4096, 25 fields of 256/1024, footer 2048, 6000 in all) and components (at most 5 action rows of
// at most 5 buttons; a row of choices that does not fit — a pipeline's stages, the workspace's
// qualification kinds — becomes a select menu). A button's custom_id is the rep-action payload
// (`code:arg…`); a select's is the payload without its last argument, which the chosen value fills.
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIStringSelectComponent,
  ButtonStyle,
  ComponentType,
} from "discord-api-types/v10";
import type { ActionName, Answer, BoardFacts, Button, Keyboard, MessageCardFacts, PeriodStatsFacts } from "../rep-actions";
import { encodeButton, totalsLine } from "../rep-actions";
import { type ContactDto, dealTitle, money, suggestionText } from "../rep-actions/format";
import type { DealDto } from "../../src/modules/deals/deals.service";

export interface MessageBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** Echoed contact and user text never pings anyone. */
  allowed_mentions: { parse: [] };
}

/** Embed and component limits (Discord: message resource, "Embed Limits"; components reference). */
export const LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, author: 256, total: 6000, rows: 5, buttonsPerRow: 5, buttonLabel: 80, options: 25, optionLabel: 100 } as const;

const COLORS = { contact: 0x5865f2, message: 0x3ba55d, deal: 0xfaa61a, won: 0x3ba55d, lost: 0xed4245, board: 0x4f545c, info: 0x4f545c } as const;

export const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** An embed trimmed to Discord's limits, each part and the sum of them. */
export function clampEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = cut(out.title, LIMITS.title);
  if (out.author) out.author = { ...out.author, name: cut(out.author.name, LIMITS.author) };
  if (out.footer) out.footer = { ...out.footer, text: cut(out.footer.text, LIMITS.footer) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.fields).map((f) => ({ ...f, name: cut(f.name || "​", LIMITS.fieldName), value: cut(f.value || "–", LIMITS.fieldValue) }));
  }
  const others = (out.title?.length ?? 0) + (out.author?.name.length ?? 0) + (out.footer?.text.length ?? 0) + (out.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  if (out.description !== undefined) out.description = cut(out.description, Math.max(1, Math.min(LIMITS.description, LIMITS.total - others)));
  return out;
}

export const message = (embeds: APIEmbed[], components: MessageBody["components"] = []): MessageBody => ({
  embeds: embeds.map(clampEmbed),
  components,
  allowed_mentions: { parse: [] },
});

/** A one-line answer (a refusal, a confirmation). */
export const textMessage = (text: string): MessageBody => ({ content: cut(text, 2000), embeds: [], components: [], allowed_mentions: { parse: [] } });

const footer = (notice: string | undefined, fallback?: string) => (notice || fallback ? { footer: { text: notice ?? fallback! } } : {});

/** Any answer as a plain embed: its text, and its notice underneath. */
export function answerEmbed(answer: Answer, color: number = COLORS.info): APIEmbed {
  return { description: answer.text || "–", color, ...footer(answer.notice) };
}

// ---- components

const STYLES: Partial<Record<ActionName, APIButtonComponentWithCustomId["style"]>> = {
  "reply.prompt": ButtonStyle.Primary,
  "deal.won": ButtonStyle.Success,
  "deal.lost": ButtonStyle.Danger,
  "deal.create": ButtonStyle.Success,
};

function buttonOf(b: Button): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, style: STYLES[b.action] ?? ButtonStyle.Secondary, label: cut(b.label, LIMITS.buttonLabel), custom_id: encodeButton(b) };
}

/** Buttons of one action that differ only in their last argument: a choice, drawable as a select. */
function isChoice(row: Button[]): boolean {
  const [first] = row;
  if (!first || first.args.length === 0) return false;
  const prefix = encodeButton({ action: first.action, args: first.args.slice(0, -1) });
  return row.every((b) => b.action === first.action && b.args.length === first.args.length && encodeButton({ action: b.action, args: b.args.slice(0, -1) }) === prefix);
}

export function selectOf(row: Button[], placeholder: string): APIActionRowComponent<APIStringSelectComponent> {
  const first = row[0]!;
  const options = row.slice(0, LIMITS.options).map((b) => ({ label: cut(b.label.replace(/^→\s*/, ""), LIMITS.optionLabel), value: String(b.args[b.args.length - 1]) }));
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.StringSelect, custom_id: encodeButton({ action: first.action, args: first.args.slice(0, -1) }), placeholder: cut(placeholder, 150), options }],
  };
}

const PLACEHOLDERS: Partial<Record<ActionName, string>> = { "deal.stage": "Move to stage…", "contact.qualify": "🏷 Qualify as…" };

/**
 * Rows of neutral buttons as Discord components. `menus` replaces a button by the choice it opens
 * (the contact card's "Qualify" button by the kinds themselves, as a select menu). At most 5 rows.
 */
export function componentsOf(keyboard: Keyboard, menus: Partial<Record<ActionName, Button[]>> = {}): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (const row of keyboard) {
    const opened: Button[][] = [];
    const buttons = row.filter((b) => {
      const menu = menus[b.action];
      if (!menu) return true;
      if (menu.length > 0) opened.push(menu);
      return false;
    });
    if (buttons.length > LIMITS.buttonsPerRow && isChoice(buttons)) {
      rows.push(selectOf(buttons, PLACEHOLDERS[buttons[0]!.action] ?? "Choose…"));
    } else {
      for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
        rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.buttonsPerRow).map(buttonOf) });
      }
    }
    // The choice a replaced button opened sits right under that button's row.
    for (const menu of opened) rows.push(selectOf(menu, PLACEHOLDERS[menu[0]!.action] ?? "Choose…"));
  }
  return rows.slice(0, LIMITS.rows);
}

// ---- cards

function contactFields(contact: ContactDto) {
  return [
    ...(contact.phone ? [{ name: "Phone", value: contact.phone, inline: true }] : []),
    ...(contact.email ? [{ name: "E-mail", value: contact.email, inline: true }] : []),
    { name: "Score", value: contact.score === null ? "–" : `⭐ ${contact.score}`, inline: true },
    { name: "Qualification", value: contact.qualification ?? "–", inline: true },
  ];
}

export function contactEmbed(contact: ContactDto, notice?: string): APIEmbed {
  return {
    title: contact.name,
    ...(contact.company ? { description: contact.company } : {}),
    color: COLORS.contact,
    fields: contactFields(contact),
    ...footer(notice, `Contact #${contact.id}`),
  };
}

export function messageEmbed(facts: MessageCardFacts, notice?: string): APIEmbed {
  const { message: m, contact, files } = facts;
  return {
    author: { name: `💬 ${contact.name}${contact.company ? ` — ${contact.company}` : ""} · ${m.channelKey}` },
    description: m.body || (files.length ? "(files only)" : "–"),
    color: COLORS.message,
    fields: [
      ...(files.length ? [{ name: "Files", value: `📎 ${files.join(", ")}` }] : []),
      ...contactFields(contact).filter((f) => f.name === "Score" || f.name === "Qualification"),
      ...(facts.suggestion ? [{ name: "AI suggests", value: `🤖 ${suggestionText(facts.suggestion)}`, inline: true }] : []),
    ],
    timestamp: new Date(m.createdAt).toISOString(),
    ...footer(notice, `Message #${m.id}`),
  };
}

export interface DealCardFacts {
  deal: DealDto;
  pipelineName: string;
  stageName: string | null;
}

export function dealEmbed(facts: DealCardFacts, notice?: string): APIEmbed {
  const { deal } = facts;
  const color = deal.statusKey === "won" ? COLORS.won : deal.statusKey === "lost" ? COLORS.lost : COLORS.deal;
  return {
    title: `${dealTitle(deal)}${money(deal)}`,
    color,
    fields: [
      { name: "Pipeline", value: facts.pipelineName, inline: true },
      { name: "Stage", value: facts.stageName ?? "?", inline: true },
      { name: "Status", value: deal.statusKey, inline: true },
      ...(deal.lostReason ? [{ name: "Lost because", value: deal.lostReason }] : []),
    ],
    ...footer(notice, `Deal #${deal.id}`),
  };
}

export function boardEmbed(facts: BoardFacts): APIEmbed {
  // 25 fields in all: the last two are won and lost.
  const stages = facts.stages.slice(0, LIMITS.fields - 2);
  return {
    title: `📊 ${facts.pipeline.name}`,
    color: COLORS.board,
    fields: [
      ...stages.map((s) => ({ name: s.name, value: totalsLine(s.open), inline: true })),
      { name: "✅ Won", value: totalsLine(facts.won), inline: true },
      { name: "❌ Lost", value: totalsLine(facts.lost), inline: true },
    ],
    ...footer(facts.stages.length > stages.length ? `${facts.stages.length - stages.length} more stages not shown` : "Open deals and amounts per stage"),
  };
}

const seconds = (s: number | null) => (s === null ? "–" : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

export function statsEmbed(facts: PeriodStatsFacts): APIEmbed {
  return {
    title: `📊 ${facts.name} · ${facts.periodLabel}`,
    color: COLORS.info,
    fields: [
      { name: "Messages sent", value: String(facts.messagesSent), inline: true },
      { name: "Conversations", value: String(facts.conversationsHandled), inline: true },
      { name: "First answer (median)", value: seconds(facts.firstResponseTime.medianSeconds), inline: true },
      { name: "Deals won", value: String(facts.dealsWon), inline: true },
      { name: "Deals lost", value: String(facts.dealsLost), inline: true },
      { name: "Win rate", value: facts.winRate === null ? "–" : `${Math.round(facts.winRate * 100)} %`, inline: true },
    ],
    footer: { text: `Since ${new Date(facts.from).toISOString().slice(0, 16).replace("T", " ")} UTC` },
  };
}

export function contactListEmbed(title: string, contacts: ContactDto[]): APIEmbed {
  return {
    title,
    color: COLORS.contact,
    fields: contacts.map((c) => ({
      name: `${c.name}${c.company ? ` — ${c.company}` : ""}`,
      value: [c.phone && `☎ ${c.phone}`, c.email && `✉ ${c.email}`, c.score !== null && `⭐ ${c.score}`, c.qualification && `🏷 ${c.qualification}`, `#${c.id}`].filter(Boolean).join("  "),
    })),
    ...(contacts.length ? { footer: { text: "/contact show for a card with buttons" } } : {}),
  };
}
