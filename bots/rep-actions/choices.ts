// Suggestions while a rep types (Discord's autocomplete; any chat app's pickers): contacts,
// open deals, a deal's stages, pipelines, members — each at most 25, each a label and an id — and
// turning what came back (a picked id, or text typed without picking) into the one item meant.
// The same services and workspace scope as the API: another workspace's rows never appear.
import { and, desc, eq, sql } from "drizzle-orm";
import { contacts, deals } from "../../src/db/schema";
import { AppError, notFound } from "../../src/lib/errors";
import { listContacts } from "../../src/modules/contacts/contacts.service";
import { getDeal } from "../../src/modules/deals/deals.service";
import { getPipeline, listPipelines } from "../../src/modules/pipelines/pipelines.service";
import { listUsers } from "../../src/modules/users/users.service";
import { dealTitle, money } from "./format";
import type { RepContext } from "./types";

/** An item to pick: what the rep reads, and the id the action takes. */
export interface Choice {
  label: string;
  value: string;
}

/** Discord shows at most 25 suggestions; no picker needs more. */
export const MAX_CHOICES = 25;
/** Discord's limit on a choice's name (and value). */
const LABEL_LIMIT = 100;

const label = (text: string) => (text.length > LABEL_LIMIT ? `${text.slice(0, LABEL_LIMIT - 1)}…` : text);

/** Contacts matching the text (name, company, phone, e-mail), or the most recently changed ones. */
export async function contactChoices(ctx: RepContext, query: string): Promise<Choice[]> {
  const q = query.trim();
  const { data } = await listContacts(ctx.db, ctx.rep, q ? { q, sort: "name", limit: MAX_CHOICES } : { sort: "-updatedAt", limit: MAX_CHOICES });
  return data.map((c) => ({ label: label([c.name, c.company, c.phone ?? c.email].filter(Boolean).join(" · ")), value: String(c.id) }));
}

/** `%`, `_` and the escape itself are literal in what the rep typed. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** Open deals whose title or contact matches the text, most recently changed first. */
export async function dealChoices(ctx: RepContext, query: string): Promise<Choice[]> {
  const q = query.trim();
  const conditions = [eq(deals.workspaceId, ctx.rep.workspaceId), eq(deals.statusKey, "open")];
  if (q) {
    const pattern = likePattern(q);
    conditions.push(sql`(${deals.title} LIKE ${pattern} ESCAPE '\\' OR ${contacts.name} LIKE ${pattern} ESCAPE '\\')`);
  }
  const rows = await ctx.db
    .select({ id: deals.id, title: deals.title, amountMinor: deals.amountMinor, currency: deals.currency, contactName: contacts.name })
    .from(deals)
    .innerJoin(contacts, and(eq(contacts.workspaceId, deals.workspaceId), eq(contacts.id, deals.contactId)))
    .where(and(...conditions))
    .orderBy(desc(deals.updatedAt), desc(deals.id))
    .limit(MAX_CHOICES);
  return rows.map((d) => ({
    label: label(`${dealTitle(d)} — ${d.contactName}${money({ amount: d.amountMinor === null ? null : d.amountMinor / 100, currency: d.currency })}`),
    value: String(d.id),
  }));
}

/** The stages a deal can move to (its pipeline's, but the one it is in), matching the text. */
export async function stageChoices(ctx: RepContext, dealId: number, query: string): Promise<Choice[]> {
  const deal = await getDeal(ctx.db, ctx.rep, dealId);
  const pipeline = await getPipeline(ctx.db, ctx.rep, deal.pipelineId);
  const q = query.trim().toLowerCase();
  return pipeline.stages
    .filter((s) => s.id !== deal.stageId && (!q || s.name.toLowerCase().includes(q)))
    .slice(0, MAX_CHOICES)
    .map((s) => ({ label: label(s.name), value: String(s.id) }));
}

export async function pipelineChoices(ctx: RepContext, query: string): Promise<Choice[]> {
  const q = query.trim().toLowerCase();
  // Workspaces have a handful of pipelines; 100 is more than any has.
  const { data } = await listPipelines(ctx.db, ctx.rep, { limit: 100 });
  return data
    .filter((p) => !q || p.name.toLowerCase().includes(q))
    .slice(0, MAX_CHOICES)
    .map((p) => ({ label: label(p.name), value: String(p.id) }));
}

/** The workspace's users, for an owner picking whose numbers to see; a member sees only themselves. */
export async function memberChoices(ctx: RepContext, query: string): Promise<Choice[]> {
  const q = query.trim().toLowerCase();
  const { data } = await listUsers(ctx.db, ctx.rep, { limit: 100 });
  return data
    .filter((u) => ctx.rep.role === "owner" || u.id === ctx.rep.userId)
    .filter((u) => !q || u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q))
    .slice(0, MAX_CHOICES)
    .map((u) => ({ label: label(`${u.name} · ${u.email}`), value: String(u.id) }));
}

/**
 * The id a picker's value stands for: the id of a picked suggestion, or — text typed without
 * picking — the one item the suggestions for that text offer. None is 404, several is a 400
 * asking to pick, both naming what was typed.
 */
export async function resolveChoice(what: string, value: string, suggest: (query: string) => Promise<Choice[]>): Promise<number> {
  const text = value.trim();
  if (/^[1-9][0-9]{0,15}$/.test(text)) return Number(text);
  const found = text ? await suggest(text) : [];
  if (found.length === 0) throw notFound(`${what} “${text}”`);
  if (found.length > 1) throw new AppError("bad_request", `Several ${what}s match “${text}”: pick one from the list.`);
  return Number(found[0]!.value);
}
