// Scoring and qualifying a contact: the same services (and rows, and events) as
// PUT /v1/contacts/{id}/score and /qualification, as the rep.
import { type AiSuggestion, contactAiSuggestion } from "../../src/modules/qualification/classification.service";
import { listQualificationKinds, setContactQualification, setContactScore } from "../../src/modules/qualification/qualification.service";
import { suggestionText } from "./format";
import { type Answer, button, type Keyboard, type RepContext } from "./types";

/** ⭐1–5, then Qualify · Deal: the buttons every contact card and notification carries. */
export function ratingRows(contactId: number): Keyboard {
  return [
    [1, 2, 3, 4, 5].map((value) => button(`⭐${value}`, "contact.score", contactId, value)),
    [button("🏷 Qualify", "contact.qualifyMenu", contactId), button("💼 Deal", "contact.deals", contactId)],
  ];
}

export async function scoreContact(ctx: RepContext, contactId: number, value: number): Promise<Answer<{ contactId: number; value: number; effective: number | null }>> {
  const score = await setContactScore(ctx.db, ctx.rep, contactId, value);
  const notice = `Scored ⭐${value}${score.value !== value ? ` (effective ⭐${score.value})` : ""}`;
  return { data: { contactId, value, effective: score.value }, text: notice, buttons: [], show: "card", notice };
}

/** The workspace's qualification kinds as a choice, three a row — the AI's suggestion first, on its own row. */
export async function qualifyMenu(
  ctx: RepContext,
  contactId: number,
): Promise<Answer<{ contactId: number; kinds: { key: string; label: string }[]; suggestion: AiSuggestion | null }>> {
  const kinds = await listQualificationKinds(ctx.db, ctx.rep.workspaceId);
  const suggestion = await contactAiSuggestion(ctx.db, ctx.rep.workspaceId, contactId);
  const buttons: Keyboard = suggestion ? [[button(`🤖 ${suggestionText(suggestion)}`, "contact.qualify", contactId, suggestion.kindKey)]] : [];
  kinds.forEach((kind, i) => {
    if (i % 3 === 0) buttons.push([]);
    buttons[buttons.length - 1]!.push(button(kind.label, "contact.qualify", contactId, kind.key));
  });
  return {
    data: { contactId, kinds: kinds.map(({ key, label }) => ({ key, label })), suggestion },
    text: "Qualify as:",
    buttons,
    show: "menu",
  };
}

export async function qualifyContact(ctx: RepContext, contactId: number, kindKey: string): Promise<Answer<{ contactId: number; kindKey: string }>> {
  await setContactQualification(ctx.db, ctx.rep, contactId, { kindKey });
  const notice = `Qualified: ${kindKey}`;
  return { data: { contactId, kindKey }, text: notice, buttons: [], show: "card", notice };
}
